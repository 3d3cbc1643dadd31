"""Which messages are due on a day: pure functions from the roster, certificates, tiers, activity and
worklist steps to :class:`Message` values (kind, subject key, recipient, period, template, context).

Each message kind is one function in :data:`KINDS` taking the day's :class:`Inputs` and returning its
messages; a new kind is one more function and one template. Recipients come only from the roster
(reps and managers who are current, not revoked, with an address) and from
``notifications.vendor_contacts``; a partner's manager only ever hears about their own partner, and a
rep only of the worklist steps on the accounts My accounts shows them (the same rule:
:func:`generator.store.worklists.rep_sees`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from generator.roster import RosterEntry
from generator.store import worklists as records
from generator.report.compliance import compliance
from generator.report.tables import bands, next_tier_needs, quadrants, rep_activity, QUADRANTS
from generator.store.views import DailyTotal
from generator.store.notifications import LogKey
from generator.report.signals import Signal
from generator.store.signals import HelpRequest
from generator.certification.certificates import Certificate
from generator.certification.tiers import TierOutlook, expiry_reminders, tiers_now_and_at_risk
from generator.model.config import Release, SiteConfig
from generator.model.urls import Urls
from generator.model.versions import Releases

TIER_HORIZON_DAYS = 90
"""How far ahead a tier counts as at risk (as in the report)."""


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: a person on the roster (``rep`` set) or one of the vendor's contacts."""

    name: str
    email: str
    partner: str = ""
    rep: str = ""

    @property
    def key(self) -> str:
        """How the sent log names them: the rep id, or ``vendor:<address>``."""
        return self.rep or f"vendor:{self.email.lower()}"


@dataclass(frozen=True)
class Message:
    kind: str
    """One of :data:`KINDS` (what a recipient unsubscribes from)."""
    subject_key: str
    """What it is about: a certificate id, a release, a partner id, ``all``."""
    recipient: Recipient
    period: str
    """When it is due: a reminder bucket, an ISO week, ``release``: the same message is sent once per period."""
    template: str
    """Template name under ``notify/`` (without ``.j2``)."""
    context: dict[str, Any] = field(hash=False, compare=False)
    """What the template prints: names and words, never ids."""

    @property
    def key(self) -> LogKey:
        return LogKey(self.kind, self.subject_key, self.recipient.key, self.period)


@dataclass(frozen=True)
class Inputs:
    """Everything the message kinds read, as of ``today``."""

    today: date
    config: SiteConfig
    roster: Sequence[RosterEntry]
    """The whole roster (tiers count reps who left until the day they left)."""
    reachable: Sequence[RosterEntry]
    """People who may be written to: on the roster, not left, not revoked, with an address."""
    certificates: Sequence[Certificate]
    daily: Sequence[DailyTotal]
    """Daily totals (views per rep and page) from the activity window and the current month."""
    sales: dict[tuple[str, str], float]
    links: dict[str, str]
    """Personal link per reachable rep id (the site's address with their token)."""
    steps_due: Sequence[tuple[records.CaseRow, records.StepRow]] = ()
    """Open cases' partner and shared steps due this ISO week and not ticked (``store_worklists.steps_due``)."""
    worklist_steps: Sequence[tuple[records.CaseRow, records.StepRow]] = ()
    """Every case's every step (``store_worklists.all_steps``): the compliance figures."""
    procedures: dict[str, str] = field(default_factory=dict)
    """Procedure titles by id."""
    owners: dict[str, str] = field(default_factory=dict)
    """Step owner labels by owner (``vendor`` → the vendor's name), as the worklists show them."""
    signals: Sequence[Signal] = ()
    """Deal signals raised for the day before ``today`` (``generator.commands.signals``)."""
    help_requests: Sequence[tuple[HelpRequest, str]] = ()
    """Requests for help asked the day before ``today``, each with the signed link that marks it answered."""
    page_titles: dict[str, str] = field(default_factory=dict)
    """Page titles by content id (the content index's)."""

    @property
    def week_days(self) -> tuple[date, date]:
        """The Monday and the Sunday of ``today``'s ISO week."""
        monday = self.today - timedelta(days=self.today.weekday())
        return monday, monday + timedelta(days=6)

    @property
    def last_month(self) -> date:
        """The first day of the last complete month."""
        return (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)

    @property
    def week(self) -> str:
        year, week, _ = self.today.isocalendar()
        return f"{year}-W{week:02d}"

    def managers(self, partner: str) -> list[RosterEntry]:
        role = self.config.notifications.manager_role
        return [entry for entry in self.reachable if entry.partner_id == partner and entry.role == role]

    def outlooks(self) -> list[TierOutlook]:
        return tiers_now_and_at_risk(self.certificates, self.roster, self.config.certification, self.today, TIER_HORIZON_DAYS)

    def names(self) -> dict[tuple[str, str], str]:
        return {(entry.partner_id, entry.rep_id): entry.name for entry in self.roster}

    def partner_names(self) -> dict[str, str]:
        return {entry.partner_id: entry.partner_name or entry.partner_id for entry in self.roster}


