"""Exams graded by a real collector (uvicorn on 127.0.0.1), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
import segno

from generator.collector.app import CollectorSettings
from generator.identity import Rep, sign
from generator.roster import RosterEntry
from generator.collector.exams import ExamService
from generator.model.answer_keys import Recertification, element_id, exam_key
from generator.model.content import Quiz
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, running_collector

ISSUED = date.today() - timedelta(days=30)
"""When the test links were made (links expire after 400 days)."""

EXAM = Quiz.model_validate({
    "kind": "quiz", "id": "sales-silver", "title": "Certified seller (Silver)", "mode": "exam", "role": "sales",
    "level": "silver", "pass_mark": 75, "draw": 3, "shuffle_questions": True, "shuffle_choices": True, "attempts": 3,
    "retry_after_hours": 24, "time_limit_minutes": 20,
    "questions": [
        {"id": "lead", "type": "single", "prompt": "Lead with?", "choices": [{"text": "Outcome", "correct": True}, {"text": "Dashboard"}]},
        {"id": "crm", "type": "true-false", "prompt": "Replaces the CRM?", "choices": [{"text": "True"}, {"text": "False", "correct": True}]},
        {"id": "score", "type": "short-text", "prompt": "At-risk score?", "answers": ["60"]},
        {"id": "order", "type": "ordering", "prompt": "Order", "items": ["day 90", "day 60", "day 30"]},
    ],
})
RIGHT = {
    "lead": element_id("sales-silver", "lead", "Outcome"), "crm": element_id("sales-silver", "crm", "False"),
    "score": "６０", "order": [element_id("sales-silver", "order", item) for item in ("day 90", "day 60", "day 30")],
}
WRONG = {"lead": element_id("sales-silver", "lead", "Dashboard"), "crm": element_id("sales-silver", "crm", "True"),
         "score": "50", "order": list(reversed(RIGHT["order"]))}
ROSTER = [RosterEntry("acme", "Acme Resellers", "rep-7", "Aiko Tanaka", "aiko@acme.example", "sales", date(2026, 1, 5), None)]
TOKEN = sign(Rep("acme", "rep-7", ISSUED), KEYS)
OTHER = sign(Rep("acme", "rep-8", ISSUED), KEYS)


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def exams(make_store):
    clock = Clock()
    keys = {("2.4", "sales-silver"): exam_key(EXAM, 365)}
    service = ExamService(keys, None, ROSTER, clock)  # type: ignore[arg-type]
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS), make_store(), exams=service) as running:
        running.clock = clock
        running.service = service
        yield running


def start(url: str, token: str | None = TOKEN, exam: str = "sales-silver", version: str | None = "2.4") -> httpx.Response:
    return httpx.post(f"{url}/exams/{exam}/attempts", json={"version": version, "token": token},
                      headers={"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 Chrome/156"})


def submit(url: str, attempt: str, answers: dict, token: str | None = TOKEN) -> httpx.Response:
    return httpx.post(f"{url}/exams/sales-silver/attempts/{attempt}", json={"token": token, "answers": answers},
                      headers={"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 Chrome/156"})


def answers_for(started: dict, answers: dict) -> dict:
    return {ident: answers[ident] for ident in started["questions"]}


def test_certificate_of_a_rep_who_left_is_revoked_from_that_day(make_store) -> None:
    clock = Clock()
    keys = {("2.4", "sales-silver"): exam_key(EXAM, 365)}
    roster = [ROSTER[0], RosterEntry("acme", "Acme Resellers", "rep-8", "Ben Ito", "ben@acme.example", "sales",
                                     date(2026, 1, 5), date(2026, 12, 1))]
    service = ExamService(keys, None, roster, clock)  # type: ignore[arg-type]
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS), make_store(), exams=service) as running:
        ids = []
        for token in (TOKEN, OTHER):
            drawn = start(running.url, token=token).json()
            ids.append(submit(running.url, drawn["attempt"], answers_for(drawn, RIGHT), token=token).json()["certificate"])

        def status(ident: str) -> tuple[str, str | None]:
            answer = httpx.get(f"{running.url}/certificates/{ident}").json()
            return answer["status"], answer["revoked_on"]

        assert [status(ident) for ident in ids] == [("valid", None), ("valid", None)], "Ben leaves on 1 December"
        clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
        assert [status(ident) for ident in ids] == [("valid", None), ("revoked", "2026-12-01")]
        clock.at = datetime(2028, 1, 1, 9, 0, tzinfo=timezone.utc)
        assert [status(ident) for ident in ids] == [("expired", None), ("revoked", "2026-12-01")]


def test_fail_wait_pass_and_verify(exams) -> None:
    first = start(exams.url)
    assert first.status_code == 200
    drawn = first.json()
    assert len(drawn["questions"]) == 3 and set(drawn["questions"]) <= set(RIGHT)
    assert drawn["deadline"] == "2026-11-22T09:20:00+00:00"
    assert start(exams.url).json()["attempt"] == drawn["attempt"], "reloading the page resumes the open attempt"

    failed = submit(exams.url, drawn["attempt"], answers_for(drawn, WRONG))
    assert failed.status_code == 200
    assert failed.json() == {"score": 0, "passed": False, "pass_mark": 75,
                             "questions": {ident: False for ident in drawn["questions"]}}
    assert submit(exams.url, drawn["attempt"], answers_for(drawn, RIGHT)).json() == {"error": "already graded"}

    too_early = start(exams.url)
    assert (too_early.status_code, too_early.json()) == (429, {"error": "too early", "retry_at": "2026-11-23T09:00:00+00:00"})

    exams.clock.at += timedelta(hours=24)
    second = start(exams.url).json()
    passed = submit(exams.url, second["attempt"], answers_for(second, RIGHT)).json()
    assert (passed["score"], passed["passed"]) == (100, True)
    certificate = passed["certificate"]
    assert len(certificate) >= 24

    verified = httpx.get(f"{exams.url}/certificates/{certificate}")
    assert verified.json() == {
        "id": certificate, "holder": "Aiko Tanaka", "partner": "Acme Resellers", "certification": "Certified seller (Silver)",
        "role": "sales", "level": "silver", "release": "2.4", "issued": "2026-11-23", "expires": "2027-11-23",
        "recertify_by": None, "valid_until": "2027-11-23", "status": "valid", "revoked_on": None,
    }
    assert httpx.get(f"{exams.url}/certificates/not-a-real-id").status_code == 404

    # Asked from the site's verify page: its link to the certificate, and that link as a QR code.
    page = f"{ORIGIN}/2.4/verify/"
    linked = httpx.get(f"{exams.url}/certificates/{certificate}", params={"page": page}).json()
    assert linked["verify_url"] == f"{page}?id={certificate}"
    assert linked["qr"] == segno.make(linked["verify_url"], error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
    assert linked["qr"].startswith("data:image/svg+xml")
    for elsewhere in ("https://evil.example.net/verify/", f"{ORIGIN}/2.4/quizzes/", f"{ORIGIN}/verify/?next=x",
                      f"https://user@{ORIGIN[8:]}/verify/", f"{ORIGIN}/verify/#x", f"{ORIGIN}/{'a' * 500}/verify/"):
        answer = httpx.get(f"{exams.url}/certificates/{certificate}", params={"page": elsewhere}).json()
        assert "qr" not in answer and "verify_url" not in answer, f"no QR code of {elsewhere}"

    exams.clock.at += timedelta(days=200)  # passing again renews the same certificate
    third = start(exams.url).json()
    again = submit(exams.url, third["attempt"], answers_for(third, RIGHT)).json()
    assert again["certificate"] == certificate
    assert httpx.get(f"{exams.url}/certificates/{certificate}").json()["expires"] == "2028-06-10"
    rows = exams.store.query("SELECT score, passed FROM exam_attempts ORDER BY started_at")
    assert rows == [(0, 0), (100, 1), (100, 1)], "every attempt is recorded"


def test_partial_answers_score_their_share(exams) -> None:
    drawn = start(exams.url).json()
    first = drawn["questions"][0]
    verdict = submit(exams.url, drawn["attempt"], {first: RIGHT[first]}).json()
    assert (verdict["score"], verdict["passed"]) == (33, False)
    assert verdict["questions"] == {ident: ident == first for ident in drawn["questions"]}


def test_refusals(exams) -> None:
    assert (start(exams.url, token=None).status_code, start(exams.url, token=None).json()) == (403, {"error": "anonymous"})
    assert start(exams.url, token=TOKEN[:-2] + "xx").json() == {"error": "forged token"}
    assert (start(exams.url, exam="gold").status_code, start(exams.url, exam="gold").json()) == (404, {"error": "unknown exam"})
    assert start(exams.url, version="9.9").json() == {"error": "unknown exam"}
    drawn = start(exams.url).json()
    stolen = submit(exams.url, drawn["attempt"], answers_for(drawn, RIGHT), token=OTHER)
    assert (stolen.status_code, stolen.json()) == (404, {"error": "unknown attempt"})
    headers = {"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 Chrome/156"}
    url = f"{exams.url}/exams/sales-silver/attempts"
    assert httpx.post(url, content=b"{not json", headers=headers).status_code == 400
    assert httpx.post(url, json={"token": TOKEN, "admin": True}, headers=headers).json() == {"error": "invalid request"}
    assert httpx.post(url, content=b"x" * 20000, headers=headers).status_code == 413
    assert httpx.post(url, json={"token": TOKEN}, headers={**headers, "Origin": "https://evil.example.net"}).status_code == 403
    assert exams.store.query("SELECT COUNT(*) FROM certificates") == [(0,)]


def test_time_limit_and_attempts(exams) -> None:
    drawn = start(exams.url).json()
    exams.clock.at += timedelta(minutes=21)
    late = submit(exams.url, drawn["attempt"], answers_for(drawn, RIGHT))
    assert (late.status_code, late.json()) == (410, {"error": "time is up"})
    assert exams.store.query("SELECT score, passed FROM exam_attempts") == [(0, 0)]
    for _ in range(2):
        exams.clock.at += timedelta(hours=25)
        drawn = start(exams.url).json()
        assert submit(exams.url, drawn["attempt"], answers_for(drawn, WRONG)).json()["passed"] is False
    exams.clock.at += timedelta(hours=25)
    refused = start(exams.url)
    assert (refused.status_code, refused.json()) == (409, {"error": "no attempts left"})


def test_an_open_attempt_past_its_deadline_counts_as_failed(exams) -> None:
    start(exams.url)
    exams.clock.at += timedelta(minutes=30)  # the tab was closed; the deadline passed 10 minutes ago
    refused = start(exams.url)
    assert (refused.status_code, refused.json()) == (429, {"error": "too early", "retry_at": "2026-11-23T09:20:00+00:00"})


def test_a_material_exam_change_asks_earlier_holders_to_recertify(exams) -> None:
    drawn = start(exams.url).json()
    certificate = submit(exams.url, drawn["attempt"], answers_for(drawn, RIGHT)).json()["certificate"]
    exams.service.answer_keys[("2.5", "sales-silver")] = exam_key(
        EXAM, 365, Recertification(releases=["2.4"], by=date(2027, 2, 20), changed_percent=50))
    assert exams.service.apply_recertification() == 1
    shown = httpx.get(f"{exams.url}/certificates/{certificate}").json()
    assert (shown["status"], shown["recertify_by"]) == ("recertify", "2027-02-20")
    exams.clock.at = datetime(2027, 2, 21, tzinfo=timezone.utc)
    assert httpx.get(f"{exams.url}/certificates/{certificate}").json()["status"] == "expired"


def test_exam_routes_refuse_what_the_event_route_refuses(make_store, tmp_path) -> None:
    from generator.identity import REVOKED_FILE, Roster

    roster = tmp_path / "roster.csv"
    roster.write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
                      "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n"
                      "acme,Acme Resellers,rep-8,Ben Ode,ben@acme.example,sales,2026-01-05,2026-02-01\n")
    keys = {("2.4", "sales-silver"): exam_key(EXAM, 365)}
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=Roster(tmp_path, roster, recheck_seconds=0))
    with running_collector(settings, make_store(), exams=ExamService(keys, None, ROSTER)) as running:  # type: ignore[arg-type]
        url = f"{running.url}/exams/sales-silver/attempts"
        headers = {"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 Chrome/156"}
        for body in (b"[" * 8000 + b"]" * 8000, b'{"token": ' + b"[" * 20 + b"]" * 20 + b"}"):
            for target in (url, url + "/some-attempt"):
                deep = httpx.post(target, content=body, headers=headers)
                assert (deep.status_code, deep.json()) == (400, {"error": "too deep"})
        stranger = sign(Rep("acme", "rep-9", datetime.now(timezone.utc)), KEYS)
        cases = [(OTHER, "left roster"), (stranger, "not on roster"),
                 (sign(Rep("acme", "rep-7", date(2019, 5, 1)), KEYS), "expired token")]
        for token, reason in cases:
            refused = start(running.url, token=token)
            assert (refused.status_code, refused.json()) == (403, {"error": reason})
        drawn = start(running.url).json()
        (tmp_path / REVOKED_FILE).parent.mkdir(exist_ok=True)
        (tmp_path / REVOKED_FILE).write_text(f"rep_id,revoked_at\nrep-7,{datetime.now(timezone.utc).isoformat()}\n")
        revoked = submit(running.url, drawn["attempt"], answers_for(drawn, RIGHT))
        assert (revoked.status_code, revoked.json()) == (403, {"error": "revoked token"})
        assert running.store.query("SELECT COUNT(*), COUNT(submitted_at) FROM exam_attempts") == [(1, 0)]
        assert running.rejected() == {"too deep": 4, "left roster": 1, "not on roster": 1, "expired token": 1, "revoked token": 1}
