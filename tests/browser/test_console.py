"""The example as a newcomer first sees it: ``partnerkit build``, the folder opened from a local web
server. Its ``analytics.endpoint`` is a fictional host the page cannot reach: no page may log an
error or try to reach it (the beacon stays silent off the collector's origins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.example_pages import PAGE_TYPES as EXAMPLE_PAGES, served_example

PAGE_TYPES = {
    **EXAMPLE_PAGES,
    "verify with an id": "verify/?id=c0ffee",
    "not found": "404.html",
}


@pytest.fixture(scope="module")
def plain_example(tmp_path_factory):
    with served_example(tmp_path_factory.mktemp("plain")) as url:
        yield url


def _preload_stopped(request) -> bool:
    """The player's ``preload="metadata"``: Chromium reads the recording's first bytes, then cancels."""
    return request.resource_type == "media" and request.failure == "net::ERR_ABORTED"


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_no_page_logs_an_error_or_calls_the_unreachable_collector(plain_example: str, page, page_type: str) -> None:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: None if _preload_stopped(request) else problems.append(f"failed: {request.url} {request.failure}"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(plain_example + PAGE_TYPES[page_type])
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # a leave event would be sent here
    page.wait_for_timeout(300)
    assert problems == []
    assert [url for url in requested if not url.startswith(plain_example)] == []
