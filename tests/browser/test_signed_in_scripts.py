"""The learner record's script reaches a signed-in rep's browser only, once per window however many
pages instant navigation brings; an anonymous reader's browser never asks for it."""

from __future__ import annotations

import pytest

from tests.browser.test_learning_record import link, serve, site  # noqa: F401 (site: the fixture)
from tests.browser.test_beacon import REP_BROWSER

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_learner_record_is_loaded_for_a_signed_in_rep_only(site, browser, signed_in: bool) -> None:  # noqa: F811
    minimal, site_server, port = site
    base = site_server.url
    with serve(minimal, site_server, port):
        context = browser.new_context(user_agent=REP_BROWSER)
        page = context.new_page()
        requests: list[str] = []
        failures: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: failures.append(str(error)))
        page.goto(base + (f"?pk={link('rep-7')}" if signed_in else ""))
        page.evaluate("window.__samePageLoad = true")
        page.locator("article a", has_text="Product basics").first.click()
        page.wait_for_url(base + "modules/product-basics/")
        page.wait_for_function("document.querySelector('.pk-done button[aria-pressed]') !== null")  # progress.js set it up
        page.get_by_role("button", name="Mark as done").click()
        assert page.get_by_role("button", name="Done ✓").is_visible()
        assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
        learning = [url for url in requests if url.endswith("/assets/partnerkit/learning.js")]
        assert len(learning) == (1 if signed_in else 0)
        if signed_in:
            page.wait_for_function("(() => { const p = JSON.parse(localStorage.getItem('partnerkit:pending') || 'null');"
                                   " return p && Object.keys(p.modules).length === 0; })()")  # sent to the collector
        else:
            assert page.evaluate("localStorage.getItem('partnerkit:pending')") is None, "nothing queued for anyone"
        assert failures == []
        context.close()
