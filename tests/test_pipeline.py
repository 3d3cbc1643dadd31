"""One pipeline (``generator.pipeline``) for check, serve and the demo: the settings read once and handed
on, the same pages whichever command renders. ``partnerkit build``'s side is in ``test_releases_build.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator.load.config
from generator.commands.check import check
from generator.commands.demo import prepare_demo
from generator.commands.serve import refresh_stage
from generator.errors import ContentErrors
from generator.pipeline import render_project
from tests.conftest import content_errors

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parent.parent / "generator"


@pytest.fixture
def config_reads(monkeypatch) -> list[Path]:
    """Every ``site_config.yml`` read from now on (each read goes through ``load.config.read_project_text``)."""
    reads: list[Path] = []
    read = generator.load.config.read_project_text

    def counted(path: Path, root: Path):
        reads.append(path)
        return read(path, root)

    monkeypatch.setattr(generator.load.config, "read_project_text", counted)
    return reads


def test_check_reads_the_settings_once(minimal: Path, config_reads: list[Path]) -> None:
    check(minimal)
    assert config_reads == [minimal / "site_config.yml"]


def test_the_preview_reads_the_settings_once_per_render(minimal: Path, config_reads: list[Path]) -> None:
    stage = minimal / ".partnerkit-cache/serve"
    refresh_stage(minimal, stage)
    assert config_reads == [minimal / "site_config.yml"]
    refresh_stage(minimal, stage)  # a change while serving: read again, once
    assert len(config_reads) == 2


def test_the_demo_preview_renders_with_the_settings_it_was_prepared_with(minimal: Path, config_reads: list[Path]) -> None:
    demo = prepare_demo(minimal, "127.0.0.1:8123")
    assert len(config_reads) == 1
    config = refresh_stage(minimal, minimal / ".partnerkit-cache/serve", config=demo.config)
    assert len(config_reads) == 1
    assert config is demo.config


def test_a_broken_config_is_listed_with_the_content_errors(minimal: Path) -> None:
    """Read once by the pipeline, a config that does not load is reported with everything else."""
    (minimal / "site_config.yml").write_text((minimal / "site_config.yml").read_text() + "engnie: mkdocs\n")
    (minimal / "content/broken.yml").write_text("kind: modul\nid: x\n")
    errors = content_errors(minimal)
    assert any(line.startswith("site_config.yml:") and "engnie" in line for line in errors)
    assert any(line.startswith("content/broken.yml:") for line in errors)
    with pytest.raises(ContentErrors) as caught:
        check(minimal)
    assert [str(error) for error in caught.value.errors] == errors


def test_check_serve_and_the_load_render_the_same_pages(minimal: Path) -> None:
    _, checked = render_project(minimal)
    refresh_stage(minimal, minimal / ".partnerkit-cache/serve")
    staged = minimal / ".partnerkit-cache/serve"
    for path, text in checked.pages.items():
        assert (staged / path).read_text(encoding="utf-8") == text, path


def test_only_the_pipeline_loads_and_renders_a_site() -> None:
    """``render_site`` and the content load are called from ``generator.pipeline`` alone (and the commands
    that load the content without rendering it)."""
    callers: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).rsplit(".", 1)[-1] in ("render_site", "load_content"):
                callers.setdefault(ast.unparse(node.func).rsplit(".", 1)[-1], set()).add(module)
    assert callers == {"render_site": {"generator.pipeline"}, "load_content": {"generator.pipeline", "generator.load.content"}}


def test_one_module_sets_up_jinja() -> None:
    """Pages, e-mails, worklists and reports get their sandboxed environment from ``generator.jinja_environment``."""
    makers = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(("Environment", "SandboxedEnvironment", "Sandbox")):
                makers.add(module)
    assert makers == {"generator.jinja_environment"}
