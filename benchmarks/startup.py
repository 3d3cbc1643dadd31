"""Start-up and the build's own work on the example project, against what a user would run instead.

Copies the example project (the repository's content/, transcripts/ and site_config.yml) into a temporary
folder, writes the stage partnerkit renders for it, then times in turn (A B A B ..., the order alternating),
each a fresh process as a user starts it:

- ``partnerkit check`` against ``mkdocs --help`` (the engine's own start-up). Goal: check at most 250 ms.
- ``partnerkit build`` from cold (no cache, no site) against a plain ``mkdocs build`` of the same stage.
  Goal: at most 1.3x.
- ``partnerkit build`` after a module's text changed (the release is built again, the compiled templates
  are kept) against the same plain ``mkdocs build``.

    python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from paired import command, compare, copy_example, goal, interleaved, print_load_note, ratio, run_command  # noqa: E402
from rebuild import edit_module  # noqa: E402

from generator.commands.build import render_project  # noqa: E402
from generator.engine import engine_command, engine_environment, write_stage  # noqa: E402



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

        def engine():
            return run_command(mkdocs, stage, engine_environment())

        check = interleaved(options.rounds, [
            ("partnerkit check", lambda: run_command([partnerkit, "check"], project)),
            ("mkdocs --help", lambda: run_command([command("mkdocs"), "--help"], project)),
        ])

        def cold():
            shutil.rmtree(project / ".partnerkit-cache", ignore_errors=True)
            shutil.rmtree(project / "site", ignore_errors=True)
            return run_command([partnerkit, "build", "--quiet"], project)

        cold_build = interleaved(options.rounds, [("partnerkit build (cold)", cold), ("mkdocs build", engine)])
        module = sorted((project / "content/modules").glob("*.yml"))[0]
        edits = iter(range(10_000))

        def changed():
            edit_module(module, next(edits))
            return run_command([partnerkit, "build", "--quiet"], project)

        changed_build = interleaved(options.rounds, [("partnerkit build (a module edited)", changed),
                                                     ("mkdocs build", engine)])

    print(f"example project ({len(rendered.pages)} pages), {options.rounds} interleaved pairs each, fresh processes; "
          f"median wall (CPU) seconds, ratios pair by pair")
    print(compare(*check))
    goal("partnerkit check, ms", check[0].wall * 1000, 250, " ms")
    print(compare(*cold_build))
    goal("cold build, x plain mkdocs build of the same stage", ratio(*cold_build), 1.3, "x")
    print(compare(*changed_build))


if __name__ == "__main__":
    main()
