"""The verification page as a third party uses it: the id form, every state a certificate can be in,
and the printed certificate (one landscape page, rendered to PDF by Chromium)."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pypdf import PdfReader

from generator.collector.app import CollectorSettings
from generator.events import read_content_index
from generator.roster import RosterEntry
from generator.store.exams import CERTIFICATE_COLUMNS
from generator.collector.exams import ExamService
from generator.certification.answer_key_files import read_exam_keys
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_beacon import REP_BROWSER
from tests.browser.test_quiz import EXAM
from tests.conftest import configure
from tests.test_content_errors import write

TODAY = datetime.now(timezone.utc).date()
ROSTER = [
    RosterEntry("acme", "Acme Resellers", "rep-7", "Aiko Tanaka", "aiko@acme.example", "sales", date(2026, 1, 5), None),
    RosterEntry("acme", "Acme Resellers", "rep-9", "Chika Mori", "chika@acme.example", "sales", date(2026, 1, 5), None),
    RosterEntry("acme", "Acme Resellers", "rep-10", "Dan Sato", "dan@acme.example", "sales", date(2026, 1, 5), None),
    RosterEntry("acme", "Acme Resellers", "rep-8", "Ben Ito", "ben@acme.example", "sales", date(2026, 1, 5), TODAY - timedelta(days=3)),
]


def certificate(ident: str, rep: str, issued: date, expires: date, recertify_by: date | None = None, version: str = "") -> tuple:
    return (ident, "acme", rep, "seller-silver", "Certified seller (Silver)", "sales", "silver", version,
            issued.isoformat(), expires.isoformat(), recertify_by.isoformat() if recertify_by else None)


CERTIFICATES = [
    certificate("valid-1", "rep-7", TODAY - timedelta(days=10), TODAY + timedelta(days=355), version="2.4"),
    certificate("recert-1", "rep-9", TODAY - timedelta(days=10), TODAY + timedelta(days=355), TODAY + timedelta(days=30)),
    certificate("expired-1", "rep-10", TODAY - timedelta(days=400), TODAY - timedelta(days=35)),
    certificate("revoked-1", "rep-8", TODAY - timedelta(days=10), TODAY + timedelta(days=355)),
]


def verify_site(minimal: Path, site_server, port: int):
    write(minimal, "content/exam.yml", EXAM)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    service = ExamService(read_exam_keys(minimal), None, ROSTER)  # type: ignore[arg-type]
    return service, CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)


def fields(page) -> dict[str, str]:
    state = page.locator(".pk-certificate-state")
    state.locator("dl").wait_for()
    return dict(zip(state.locator("dt").all_inner_texts(), state.locator("dd").all_inner_texts()))


def verdict(page) -> str:
    page.locator(".pk-certificate-verdict").wait_for()
    return page.locator(".pk-certificate-verdict").inner_text()


def test_every_state_a_third_party_can_see(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    service, settings = verify_site(minimal, site_server, port)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port, exams=service) as running:
        for row in CERTIFICATES:
            running.store.run(lambda db, row=row: db.execute(
                f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)).result()

        # No id: the heading, the form and nothing else.
        page.goto(site_server.url + "verify/")
        assert page.locator("h1").inner_text().startswith("Certificate verification")
        box = page.get_by_label("Certificate id")
        box.wait_for()
        assert box.is_visible() and page.get_by_role("button", name="Verify").is_visible()
        assert page.locator(".pk-certificate-state").inner_text() == ""
        assert "Your certificate" not in page.locator("article").inner_text()

        # Typing the id in the form asks for ?id=.
        box.fill("valid-1")
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url("**/verify/?id=valid-1")
        assert fields(page) == {
            "Holder": "Aiko Tanaka", "Partner company": "Acme Resellers",
            "Certification": "Certified seller (Silver)", "Earned by passing": "the Certified seller (Silver) exam of release 2.4",
            "Issued": (TODAY - timedelta(days=10)).isoformat(), "Valid until": (TODAY + timedelta(days=355)).isoformat(),
        }
        assert verdict(page) == "Valid"
        assert page.get_by_label("Certificate id").input_value() == "valid-1"
        sheet = page.locator(".pk-certificate")
        link = site_server.url + "verify/?id=valid-1"
        assert sheet.is_visible() and page.get_by_role("button", name="Print the certificate").is_visible()
        assert sheet.locator(".pk-certificate-holder").inner_text() == "Aiko Tanaka"
        assert sheet.get_by_role("link", name=link).is_visible()
        assert sheet.get_by_text("Certificate id: valid-1").is_visible()
        qr = sheet.get_by_role("img", name=link)
        assert qr.is_visible() and qr.evaluate("image => image.complete && image.naturalWidth > 0"), "the QR code is drawn"

        page.goto(site_server.url + "verify/?id=recert-1")
        assert verdict(page) == f"Valid: the holder must recertify by {(TODAY + timedelta(days=30)).isoformat()}"
        assert fields(page)["Valid until"] == (TODAY + timedelta(days=30)).isoformat()
        assert fields(page)["Earned by passing"] == "the Certified seller (Silver) exam"
        assert page.locator(".pk-certificate").is_visible()

        page.goto(site_server.url + "verify/?id=expired-1")
        assert verdict(page) == f"Expired on {(TODAY - timedelta(days=35)).isoformat()}"
        assert page.locator(".pk-certificate").count() == 0 and page.get_by_role("button", name="Print the certificate").count() == 0

        page.goto(site_server.url + "verify/?id=revoked-1")
        assert verdict(page) == f"Revoked on {(TODAY - timedelta(days=3)).isoformat()}"
        assert fields(page)["Holder"] == "Ben Ito"
        assert page.locator(".pk-certificate").count() == 0, "a revoked certificate is not offered for printing"

        page.goto(site_server.url + "verify/?id=nope")
        page.locator(".pk-certificate-state", has_text="No certificate").wait_for()
        assert page.locator(".pk-certificate-state").inner_text() == \
            "No certificate has the id nope. Check the id on the certificate and try again."
        assert page.get_by_label("Certificate id").input_value() == "nope"
    context.close()


def test_printed_certificate_is_one_landscape_page(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    service, settings = verify_site(minimal, site_server, port)
    page = browser.new_context(user_agent=REP_BROWSER).new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port, exams=service) as running:
        running.store.run(lambda db: db.execute(
            f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", CERTIFICATES[0])).result()
        page.goto(site_server.url + "verify/?id=valid-1")
        page.locator(".pk-certificate-qr").wait_for()
        page.wait_for_function("document.querySelector('.pk-certificate-qr').complete")
        for paper in ("A4", "Letter"):
            reader = PdfReader(io.BytesIO(page.pdf(format=paper, landscape=True, print_background=True)))
            assert len(reader.pages) == 1, f"{paper}: one page"
            box = reader.pages[0].mediabox
            assert box.width > box.height, "landscape"
            text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # the PDF's ligatures (ﬁ) as letters
            assert "Aiko Tanaka" in text and "Acme Resellers" in text and "Certified seller (Silver)" in text
            assert "valid-1" in text and "Certificate verification" not in text, "the certificate alone, no page heading"
        page.emulate_media(media="print")
        height = page.locator(".pk-certificate").evaluate("node => node.getBoundingClientRect().height")
        assert height >= 0.95 * (21.0 - 2.4) / 2.54 * 96, "the certificate fills the A4 page, no blank bottom sixth"
        keep_pdf = __import__("os").environ.get("PARTNERKIT_SCREENSHOTS")
        if keep_pdf:
            page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
            page.screenshot(path=str(Path(keep_pdf) / "certificate-a4-print.png"), full_page=True)
