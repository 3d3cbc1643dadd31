"""Start-up and the build's own work on the example project, against what a user would run instead.

Copies the example project (the repository's content/, transcripts/ and site_config.yml) into a temporary
folder, writes the stage partnerkit renders for it, then times in turn (A B A B ..., the order alternating),
each a fresh process as a user starts it:

- ``partnerkit check`` against ``mkdocs --help`` (the engine's own start-up). Goal: check at most 250 ms.
- ``partnerkit build`` from cold (no cache, no site) against a plain ``mkdocs build`` of the same stage.
  Goal: at most 1.3x.
- ``partnerkit build`` after a module's text changed (the release is built again, the compiled templates
  are kept) against the same plain ``mkdocs build``.

Every timed command runs as an installed package does, with its modules' bytecode kept (Python
writes it into a temporary folder, ``PYTHONPYCACHEPREFIX``, never into the checkout, even where
``PYTHONDONTWRITEBYTECODE`` is set), after one untimed run of each that compiles it.

    python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from paired import command, compare, copy_example, goal, interleaved, print_load_note, ratio, run_command  # noqa: E402
from rebuild import edit_module  # noqa: E402

from generator.pipeline import render_project  # noqa: E402
from generator.engine import engine_command, engine_environment, write_stage  # noqa: E402


def with_bytecode(environment: dict[str, str], folder: Path) -> dict[str, str]:
    """``environment`` with Python keeping the bytecode it compiles in ``folder``, as an installed package has its own."""
    kept = {name: value for name, value in environment.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="pairs per comparison (median)")
    options = parser.parse_args()
    print_load_note()
    partnerkit = command("partnerkit")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        project = copy_example(work / "project")
        _, rendered = render_project(project)
        stage = work / "stage"
        write_stage(rendered, stage, project)
        mkdocs = engine_command("mkdocs", "build", "--config-file", str(stage / "mkdocs.yml"),
                                "--site-dir", str(work / "mkdocs-site"))
        environment = with_bytecode(dict(os.environ), work / "bytecode")
        engine_env = with_bytecode(engine_environment(), work / "bytecode")

        def engine():
            return run_command(mkdocs, stage, engine_env)

        for warm_up in ([partnerkit, "check"], [command("mkdocs"), "--help"], [partnerkit, "build", "--quiet"]):
            run_command(warm_up, project, environment)  # compiles the bytecode the timed runs keep
        engine()
        check = interleaved(options.rounds, [
            ("partnerkit check", lambda: run_command([partnerkit, "check"], project, environment)),
            ("mkdocs --help", lambda: run_command([command("mkdocs"), "--help"], project, environment)),
        ])

        def cold():
            shutil.rmtree(project / ".partnerkit-cache", ignore_errors=True)
            shutil.rmtree(project / "site", ignore_errors=True)
            return run_command([partnerkit, "build", "--quiet"], project, environment)

        cold_build = interleaved(options.rounds, [("partnerkit build (cold)", cold), ("mkdocs build", engine)])
        module = sorted((project / "content/modules").glob("*.yml"))[0]
        edits = iter(range(10_000))

        def changed():
            edit_module(module, next(edits))
            return run_command([partnerkit, "build", "--quiet"], project, environment)

        changed_build = interleaved(options.rounds, [("partnerkit build (a module edited)", changed),
                                                     ("mkdocs build", engine)])

    print(f"example project ({len(rendered.pages)} pages), {options.rounds} interleaved pairs each, fresh processes; "
          f"median wall (CPU) seconds, ratios pair by pair; bytecode kept as an installed package keeps it")
    print(compare(*check))
    goal("partnerkit check, ms", check[0].wall * 1000, 250, " ms")
    print(compare(*cold_build))
    goal("cold build, x plain mkdocs build of the same stage", ratio(*cold_build), 1.3, "x")
    print(compare(*changed_build))


if __name__ == "__main__":
    main()
