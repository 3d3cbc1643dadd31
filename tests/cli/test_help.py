"""``partnerkit --help`` as a newcomer reads it: every command's first sentence whole, in the order
people use the commands."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import COMMANDS_IN_ORDER_OF_USE, cli

pytestmark = pytest.mark.unit


def _help_rows() -> list[str]:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output.split("Commands:\n", 1)[1].splitlines()


def test_commands_are_listed_in_the_order_people_use_them() -> None:
    names = [line.split()[0] for line in _help_rows() if line.startswith("  ") and not line.startswith("    ")]
    assert names == list(COMMANDS_IN_ORDER_OF_USE)
    assert sorted(names) == sorted(cli.commands), "every command is listed once"


def test_no_description_is_cut_off() -> None:
    text = "\n".join(_help_rows())
    assert "..." not in text
    words = " ".join(text.split())
    assert "worklists Run every procedure on every customer (customers.file): cases for each partner's worklist." in words
    assert "Delete everything stored about one rep:" in words
