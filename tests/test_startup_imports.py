"""Each command imports only what it uses: ``partnerkit check`` and the build's own process never load
Python-Markdown or nh3 (only the engine's process runs the Markdown extensions), and ``check`` loads none
of the engine, the releases, transcription or the collector."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.releases.cache import OUTPUT_MODULES
from generator.render.mkdocs_config import PHRASES_EXTENSION, SANITIZE_EXTENSION
from generator.render.site import PACKAGE_DIR

pytestmark = pytest.mark.unit

ENGINE_SIDE = ("markdown", "nh3", "pymdownx", "mkdocs", "material")


def loaded_by(*modules: str) -> set[str]:
    """Top-level names of the modules a fresh Python holds after importing ``modules``."""
    program = f"import sys, {', '.join(modules)}; print('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    return set(output.split())


def test_check_loads_neither_the_engine_nor_its_extensions() -> None:
    loaded = loaded_by("generator.cli", "generator.commands.check")
    assert {name.split(".")[0] for name in loaded} & set(ENGINE_SIDE) == set()
    assert [name for name in loaded if name.startswith(("generator.engine", "generator.releases", "generator.transcripts",
                                                        "generator.store", "generator.report.", "generator.collector"))] == []


def test_the_build_leaves_the_markdown_extensions_to_the_engine() -> None:
    loaded = loaded_by("generator.cli", "generator.commands.build", "generator.releases.build")
    assert {name.split(".")[0] for name in loaded} & set(ENGINE_SIDE) == set()
    assert SANITIZE_EXTENSION not in loaded and PHRASES_EXTENSION not in loaded


def test_the_extensions_are_named_as_their_modules() -> None:
    for name in (SANITIZE_EXTENSION, PHRASES_EXTENSION):
        assert (PACKAGE_DIR.parent / (name.replace(".", "/") + ".py")).is_file()


def test_the_release_key_hashes_files_that_exist() -> None:
    assert all((PACKAGE_DIR / module).is_file() for module in OUTPUT_MODULES)
    assert SANITIZE_EXTENSION.replace(".", "/").removeprefix("generator/") + ".py" in OUTPUT_MODULES
