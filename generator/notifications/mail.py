"""Messages written as e-mail: ``notify/<template>.j2`` (the vendor's ``templates:`` folder first, like
page templates, then the built-in ones), each with three blocks: ``subject`` and ``text`` rendered as
plain text, ``html`` rendered with every printed value HTML-escaped. Templates run sandboxed.

Headers follow RFC 5322 (Date, Message-ID, From, To, Subject) and, for people on the roster, RFC 8058
one-click unsubscribe (``List-Unsubscribe`` with a signed link to the collector and
``List-Unsubscribe-Post``)."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2

from generator.errors import PartnerkitError
from generator.jinja_environment import sandboxed_environment
from generator.notifications.messages import Message
from generator.notifications.tokens import sign_unsubscribe
from generator.model.config import SiteConfig
from generator.model.urls import UNSUBSCRIBE_ROUTE, Urls  # noqa: F401 (UNSUBSCRIBE_ROUTE: imported from here by the collector)

MAIL_POLICY = SMTP.clone(max_line_length=998)
"""Header lines are not folded below RFC 5322's hard limit of 998 characters: the standard library's
folding of a long display name drops its quotes, and an address written in a name became a recipient."""
MAX_NAME_CHARS = 64
"""Longest display name written in a header (longer roster names are cut), so no header line needs folding."""
ADDRESS = re.compile(r"[^@\s<>,;:\"]+@[^@\s<>,;:\"]+")
"""What ``notify`` writes to: one address, no display name, list or route."""
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

def day_text(value: date, language: str) -> str:
    """A day as people write it: ``1 March 2027``, ``2027年3月1日``."""
    if language == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value.strftime('%B')} {value.year}"


@functools.lru_cache(maxsize=8)
def environments(override_dir: Path | None, shown: str = "templates") -> tuple[jinja2.Environment, jinja2.Environment]:
    """(plain text, HTML) environments over the same templates; the HTML one escapes every value.
    ``shown``: the vendor's folder as ``templates:`` names it, for errors."""
    return (sandboxed_environment(override_dir, shown, autoescape=False),
            sandboxed_environment(override_dir, shown, autoescape=True))


def _block(env: jinja2.Environment, name: str, block: str, context: dict) -> str:
    try:
        template = env.get_template(f"notify/{name}.j2")
        return "".join(template.blocks[block](template.new_context(context))).strip()
    except KeyError:
        raise PartnerkitError(f"notify/{name}.j2 has no '{block}' block") from None
    except jinja2.TemplateError as exc:
        raise PartnerkitError(f"notify/{name}.j2: {exc}") from None


def mailbox(name: str, address: str) -> Address:
    """The one builder of From and To: ``name`` with control characters dropped, spaces collapsed and cut
    to :data:`MAX_NAME_CHARS`, which the email package quotes (or encodes, RFC 2047) whole on one line
    under :data:`MAIL_POLICY`: whatever the name holds (``<x@y>``, commas, quotes, markup), the header
    names exactly one address, ``address``. ValueError if ``address`` is not one plain, printable address."""
    if not (ADDRESS.fullmatch(address) and address.isprintable()):
        raise ValueError(f"not an address: {address!r}")
    return Address(" ".join(_UNSAFE.sub(" ", name).split())[:MAX_NAME_CHARS].strip(), addr_spec=address)


def usable_address(address: str) -> bool:
    """Whether :func:`mailbox` can write to ``address``."""
    try:
        mailbox("", address)
    except ValueError:
        return False
    return True


def unsubscribe_link(config: SiteConfig, message: Message, keys: dict[str, bytes], now: datetime) -> str:
    """The one-click unsubscribe link of ``message``: the collector serves it, so a site without one is refused."""
    token = sign_unsubscribe(message.recipient.partner, message.recipient.rep, message.kind, now, keys)
    link = Urls.of(config).unsubscribe(token)
    if link is None:
        raise PartnerkitError("analytics.endpoint is not set in site_config.yml: unsubscribe links go to the collector")
    return link


def write_email(message: Message, config: SiteConfig, root: Path, keys: dict[str, bytes], now: datetime) -> EmailMessage:
    """The message as e-mail, from ``notifications.from_address`` to the recipient, plain text and HTML."""
    settings = config.notifications
    if not settings.from_address:
        raise PartnerkitError("notifications.from_address is not set in site_config.yml: messages need a sender")
    language = config.language
    unsubscribe = unsubscribe_link(config, message, keys, now) if message.recipient.rep else ""
    context = {**message.context, "ja": language == "ja", "site_name": config.site_name, "vendor": config.vendor,
               "product": config.product, "unsubscribe": unsubscribe,
               "day": lambda value: day_text(value, language)}
    text_env, html_env = environments(root / config.templates if config.templates else None, config.templates or "templates")
    email = EmailMessage(policy=MAIL_POLICY)
    email["Subject"] = " ".join(_UNSAFE.sub(" ", _block(text_env, message.template, "subject", context)).split())
    try:
        email["From"] = mailbox(config.site_name, settings.from_address)
        email["To"] = mailbox(message.recipient.name, message.recipient.email)
    except ValueError as exc:
        raise PartnerkitError(f"cannot write to {message.recipient.name or message.recipient.email}: {exc}") from None
    if settings.reply_to:
        email["Reply-To"] = settings.reply_to
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid("notify", domain=settings.from_address.rpartition("@")[2])
    email["Auto-Submitted"] = "auto-generated"
    email["X-Partnerkit-Kind"] = message.kind
    if unsubscribe:
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(_block(text_env, message.template, "text", context) + "\n")
    html = _block(html_env, message.template, "html", context)
    email.add_alternative(f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"></head>'
                          f"<body>{html}</body></html>\n", subtype="html")
    return email