def _person(entry: RosterEntry) -> Recipient:
    return Recipient(entry.name, entry.email, entry.partner_id, entry.rep_id)


def current_release(config: SiteConfig) -> Release | None:
    """The release the site's root leads to, or None on an unversioned site (:class:`Releases`)."""
    return Releases.of(config).default


def site_page(config: SiteConfig, page: str, link: str | None = None) -> str:
    """The address of ``page`` (e.g. ``quizzes/sales-exam/``) in the release the site's root leads to,
    with the rep's token when ``link`` (their personal link) is given (:class:`Urls`)."""
    return Urls.of(config).page(page, link=link)


def certificate_expiry(inputs: Inputs) -> list[Message]:
    """To a rep: a certificate's last valid day is within 90/60/30 days (``reminder_days``), or a later
    release asks them to recertify by a date: once per reminder bucket and expiry."""
    people = {(entry.partner_id, entry.rep_id): entry for entry in inputs.reachable}
    messages = []
    for reminder in expiry_reminders(inputs.certificates, inputs.roster, inputs.config.certification, inputs.today):
        c = reminder.certificate
        entry = people.get((c.partner, c.rep))
        if entry is None:
            continue
        messages.append(Message(
            "certificate-expiry", c.id, _person(entry), f"{c.valid_until.isoformat()}/{reminder.bucket}", "certificate_expiry",
            {"name": entry.name, "title": c.title, "level": c.level, "valid_until": c.valid_until,
             "days_left": reminder.days_left, "recertification": reminder.kind == "recertification",
             "exam_link": site_page(inputs.config, f"quizzes/{c.exam}/", inputs.links.get(entry.rep_id)),
             "personal_link": inputs.links.get(entry.rep_id, "")}))
    return messages


def whats_new(inputs: Inputs) -> list[Message]:
    """To a rep who opened a page within ``activity_days``: the current release's what's new, once per
    release (a release whose ``released`` day is older than the window is not news any more)."""
    release = current_release(inputs.config)
    window = inputs.config.notifications.activity_days
    if release is None or (release.released and not 0 <= (inputs.today - release.released).days <= window):
        return []
    since = (inputs.today - timedelta(days=window)).isoformat()
    active = {(t.partner, t.rep) for t in inputs.daily if t.rep and t.views > 0 and since <= t.day <= inputs.today.isoformat()}
    return [Message("whats-new", release.version, _person(entry), "release", "whats_new",
                    {"name": entry.name, "release": release.title or release.version,
                     "link": site_page(inputs.config, "whats-new/", inputs.links.get(entry.rep_id)),
                     "personal_link": inputs.links.get(entry.rep_id, "")})
            for entry in inputs.reachable if (entry.partner_id, entry.rep_id) in active]


