"""Shared fixtures: copies of fixture projects and helpers to read their errors."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import os

import pytest

from generator.errors import ContentErrors
from generator.load.content import load_project

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).parent.parent


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A writable copy of the minimal fixture project (every content kind, all valid)."""
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


UNDER_SCRIPTS_TEST = bool(os.environ.get("PARTNERKIT_TEST_SETUP") or os.environ.get("CI"))
"""scripts/test (and CI) set up every tool first: there a missing tool fails its test instead of skipping it."""


def require_tool(present: bool, what: str, step: str) -> None:
    """Skip the calling test when ``what`` is missing and the tests were run outside scripts/test; fail it
    under scripts/test and CI, where setup should have installed it. ``step`` names the setup step that does."""
    if present:
        return
    message = f"{what} is missing: scripts/setup installs it ({step})"
    if UNDER_SCRIPTS_TEST:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


TIERS = ("unit", "integration", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test belongs to a tier. One that drives Chromium is ``browser``; one on PostgreSQL is
    ``integration``; otherwise its module's ``pytestmark`` says, and a module that says nothing is ``integration``
    (so the fast ``unit`` tier holds only what was declared fast)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if {"page", "browser"} & set(item.fixturenames):
            inferred = "browser"
        elif "postgres_server" in item.fixturenames or (callspec and "postgresql" in callspec.id.split("-")):
            inferred = "integration"
        else:
            inferred = None
        if inferred and item.get_closest_marker("unit"):  # the fast tier would run it: the test fails, saying why
            message = f"marked unit but needs {'Chromium' if inferred == 'browser' else 'PostgreSQL'}: mark its module {inferred}"
            item.runtest = lambda message=message: pytest.fail(message, pytrace=False)
        if inferred:
            item.add_marker(inferred)
        elif not any(item.get_closest_marker(name) for name in TIERS):
            item.add_marker("integration")


def run_async(coroutine):
    """``asyncio.run(coroutine)`` in a thread of its own: once a browser test ran in this process (pytest-xdist
    puts many files in one), Playwright's sync API keeps an event loop running in the main thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def content_errors(root: Path) -> list[str]:
    """The formatted errors loading ``root`` raises (fails if it loads cleanly)."""
    with pytest.raises(ContentErrors) as caught:
        load_project(root)
    return [str(error) for error in caught.value.errors]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def serve_folder(folder: Path):
    """Serve ``folder`` over HTTP on 127.0.0.1 in a background thread; returns (base URL, server)."""
    import functools
    import http.server
    import threading

    class StaticHostHandler(http.server.SimpleHTTPRequestHandler):
        """Serves files as static hosts do, byte ranges included (browsers need them to seek media)."""

        def log_message(self, *args) -> None:
            pass

        def send_head(self):
            requested = self.headers.get("Range", "")
            path = Path(self.translate_path(self.path))
            if not requested.startswith("bytes=") or not path.is_file():
                return super().send_head()
            size = path.stat().st_size
            first, _, last = requested[len("bytes="):].partition("-")
            start = int(first) if first else max(size - int(last), 0)
            end = min(int(last), size - 1) if first and last else size - 1
            if start >= size:
                self.send_error(416)
                return None
            stream = path.open("rb")
            stream.seek(start)
            self.send_response(206)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self._range_left = end - start + 1
            return stream

        def copyfile(self, source, outputfile) -> None:
            left = getattr(self, "_range_left", None)
            if left is None:
                return super().copyfile(source, outputfile)
            while left > 0:
                block = source.read(min(left, 64 * 1024))
                if not block:
                    break
                outputfile.write(block)
                left -= len(block)
            self._range_left = None

    handler = functools.partial(StaticHostHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@dataclass
class SiteServer:
    """A static HTTP server on 127.0.0.1 over ``folder`` (which may be built after it starts)."""

    url: str
    folder: Path


@pytest.fixture
def site_server(tmp_path: Path):
    """Serves ``tmp_path/served``; build into ``site_server.folder`` with ``site_url = site_server.url``
    (Material's instant navigation only works where site_url says the site lives)."""
    folder = tmp_path / "served"
    folder.mkdir()
    url, server = serve_folder(folder)
    yield SiteServer(url, folder)
    server.shutdown()
    server.server_close()


def configure(root: Path, **settings) -> None:
    """Change top-level keys of a project's site_config.yml."""
    import yaml

    path = root / "site_config.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(settings)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
