"""The verify page's credential buttons as a holder and a third party see them: offered for a valid
certificate (the download is a credential that verifies, the badge carries it, LinkedIn's form is
filled in), gone for an expired or revoked one, and gone at once after ``partnerkit revoke-certificate``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lxml import etree

from generator.store.exams import CERTIFICATE_COLUMNS
from generator.certification.credentials import BADGE_NAMESPACE, Addresses
from generator.collector.credentials import CredentialService, credential_routes
from generator.commands.credentials import revoke_certificate
from generator.load.config import load_config
from generator.identity import Rep, sign
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.screens import keep_screenshot
from tests.browser.test_beacon import REP_BROWSER
from tests.browser.test_verify import CERTIFICATES, TODAY, verdict, verify_site

BUTTONS = ("Download credential", "Download badge image", "Add to LinkedIn profile")


def claims_of(token: str) -> dict:
    """The credential's claims, its signature checked with PyJWT against the key its ``kid`` names."""
    key = jwt.PyJWK(httpx.get(jwt.get_unverified_header(token)["kid"]).json())
    return jwt.decode(token, key, algorithms=["EdDSA"])


def test_credential_buttons(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    service, settings = verify_site(minimal, site_server, port)
    credentials = CredentialService(service, load_config(minimal), Addresses(f"http://127.0.0.1:{port}"),
                                    {"k1": Ed25519PrivateKey.generate()})
    service.register_credentials(credentials)
    (minimal / "private").mkdir(exist_ok=True)
    database = minimal / "private" / "events.sqlite"
    context = browser.new_context(user_agent=REP_BROWSER, accept_downloads=True)
    page = context.new_page()
    with running_collector(settings, database, port, exams=service, routes=credential_routes(settings, credentials)) as running:
        for row in CERTIFICATES:
            running.store.run(lambda db, row=row: db.execute(
                f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)).result()

        # A third party (no personal link in this browser): the verdict in colour with its mark and
        # issuer, the certificate, none of the holder's buttons and none of the partners' navigation.
        outsider = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1280, "height": 900}).new_page()
        outsider.goto(site_server.url + "verify/?id=valid-1")
        assert verdict(outsider) == "Valid"
        assert outsider.locator(".pk-certificate-verdict").evaluate("node => getComputedStyle(node).color") == "rgb(27, 94, 32)"
        assert outsider.locator(".pk-certificate-verdict").evaluate(
            "node => getComputedStyle(node, '::before').content").startswith('"✓"')
        assert outsider.get_by_text("Issued by ").inner_text().startswith("Issued by ")
        assert outsider.locator(".pk-certificate").is_visible()
        for name in BUTTONS:
            assert outsider.get_by_role("link", name=name).count() == 0, name
        assert outsider.locator(".md-tabs").is_hidden() and outsider.locator(".md-sidebar--primary").is_hidden()
        keep_screenshot(outsider, "verify-valid-outsider-1280")
        outsider.set_viewport_size({"width": 390, "height": 900})
        keep_screenshot(outsider, "verify-valid-outsider-390")
        outsider.context.close()

        holder = sign(Rep("acme", "rep-7", datetime.now(timezone.utc) - timedelta(days=1)), KEYS)
        page.goto(site_server.url + f"verify/?id=valid-1&pk={holder}")
        assert verdict(page) == "Valid"
        assert page.get_by_text("This is your certificate").is_visible()
        for name in BUTTONS:
            assert page.get_by_role("link", name=name).is_visible(), name
        keep_screenshot(page, "verify-valid-holder")

        with page.expect_download() as download:
            page.get_by_role("link", name="Download credential").click()
        assert download.value.suggested_filename == "certificate-valid-1.jwt"
        claims = claims_of(Path(download.value.path()).read_text(encoding="utf-8"))
        assert claims["credentialSubject"]["achievement"]["name"] == "Certified seller (Silver)"
        assert claims["validUntil"].startswith(CERTIFICATES[0][9])

        with page.expect_download() as download:
            page.get_by_role("link", name="Download badge image").click()
        assert download.value.suggested_filename == "certificate-valid-1.svg"
        badge = etree.parse(download.value.path()).getroot()
        assert claims_of(badge.find(f"{{{BADGE_NAMESPACE}}}credential").get("verify"))["id"] == claims["id"]

        linkedin = urlsplit(page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href"))
        form = {name: values[0] for name, values in parse_qs(linkedin.query).items()}
        assert linkedin.netloc == "www.linkedin.com" and form["certId"] == "valid-1"
        assert form["certUrl"] == site_server.url + "verify/?id=valid-1" and form["name"] == "Certified seller (Silver)"

        for ident, shown in (("expired-1", "Expired on"), ("revoked-1", "Revoked on")):
            page.goto(site_server.url + f"verify/?id={ident}")
            assert verdict(page).startswith(shown)
            for name in BUTTONS:
                assert page.get_by_role("link", name=name).count() == 0, (ident, name)

        # The vendor revokes the valid certificate: the page says so on the next look, without the buttons.
        revoke_certificate(minimal, "valid-1", None)
        page.goto(site_server.url + "verify/?id=valid-1")
        assert verdict(page) == f"Revoked on {TODAY.isoformat()}"
        for name in BUTTONS:
            assert page.get_by_role("link", name=name).count() == 0, name
    context.close()


def test_links_from_a_tampered_answer_are_not_offered(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    """Should the collector's answer be tampered with on the way, the page links only to the collector's
    own credential addresses and LinkedIn's form: a script or foreign address gets no button."""
    port = free_port()
    service, settings = verify_site(minimal, site_server, port)
    page = browser.new_context(user_agent=REP_BROWSER).new_page()
    hostile = {"id": "valid-1", "holder": "Aiko Tanaka", "partner": "Acme Resellers", "certification": "Certified seller (Silver)",
               "role": "sales", "level": "silver", "release": "", "issued": "2026-11-01", "expires": "2027-11-01",
               "recertify_by": None, "valid_until": "2027-11-01", "status": "valid", "revoked_on": None,
               "credential_url": "javascript:alert(document.domain)", "badge_url": "https://evil.example/credentials/x",
               "linkedin_url": "https://www.linkedin.com.evil.example/profile/add?x"}
    page.route(f"http://127.0.0.1:{port}/certificates/**",
               lambda route: route.fulfill(json=hostile, headers={"Access-Control-Allow-Origin": "*"}))
    page.goto(site_server.url + "verify/?id=valid-1")
    assert verdict(page) == "Valid"
    assert page.get_by_role("button", name="Print the certificate").is_visible()
    for name in BUTTONS:
        assert page.get_by_role("link", name=name).count() == 0, name
