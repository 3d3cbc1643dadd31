"""The engine's process, started before the stage is written (``EngineRun``): it builds as
``python -m ENGINE`` would, exits unused when cancelled, finds nothing importable in the folder
partnerkit runs in, and is never left running after a build, however the build ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands.build import build
from generator.engine import EngineRun, EngineRuns
from generator.errors import ContentErrors


def children() -> set[int]:
    """The process ids of this process's live children (Linux)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return {pid for pid in found if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)}


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_a_cancelled_engine_run_exits_having_built_nothing(tmp_path: Path) -> None:
    before = children()
    run = EngineRun("mkdocs")
    assert children() - before, "the engine's process starts at once"
    run.cancel()
    assert children() == before
    assert list(tmp_path.iterdir()) == []


def test_engine_runs_hand_out_one_started_run_per_build_and_end_the_rest() -> None:
    before = children()
    runs = EngineRuns("mkdocs", count=3, ahead=2)
    assert len(children() - before) == 2
    runs.take().cancel()  # taken: the third build's run starts
    assert len(children() - before) == 2
    runs.close()
    assert children() == before


def test_the_engine_finds_nothing_importable_in_the_folder_partnerkit_runs_in(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "where-the-vendor-runs-it"
    marker = tmp_path / "imported"
    for module in ("markdown.py", "pymdownx/__init__.py", "material/__init__.py", "nh3.py", "mkdocs/__init__.py"):
        (folder / module).parent.mkdir(parents=True, exist_ok=True)
        (folder / module).write_text(f"open({str(marker)!r}, 'a').write({module!r})\n")
    monkeypatch.chdir(folder)
    build(minimal, minimal / "site")
    assert (minimal / "site/modules/pricing/index.html").is_file()
    assert not marker.exists()


def test_a_content_error_ends_the_engine_started_for_it(minimal: Path) -> None:
    before = children()
    (minimal / "content/bad.yml").write_text("kind: modul\n")
    with pytest.raises(ContentErrors):
        build(minimal, minimal / "site")
    assert children() == before


def test_the_sanitising_extension_loads_without_the_render_stage() -> None:
    """The engine loads ``generator.render.sanitize`` on every run; the templates and the content model
    stay out of its process."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, generator.render.sanitize; "
                               "print(sorted(name for name in sys.modules if name.startswith('generator')))"],
        capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['generator', 'generator.render', 'generator.render.body_marks', 'generator.render.sanitize']"


def test_a_first_build_starts_its_engine_before_partnerkit_loads_and_takes_it(minimal: Path) -> None:
    from generator.engine import _EARLY, start_early

    before = children()
    start_early(minimal)
    early = children() - before
    assert list(_EARLY) == ["mkdocs"] and len(early) == 1
    build(minimal, minimal / "site")
    assert _EARLY == {} and children() == before  # taken by the build, which ran it to its end
    assert (minimal / "site/modules/pricing/index.html").is_file()


def test_no_engine_starts_early_once_a_release_is_built_unless_one_is_rebuilt(minimal: Path) -> None:
    from generator.engine import _EARLY, start_early, stop_early

    build(minimal, minimal / "site")
    before = children()
    start_early(minimal)
    assert _EARLY == {} and children() == before  # an unchanged build may need no engine at all
    start_early(minimal, rebuild=True)
    assert list(_EARLY) == ["mkdocs"]
    stop_early()
    assert _EARLY == {} and children() == before


def test_an_engine_started_early_and_not_taken_is_ended(minimal: Path) -> None:
    """The site_config names another engine than its text seemed to, or the build stopped at a content
    error: the process started early is ended, never left behind."""
    from generator.engine import _EARLY, start_early, stop_early

    config = minimal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "engine: properdocs  # the fork\n", encoding="utf-8")
    before = children()
    start_early(minimal)
    assert list(_EARLY) == ["properdocs"]
    (minimal / "content/bad.yml").write_text("kind: modul\n")
    with pytest.raises(ContentErrors):
        build(minimal, minimal / "site")
    stop_early()
    assert _EARLY == {} and children() == before


def test_a_settings_file_linked_out_of_the_project_is_not_read_to_start_an_engine(minimal: Path, tmp_path: Path) -> None:
    from generator.engine import _EARLY, start_early

    outside = tmp_path / "elsewhere.yml"
    outside.write_text((minimal / "site_config.yml").read_text(encoding="utf-8") + "engine: properdocs\n", encoding="utf-8")
    (minimal / "site_config.yml").unlink()
    (minimal / "site_config.yml").symlink_to(outside)
    before = children()
    start_early(minimal)
    assert _EARLY == {} and children() == before


def test_the_engine_guessed_from_the_text_defaults_as_the_settings_do() -> None:
    from generator.engine import DEFAULT_ENGINE
    from generator.model.config import SiteConfig

    assert SiteConfig.model_fields["engine"].default == DEFAULT_ENGINE


def test_the_build_command_leaves_no_engine_running(minimal: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    before = children()
    (minimal / "content/bad.yml").write_text("kind: modul\n")
    result = CliRunner().invoke(cli, ["build", "--project", str(minimal), "--quiet"])
    assert result.exit_code == 1 and "Aborted with 1 error" in result.output
    assert children() == before
    (minimal / "content/bad.yml").unlink()
    result = CliRunner().invoke(cli, ["build", "--project", str(minimal), "--quiet"])
    assert result.exit_code == 0, result.output
    assert children() == before and (minimal / "site/modules/pricing/index.html").is_file()


def test_the_engines_process_ends_without_the_collectors_last_walk_over_every_object(tmp_path: Path) -> None:
    # gc.freeze() once the engine's command returns: the build partnerkit waits for ends sooner
    program = ("import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0));"
               " from generator.engine_process import main; main(['mkdocs'])")
    request = '{"arguments": ["--version"], "cwd": "%s"}\n' % tmp_path
    result = subprocess.run([sys.executable, "-c", program], input=request, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "mkdocs, version" in result.stdout and result.stdout.splitlines()[-1] == "frozen True"
