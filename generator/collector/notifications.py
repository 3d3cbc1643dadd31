"""The collector's one-click unsubscribe route (RFC 8058) for ``partnerkit notify``'s messages.

``GET /unsubscribe?t=<token>`` shows a page with one button (a GET never unsubscribes: mail scanners
open links); ``POST /unsubscribe?t=<token>`` with the body ``List-Unsubscribe=One-Click`` (what mail
clients send for the ``List-Unsubscribe-Post`` header, and what the button sends) records that the
rep wants no more messages of the token's kind. Refused, counted per reason and storing nothing: a
forged or tampered token (403), one older than ``analytics.token_max_age_days`` (403), one issued
before the rep's unsubscription was recorded (a replay, 409), a body that is not the one-click form
(400) or longer than :data:`MAX_BODY_BYTES` (413), a foreign origin (403). There is no user-agent check
here: mail providers' servers send the one-click POST themselves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from generator.store import notifications as log
from generator.collector.app import CollectorSettings, Refused, count_refusal, read_body, store_unavailable
from generator.store.core import BatchingStore
from generator.notifications.mail import UNSUBSCRIBE_ROUTE
from generator.notifications.messages import KIND_WORDS, KINDS
from generator.notifications.tokens import Unsubscribe, verify_unsubscribe

MAX_BODY_BYTES = 256
"""Largest unsubscribe request body read (the one-click form is 26 bytes)."""
ONE_CLICK = b"List-Unsubscribe=One-Click"


@dataclass
class NotificationService:
    store: BatchingStore
    link_keys: dict[str, bytes]
    """``PARTNERKIT_TOKEN_KEYS``: the keys ``notify`` signs unsubscribe links with."""
    origin: str = ""
    """The collector's own origin (the button's form posts from it)."""
    language: str = "en"


PAGE = {
    "en": ("Unsubscribe", "Stop e-mails about {kind}?", "Unsubscribe", "You will get no more e-mails about {kind}."),
    "ja": ("配信停止", "「{kind}」のお知らせを停止しますか？", "停止する", "「{kind}」のお知らせは今後届きません。"),
}


def html_page(language: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    """A small page the collector answers a link from an e-mail with (``body``: HTML already escaped)."""
    return HTMLResponse(f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
                        f'<meta name="viewport" content="width=device-width"><title>{escape(title)}</title></head>'
                        f"<body><main>{body}</main></body></html>", status_code=status)


def notification_routes(settings: CollectorSettings, service: NotificationService) -> list[Route]:
    store = service.store

    def token_of(request: Request) -> Unsubscribe:
        wanted = verify_unsubscribe(request.query_params.get("t", ""), service.link_keys)
        if wanted is None or wanted.kind not in KINDS:
            raise Refused(403, "forged token")
        now = datetime.fromtimestamp(settings.clock(), timezone.utc)
        if now - wanted.issued > timedelta(days=settings.token_max_age_days):
            raise Refused(403, "expired token")
        return wanted

    def kind_words(kind: str) -> str:
        return KIND_WORDS.get(service.language, KIND_WORDS["en"])[kind]

    def page(body: str, status: int = 200) -> HTMLResponse:
        return html_page(service.language, PAGE.get(service.language, PAGE["en"])[0], body, status)

    async def confirm(request: Request) -> Response:
        try:
            wanted = token_of(request)
        except Refused as refused:
            return await count_refusal(store, refused)
        _, question, button, _ = PAGE.get(service.language, PAGE["en"])
        action = escape(f"{UNSUBSCRIBE_ROUTE}?t={request.query_params['t']}")
        return page(f"<p>{escape(question.format(kind=kind_words(wanted.kind)))}</p><form method=\"post\" action=\"{action}\">"
                    f'<input type="hidden" name="List-Unsubscribe" value="One-Click">'
                    f'<button type="submit">{escape(button)}</button></form>')

    async def unsubscribe(request: Request) -> Response:
        try:
            origin = request.headers.get("origin")
            if origin is not None and origin not in (*settings.origins, service.origin):
                raise Refused(403, "foreign origin")
            body = await read_body(request, MAX_BODY_BYTES)
            if body.strip() != ONE_CLICK:
                raise Refused(400, "not one-click")
            wanted = token_of(request)
        except Refused as refused:
            return await count_refusal(store, refused)
        at = datetime.fromtimestamp(settings.clock(), timezone.utc)

        def record(tx):
            earlier = log.unsubscriptions(tx).get((wanted.rep, wanted.kind))
            if earlier is not None and datetime.fromisoformat(earlier) >= wanted.issued:
                return False
            log.unsubscribe(tx, wanted.partner, wanted.rep, wanted.kind, at.isoformat(timespec="milliseconds"))
            return True

        try:
            recorded = await asyncio.wrap_future(store.run(record))
        except Exception as failure:
            return store_unavailable(failure)
        if not recorded:
            return await count_refusal(store, Refused(409, "replayed token"))
        return page(f"<p>{escape(PAGE.get(service.language, PAGE['en'])[3].format(kind=kind_words(wanted.kind)))}</p>")

    return [Route(UNSUBSCRIBE_ROUTE, confirm, methods=["GET"]), Route(UNSUBSCRIBE_ROUTE, unsubscribe, methods=["POST"])]

