"""Rules for the tests themselves, where breaking one passes on one machine and fails on another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parent


def direct_asyncio_runs(source: str) -> list[int]:
    """Lines calling ``asyncio.run`` in ``source``."""
    return [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "run"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "asyncio"]


def test_no_test_runs_an_event_loop_in_the_main_thread() -> None:
    """pytest-xdist puts many files in one process, and once a browser test ran there, Playwright's sync
    API keeps an event loop running in the main thread: ``asyncio.run`` then fails, on whichever machine
    puts a browser test before it. ``tests.conftest.run_async`` runs the loop in a thread of its own."""
    found = [f"{path.relative_to(TESTS)}:{line}" for path in sorted(TESTS.rglob("*.py"))
             for line in direct_asyncio_runs(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_rule_sees_a_direct_run() -> None:
    assert direct_asyncio_runs("import asyncio\nasyncio.run(main())\nrun_async(main())\n") == [2]
