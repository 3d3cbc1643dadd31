"""The benchmarks' inputs are what they claim (never their timings): the corpora load (and the nav
benchmark's modules differ from one another); the transcription talks have several speakers, each with a voice of its own."""

from __future__ import annotations

import pytest

import sys
from pathlib import Path

from generator.load.content import load_project

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import build_overhead  # noqa: E402
import nav_scale  # noqa: E402
import transcribe  # noqa: E402

pytestmark = pytest.mark.unit


def test_the_nav_corpus_loads_with_varied_modules(tmp_path: Path) -> None:
    nav_scale.make_project(tmp_path / "project", 60)
    catalog = load_project(tmp_path / "project")
    modules = list(catalog.modules.values())
    assert len(modules) == 60 and len(catalog.paths) == 6
    assert len({module.title for module in modules}) == 60
    assert len({tuple(section.body for section in module.sections) for module in modules}) == 60


def test_the_overhead_and_versions_corpus_loads(tmp_path: Path) -> None:
    build_overhead.make_project(tmp_path / "project", 30)
    catalog = load_project(tmp_path / "project")
    assert len(catalog.modules) == 30 and len(catalog.procedures) == 20


def test_the_talks_have_voiced_speakers_and_many_paragraphs_and_share_no_voice() -> None:
    scripts = [transcribe.script(talk) for talk in transcribe.TALKS]
    assert len(scripts) >= 2 and [len(script) >= 15 for script in scripts] == [True] * len(scripts)
    for talk, script in zip(transcribe.TALKS, scripts):
        assert {speaker for speaker, _ in script} == set(talk.voices) and len(talk.voices) >= 3
        assert len({text for _, text in script}) == len(script)
    voices = [voice for talk in transcribe.TALKS for voice, _ in talk.voices.values()]
    assert len(set(voices)) == len(voices)
    assert not {text for _, text in scripts[0]} & {text for _, text in scripts[1]}


def test_every_name_a_benchmark_imports_from_the_package_exists() -> None:
    """A benchmark that no longer starts after a move is caught here, not by a user running it."""
    import ast
    import importlib

    missing = []
    for script in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator"):
                module = importlib.import_module(node.module)
                missing += [f"{script.name}: {node.module}.{alias.name}" for alias in node.names
                            if not hasattr(module, alias.name)
                            and importlib.util.find_spec(f"{node.module}.{alias.name}") is None]
    assert missing == []
