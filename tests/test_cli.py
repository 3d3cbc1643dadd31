"""The command line: exit codes and the exact text users see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True)


def test_check_reports_every_error_then_aborts(minimal: Path) -> None:
    (minimal / "content/bad.yml").write_text("kind: modul\nid: x\n")
    path = minimal / "content/other.yml"
    path.write_text(path.read_text().replace("owner: vendor\n", "owner: vendr\n", 1))
    result = run("check", "--project", str(minimal))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "content/bad.yml:1:7: kind: unknown kind 'modul' (did you mean 'module'?); "
        "expected one of [campaign, module, path, procedure, quiz, responsibilities]\n"
        "content/other.yml:19:12: steps[0].owner: expected one of [partner, shared, tech-touch, vendor], "
        "got 'vendr' (did you mean 'vendor'?)\n"
        "Aborted with 2 errors\n"
    )


def test_single_error_uses_singular(minimal: Path) -> None:
    (minimal / "content/bad.yml").write_text("kind: modul\nid: x\n")
    result = CliRunner().invoke(cli, ["check", "--project", str(minimal)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Aborted with 1 error"


def test_debug_shows_the_traceback(minimal: Path) -> None:
    (minimal / "content/bad.yml").write_text("kind: modul\nid: x\n")
    plain = run("check", "--project", str(minimal))
    debug = run("check", "--debug", "--project", str(minimal))
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "ContentErrors" in debug.stderr


def test_check_ok_summarises_the_content(minimal: Path) -> None:
    result = run("check", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "OK: 2 modules, 1 path, 1 procedure, 1 responsibilities, 1 campaign, 1 quiz\n"


def test_console_script_and_module_are_the_same_program() -> None:
    result = run("--version")
    assert result.stdout == "partnerkit, version 0.1.0\n"


def test_progress_counts_whole_numbers_and_measures_to_one_decimal() -> None:
    from generator.cli import progress_line

    assert progress_line("Releases", 2, 3, "built", width=12) == "Releases [########----] 2/3 built"
    assert progress_line("Transcribing talk.m4a", 1.5, 12.25, "audio min", width=10) == (
        "Transcribing talk.m4a [#---------] 1.5/12.2 audio min")
    assert progress_line("Releases", 0, 0, "built", width=4) == "Releases [----] 0/0 built"


def test_progress_bars_are_drawn_on_terminals_only(capsys) -> None:
    from generator.cli import TerminalReporter

    TerminalReporter(bars=False).progress("Releases", 1, 2, "built")
    assert capsys.readouterr().err == ""
    drawn = TerminalReporter(bars=True)
    drawn.progress("Releases", 1, 2, "built")
    drawn.progress("Releases", 2, 2, "built")
    assert capsys.readouterr().err == (
        "\rReleases [###############---------------] 1/2 built"
        "\rReleases [##############################] 2/2 built\n"
    )
    TerminalReporter(quiet=True, bars=True).progress("Releases", 1, 2, "built")
    assert capsys.readouterr().err == ""



def test_a_command_without_its_extra_names_the_extra_to_install(minimal: Path) -> None:
    # As after a plain `pip install partnerkit`: the collector's packages cannot be imported.
    program = ("import sys; sys.modules['crawlerdetect'] = None; sys.argv = ['partnerkit', 'serve', '--demo'];"
               " from generator.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", program], cwd=minimal, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == ('Error: this command needs partnerkit\'s collector (the crawlerdetect package is not installed):'
                             ' pip install "partnerkit[collector]"\n')
    assert "Traceback" not in result.stderr and not (minimal / ".partnerkit-cache").exists()


def test_the_command_ends_without_the_collectors_last_walk_over_every_object(minimal: Path) -> None:
    # gc.freeze() as main() ends: the interpreter frees what is left without first walking it all (~40 ms of a check)
    program = ("import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0));"
               " sys.argv = ['partnerkit', 'check']; from generator.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", program], cwd=minimal, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "frozen True" and "Traceback" not in result.stderr


def test_a_check_run_in_process_leaves_the_cyclic_collector_on(minimal: Path) -> None:
    # the command turns it off for its own run only when it is the whole process (main())
    import gc

    result = CliRunner().invoke(cli, ["check", "--project", str(minimal)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
