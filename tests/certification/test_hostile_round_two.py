"""Hardening, round two (issue 24): a rep who leaves while the collector runs loses their certificate at
once, everywhere: the verification page, the credential and badge downloads, the revocation list."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from generator.identity import Roster
from generator.certification.credentials import Addresses
from generator.collector.app import CollectorSettings
from generator.collector.credentials import CredentialService, credential_routes
from generator.collector.exams import ExamService
from generator.model.answer_keys import exam_key
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, free_port, running_collector
from tests.certification.test_credentials import CONFIG, SIGNING, passed, revoked_in_list, verified
from tests.certification.test_exams import EXAM, Clock

pytestmark = pytest.mark.integration

ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,{left}\n")


def test_a_rep_who_left_loses_a_valid_certificate_while_the_collector_runs(make_store, tmp_path: Path) -> None:
    roster_file = tmp_path / "private/roster.csv"
    roster_file.parent.mkdir()
    roster_file.write_text(ROSTER.format(left=""))
    roster = Roster(tmp_path, roster_file, recheck_seconds=0)
    clock = Clock()
    port = free_port()
    service = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, None, roster, clock)  # type: ignore[arg-type]
    credentials = CredentialService(service, CONFIG, Addresses(f"http://127.0.0.1:{port}"), {"k1": SIGNING})
    service.register_credentials(credentials)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster)
    with running_collector(settings, make_store(), port, exams=service,
                           routes=credential_routes(settings, credentials)) as collector:
        certificate = passed(collector.url)
        download = f"{collector.url}/credentials/{certificate}/credential.jwt"
        status = verified(httpx.get(download).text)["credentialStatus"]
        shown = httpx.get(f"{collector.url}/certificates/{certificate}").json()
        assert (shown["status"], shown["holder"]) == ("valid", "Aiko Tanaka")
        assert not revoked_in_list(status, clock.at)

        roster_file.write_text(ROSTER.format(left=clock.at.date().isoformat()))  # no restart

        shown = httpx.get(f"{collector.url}/certificates/{certificate}").json()
        assert (shown["status"], shown["revoked_on"]) == ("revoked", clock.at.date().isoformat())
        assert "credential_url" not in shown
        assert (httpx.get(download).status_code, httpx.get(download).json()) == (410, {"error": "certificate revoked"})
        assert httpx.get(f"{collector.url}/credentials/{certificate}/badge.svg").status_code == 410
        assert revoked_in_list(status, clock.at)