def _causes(outlook: TierOutlook, names: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    return [{"name": names.get((c.partner, c.rep), ""), "title": c.title, "level": c.level, "valid_until": c.valid_until}
            for c in outlook.causes]


def partner_tier(inputs: Inputs) -> list[Message]:
    """To a partner's managers, weekly while their tier is at risk within 90 days: the tier now, the day
    it drops and to what, the certificates that cause it (renewing them restores it), and what the next
    tier up needs."""
    names, messages = inputs.names(), []
    for outlook in inputs.outlooks():
        if outlook.drops_on is None:
            continue
        target, needs = next_tier_needs(inputs.certificates, inputs.roster, inputs.config.certification,
                                        outlook.partner, outlook.now, inputs.today)
        context = {"partner": outlook.partner_name, "tier": outlook.now.name if outlook.now else "",
                   "drops_on": outlook.drops_on, "drops_to": outlook.drops_to.name if outlook.drops_to else "",
                   "causes": _causes(outlook, names), "next_tier": target.name if target else "",
                   "needs": [need for need in needs if need["missing"]], "roles": _role_names(inputs.config)}
        for manager in inputs.managers(outlook.partner):
            messages.append(Message("partner-tier", outlook.partner, _person(manager), inputs.week, "partner_tier",
                                    {**context, "name": manager.name}))
    return messages


def partner_certificates(inputs: Inputs) -> list[Message]:
    """To a partner's managers, weekly: their reps' certificates whose last valid day is within the
    reminder window (names, exams, days)."""
    by_partner = defaultdict(list)
    for reminder in expiry_reminders(inputs.certificates, inputs.roster, inputs.config.certification, inputs.today):
        by_partner[reminder.certificate.partner].append(reminder)
    messages = []
    for partner, reminders in sorted(by_partner.items()):
        rows = [{"name": r.holder, "title": r.certificate.title, "level": r.certificate.level, "days_left": r.days_left,
                 "valid_until": r.certificate.valid_until, "recertification": r.kind == "recertification"} for r in reminders]
        for manager in inputs.managers(partner):
            messages.append(Message("partner-certificates", partner, _person(manager), inputs.week, "partner_certificates",
                                    {"name": manager.name, "partner": reminders[0].partner_name or partner, "certificates": rows}))
    return messages


def _role_names(config: SiteConfig) -> dict[str, str]:
    return {role.id: role.name for role in config.roles}


def _contacts(inputs: Inputs) -> list[Recipient]:
    return [Recipient(contact.name, contact.email) for contact in inputs.config.notifications.vendor_contacts]


def key_people(inputs: Inputs) -> list[Message]:
    """To the vendor's partner-success managers, weekly: per partner, the reps who read much and have no
    results yet (key person 2: call them first), as the report splits them, with the share of the
    partner's reps who were active. The month is that of the week just past (``today`` minus 7 days):
    the previous month in a month's first week, so the list never rests on a few days."""
    month = (inputs.today - timedelta(days=7)).strftime("%Y-%m")
    _, _, placed = quadrants(rep_activity(list(inputs.daily), list(inputs.roster), inputs.sales, month))
    split = bands(placed)
    partner_names = inputs.partner_names()
    partners = []
    for partner in sorted({rep.partner for rep in placed}):
        motivated = sorted((rep for rep in placed if rep.partner == partner and rep.quadrant == QUADRANTS[1]),
                           key=lambda rep: (-rep.views, rep.name))
        if motivated:
            partners.append({"partner": partner_names.get(partner, partner),
                             "active_share": split.get(partner, {}).get("active_share", 0.0),
                             "reps": [{"name": rep.name, "views": rep.views, "minutes": rep.engaged_minutes} for rep in motivated]})
    if not partners:
        return []
    return [Message("key-people", "all", contact, inputs.week, "key_people",
                    {"name": contact.name, "month": month, "partners": partners}) for contact in _contacts(inputs)]


def tiers_at_risk(inputs: Inputs) -> list[Message]:
    """To the vendor's partner-success managers, weekly: partners whose tier drops within 90 days."""
    names = inputs.names()
    partners = [{"partner": o.partner_name or o.partner, "tier": o.now.name if o.now else "", "drops_on": o.drops_on,
                 "drops_to": o.drops_to.name if o.drops_to else "", "causes": _causes(o, names)}
                for o in inputs.outlooks() if o.drops_on is not None]
    if not partners:
        return []
    return [Message("tiers-at-risk", "all", contact, inputs.week, "tiers_at_risk", {"name": contact.name, "partners": partners})
            for contact in _contacts(inputs)]


def steps_due(inputs: Inputs) -> list[Message]:
    """To a rep, once per ISO week: the worklist steps due this week (Monday to Sunday) on their
    partner's open cases that they may tick and nobody ticked yet, only on the accounts My accounts
    shows them (``customers.own_accounts_only``: theirs and those no one owns)."""
    monday, sunday = inputs.week_days
    own_only = inputs.config.customers.own_accounts_only
    messages = []
    for entry in inputs.reachable:
        rows = [{"customer": case.customer_name, "action": step.action, "due": date.fromisoformat(step.due),
                 "owner": inputs.owners.get(step.owner, step.owner),
                 "procedure": inputs.procedures.get(case.procedure, case.procedure)}
                for case, step in inputs.steps_due
                if step.due and records.rep_sees(case, entry.partner_id, entry.rep_id, own_only)
                and records.may_tick(step.owner, False)]
        if rows:
            messages.append(Message("steps-due", "accounts", _person(entry), inputs.week, "steps_due",
                                    {"name": entry.name, "steps": rows, "monday": monday, "sunday": sunday,
                                     "link": site_page(inputs.config, "accounts/", inputs.links.get(entry.rep_id)),
                                     "personal_link": inputs.links.get(entry.rep_id, "")}))
    return messages


def _percent(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


def _compliance_below(inputs: Inputs) -> list[dict[str, Any]]:
    """Partners whose on-time rate for the last complete month is below ``compliance_below``, with the
    rate the month before and the procedures with steps still open past their due day."""
    if not inputs.worklist_steps:
        return []
    month = inputs.last_month.strftime("%Y-%m")
    figures = compliance(list(inputs.worklist_steps), month, inputs.today, {}, months_back=2, titles=inputs.procedures)
    threshold = inputs.config.notifications.compliance_below
    partner_names = inputs.partner_names()
    below = []
    for partner, tally in sorted(figures.by_partner.items()):
        rate = tally.on_time_rate
        if rate is None or rate * 100 >= threshold:
            continue
        previous = figures.trend.get(partner, {}).get(figures.months[0])
        overdue = [{"procedure": figures.titles.get(procedure, procedure), "due": t.due, "on_time": t.on_time,
                    "late": t.late, "open_overdue": t.open_overdue}
                   for (owner, procedure), t in sorted(figures.by_procedure.items()) if owner == partner and t.open_overdue]
        below.append({"id": partner, "partner": partner_names.get(partner, partner), "percent": _percent(rate),
                      "previous": _percent(previous), "due": tally.due, "on_time": tally.on_time,
                      "dropped": previous is None or previous * 100 >= threshold, "procedures": overdue})
    return below


def partner_compliance(inputs: Inputs) -> list[Message]:
    """To a partner's managers, weekly while the partner's on-time rate for the last complete month is
    below ``notifications.compliance_below``: the rate, the threshold and the procedures with overdue steps."""
    messages = []
    for partner in _compliance_below(inputs):
        context = {key: value for key, value in partner.items() if key != "id"}
        for manager in inputs.managers(partner["id"]):
            messages.append(Message("partner-compliance", partner["id"], _person(manager), inputs.week, "partner_compliance",
                                    {**context, "name": manager.name, "month": inputs.last_month,
                                     "threshold": _percent(inputs.config.notifications.compliance_below / 100)}))
    return messages


def compliance_dropped(inputs: Inputs) -> list[Message]:
    """To the vendor's partner-success managers, weekly: partners whose on-time rate for the last
    complete month fell below ``notifications.compliance_below`` (the month before it was not below)."""
    partners = [{key: value for key, value in partner.items() if key != "id"}
                for partner in _compliance_below(inputs) if partner["dropped"]]
    if not partners:
        return []
    return [Message("compliance-dropped", "all", contact, inputs.week, "compliance_dropped",
                    {"name": contact.name, "partners": partners, "month": inputs.last_month,
                     "threshold": _percent(inputs.config.notifications.compliance_below / 100)})
            for contact in _contacts(inputs)]


SIGNAL_ACTIONS = {
    "en": {"burst": "Call the rep today and offer help with the deal: a joint call or a look at their proposal.",
           "return": "Offer a pricing review: they are back at pricing after a pause.",
           "no-sales": "Offer to review their proposal: a first sale this quarter may be close."},
    "ja": {"burst": "今日中に担当者へ連絡し、商談の支援（同行や提案内容の確認）を申し出てください。",
           "return": "価格の見直しの相談を申し出てください。しばらくぶりに価格を確認しています。",
           "no-sales": "提案書の確認を申し出てください。今期初めての受注が近いかもしれません。"},
}
"""The suggested action of each kind of signal rule, per language, unless the rule gives its own."""


def _signal_partners(inputs: Inputs, signals: Sequence[Signal]) -> list[dict[str, Any]]:
    """Signals grouped by partner (names, what was read and when, the rule's suggested action)."""
    rules = {rule.id: rule for rule in inputs.config.signals}
    actions = SIGNAL_ACTIONS.get(inputs.config.language, SIGNAL_ACTIONS["en"])
    names, partner_names = inputs.names(), inputs.partner_names()
    by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for signal in signals:
        rule = rules.get(signal.rule)
        if rule is None:
            continue
        by_partner[signal.partner].append({
            "rep": names.get((signal.partner, signal.rep), signal.rep), "rule": rule.id, "when": rule.when,
            "read": [{"title": item.title, "day": date.fromisoformat(item.day)} for item in signal.read],
            "away_since": date.fromisoformat(signal.away_since) if signal.away_since else None,
            "action": rule.action or actions[rule.when]})
    asked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for request, link in inputs.help_requests:
        asked[request.partner].append({"rep": names.get((request.partner, request.rep), request.rep),
                                       "page": inputs.page_titles.get(request.content, request.content),
                                       "text": request.text, "answer_link": link})
    return [{"id": partner, "partner": partner_names.get(partner, partner), "signals": by_partner.get(partner, []),
             "help": asked.get(partner, [])} for partner in sorted({*by_partner, *asked})]


def deal_signals(inputs: Inputs) -> list[Message]:
    """To each vendor contact (those of the partner when ``partners`` is given), once a day: the reps
    whose reading yesterday raised a deal signal, what they read and when, and what to do; with
    ``notifications.deal_signals_to_managers``, to each partner's managers too, about their own reps."""
    partners = _signal_partners(inputs, inputs.signals)
    if not partners:
        return []
    day = inputs.today - timedelta(days=1)
    period = inputs.today.isoformat()
    messages = []
    for contact in inputs.config.notifications.vendor_contacts:
        mine = [partner for partner in partners if not contact.partners or partner["id"] in contact.partners]
        if mine:
            messages.append(Message("deal-signals", "all", Recipient(contact.name, contact.email), period, "deal_signals",
                                    {"name": contact.name, "read_on": day, "partners": mine,
                                     "count": sum(len(partner["signals"]) + len(partner["help"]) for partner in mine)}))
    if inputs.config.notifications.deal_signals_to_managers:
        for partner in partners:
            for manager in inputs.managers(partner["id"]):
                messages.append(Message("deal-signals", partner["id"], _person(manager), period, "deal_signals",
                                        {"name": manager.name, "read_on": day, "partners": [partner],
                                         "count": len(partner["signals"]) + len(partner["help"])}))
    return messages


KINDS: dict[str, Callable[[Inputs], list[Message]]] = {
    "certificate-expiry": certificate_expiry,
    "whats-new": whats_new,
    "partner-tier": partner_tier,
    "partner-certificates": partner_certificates,
    "key-people": key_people,
    "tiers-at-risk": tiers_at_risk,
    "steps-due": steps_due,
    "partner-compliance": partner_compliance,
    "compliance-dropped": compliance_dropped,
    "deal-signals": deal_signals,
}
"""Every message kind, in the order messages are sent: the kind's name (in the sent log, in
unsubscribe links) and the function that says which of its messages are due."""


KIND_WORDS = {
    "en": {"certificate-expiry": "certificate reminders", "whats-new": "what's new in each release",
           "partner-tier": "your partner's tier at risk", "partner-certificates": "your people's certificates ending",
           "key-people": "key people to call", "tiers-at-risk": "partner tiers at risk",
           "steps-due": "worklist steps due this week", "partner-compliance": "your partner's procedures behind schedule",
           "compliance-dropped": "partners whose compliance dropped", "deal-signals": "deal signals from your reps' reading"},
    "ja": {"certificate-expiry": "認定の期限のお知らせ", "whats-new": "リリースごとの新機能", "partner-tier": "パートナー認定の維持",
           "partner-certificates": "担当者の認定の期限", "key-people": "支援すべきキーパーソン", "tiers-at-risk": "認定が下がる見込みのパートナー",
           "steps-due": "今週期限のワークリストの手順", "partner-compliance": "手順の期限内実施率の低下",
           "compliance-dropped": "実施率が下がったパートナー", "deal-signals": "担当者の閲覧からわかる商談の兆し"},
}
"""What each kind is called where people read it (the unsubscribe page)."""


def due_messages(inputs: Inputs) -> list[Message]:
    """Every message due on ``inputs.today``, kind by kind (before the sent log and unsubscriptions)."""
    return [message for build in KINDS.values() for message in build(inputs)]
