"""A site without ``versions:`` is a plan of one release: the same input-hash cache as releases, so a
rebuild with nothing changed runs no engine, and a change runs it once."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.build import build
from generator.engine import EngineRun
from generator.reporter import BufferReporter
from tests.conftest import configure


@pytest.fixture
def engine_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The stage folder of every engine run the build makes (the real engine still runs)."""
    runs: list[Path] = []
    real = EngineRun.build

    def counted(self: EngineRun, stage: Path, output: Path) -> None:
        runs.append(stage)
        real(self, stage, output)

    monkeypatch.setattr(EngineRun, "build", counted)
    return runs


def site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_a_rebuild_with_nothing_changed_runs_no_engine(minimal: Path, engine_runs: list[Path]) -> None:
    configure(minimal, analytics={"endpoint": "https://collect.example.com/e"})
    site = minimal / "site"
    assert build(minimal, site) == {}
    assert len(engine_runs) == 1
    first = site_files(site)
    index = (minimal / "private/content-index.json").read_text(encoding="utf-8")
    assert '"module:' in index and '"home:index"' in index

    again = BufferReporter()
    assert build(minimal, site, again) == {}
    assert len(engine_runs) == 1, "a cache hit runs no engine"
    assert again.steps == ["Loading content", "Inputs unchanged: the site built last time is reused",
                           f"{site.resolve()} is up to date"]
    assert site_files(site) == first
    assert (minimal / "private/content-index.json").read_text(encoding="utf-8") == index


def test_a_rebuild_with_nothing_changed_leaves_the_site_folder_as_it_is(minimal: Path, engine_runs: list[Path]) -> None:
    """Nothing changed and the site is the folder the last build laid out: it is not laid out again
    (no new folder, nothing put in the trash). A site removed or put there by someone else is laid
    out again from the cache, still with no engine run."""
    site = minimal / "site"
    build(minimal, site)
    folder = site.stat().st_ino
    build(minimal, site)
    assert site.stat().st_ino == folder
    assert not (minimal / ".partnerkit-cache/releases/.trash").exists()

    import shutil

    copy = minimal / "copy"
    shutil.copytree(site, copy)
    shutil.rmtree(site)
    copy.rename(site)  # the same files, but not the site partnerkit laid out
    (site / "index.html").write_text("replaced by hand", encoding="utf-8")
    again = BufferReporter()
    build(minimal, site, again)
    assert again.steps[-1] == f"Site written to {site.resolve()}"
    assert "replaced by hand" not in (site / "index.html").read_text(encoding="utf-8")

    shutil.rmtree(site)
    build(minimal, site)
    assert (site / "index.html").is_file() and len(engine_runs) == 1


def test_a_content_change_runs_the_engine_once(minimal: Path, engine_runs: list[Path]) -> None:
    site = minimal / "site"
    build(minimal, site)
    module = next((minimal / "content").rglob("*.yml"))
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    reporter = BufferReporter()
    build(minimal, site, reporter)
    assert len(engine_runs) == 2
    assert reporter.steps[0] == "Loading content" and reporter.steps[1].startswith("Building ")
    assert reporter.steps[-1] == f"Site written to {site.resolve()}"
    assert (site / "index.html").is_file() and not (site / "versions.json").exists()
