"""CI builds the example with each engine partnerkit supports (all three are in the ``test`` extra): the
one ``engine:`` key switches it, and each writes the same pages with partnerkit's metadata and assets."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from generator.model.config import Engine
from tests.cli.conftest import copy_example, partnerkit
from tests.conftest import configure


def test_every_engine_is_tested() -> None:
    assert get_args(Engine) == ("mkdocs", "properdocs", "zensical")


@pytest.mark.parametrize("engine", get_args(Engine))
def test_the_example_builds_with(engine: str, tmp_path: Path) -> None:
    project = copy_example(tmp_path / "ostrova")
    configure(project, engine=engine)
    built = partnerkit("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert f"with {engine}" in built.stdout + built.stderr
    site = project / "site"
    module = (site / "modules/pricing-roi/index.html").read_text(encoding="utf-8")
    assert '<meta name="partnerkit:content-id" content="module:pricing-roi">' in module
    assert "assets/partnerkit/progress.js" in module
    assert "assets/partnerkit/beacon.js" in module
    assert (site / "assets/partnerkit/quiz.js").is_file() and (site / "talks/partner-kickoff-2026-11/index.html").is_file()


def test_a_zensical_build_fails_on_a_broken_link_and_keeps_the_previous_site(minimal: Path) -> None:
    from generator.commands.build import build
    from generator.engine import EngineError
    from tests.test_build import _break_a_link

    configure(minimal, engine="zensical")
    build(minimal, minimal / "site")
    before = {path.relative_to(minimal).as_posix(): path.read_bytes() for path in (minimal / "site").rglob("*") if path.is_file()}
    _break_a_link(minimal)
    with pytest.raises(EngineError) as caught:
        build(minimal, minimal / "site")
    message = str(caught.value)
    assert message == "zensical build failed:\nWarning: campaigns/release-sprint.md:7:24: page does not exist"
    assert "\x1b[" not in message
    after = {path.relative_to(minimal).as_posix(): path.read_bytes() for path in (minimal / "site").rglob("*") if path.is_file()}
    assert after == before
    assert sorted(path.name for path in minimal.iterdir()) == [".partnerkit-cache", "content", "my-templates", "site", "site_config.yml"]


def test_serve_previews_a_zensical_site_with_mkdocs(minimal: Path) -> None:
    from generator.commands.serve import refresh_stage
    from generator.engine import preview_engine

    configure(minimal, engine="zensical")
    config = refresh_stage(minimal, minimal / ".partnerkit-cache/serve")
    assert config.engine == "zensical" and preview_engine(config.engine) == "mkdocs"
