"""A rebuild after no change and after a one-module edit, against the engines' own builds, interleaved.

Generates the 500-module corpus of benchmarks/nav_scale.py as a project without ``versions:`` (with a
private/ roster, as a real project has) in a temporary folder, builds it once, then times, as a user
runs them (the installed commands, in a fresh process each time, start-up included), each pair in turn
(A B A B ..., the order alternating) so a slow spell of a shared machine hits both sides alike:

- ``partnerkit build`` with nothing changed against ``mkdocs build --dirty`` on the same staged pages
  (and ``properdocs build --dirty`` and Zensical's second ``build``, which keeps its own cache, where
  installed). Goals: at most 0.44 s, and no slower than ``mkdocs build --dirty``.
- ``partnerkit build`` after one module's text changed (a sentence of a section, a different one each
  round) against one plain ``mkdocs build`` of the same pages (the one engine run it needs).
  Goal: at most 1.15x.

    python benchmarks/rebuild.py [--modules 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from nav_scale import make_project  # noqa: E402
from paired import command, compare, goal, interleaved, print_load_note, ratio, run_command  # noqa: E402

from generator.engine import engine_command, engine_environment, write_stage  # noqa: E402
from generator.load.content import load_project  # noqa: E402
from generator.render import render_site  # noqa: E402


def edit_module(module: Path, number: int) -> None:
    """Change the text of a module's first section (a new sentence each time), as an author's edit does."""
    data = yaml.safe_load(module.read_text(encoding="utf-8"))
    data["sections"][0]["body"] = f"Edited in round {number}. " + data["sections"][0]["body"]
    module.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5, help="pairs per comparison (median)")
    options = parser.parse_args()
    partnerkit = [command("partnerkit"), "build", "--quiet"]
    env = {**os.environ, "NO_COLOR": "1"}
    print_load_note()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, options.modules)
        (root / "private").mkdir(exist_ok=True)
        (root / "private/roster.csv").write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
                                                 "acme,Acme,rep-1,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n")
        run_command(partnerkit, root, env)
        pages = len(list((root / "site").rglob("index.html")))

        catalog = load_project(root)
        sides = [("partnerkit build (nothing changed)", lambda: run_command(partnerkit, root, env))]
        full = None
        for engine in ("mkdocs", "properdocs", "zensical"):
            if importlib.util.find_spec(engine) is None:
                continue
            stage = Path(work) / f"stage-{engine}"  # the engine key changes a few lines of mkdocs.yml: render for it
            write_stage(render_site(dataclasses.replace(catalog, config=catalog.config.model_copy(update={"engine": engine}))),
                        stage, root)
            config = str(stage / "mkdocs.yml")
            if engine == "zensical":
                build = engine_command(engine, "build", "--config-file", config)
                incremental, label = build, "zensical build (cached)"
            else:
                build = engine_command(engine, "build", "--config-file", config, "--site-dir", str(stage / "site"))
                incremental, label = [*build, "--dirty"], f"{engine} build --dirty"
            run_command(build, stage, engine_environment())  # its own full build first
            sides.append((label, lambda incremental=incremental, stage=stage: run_command(incremental, stage, engine_environment())))
            if engine == "mkdocs":
                full = lambda build=build, stage=stage: run_command(build, stage, engine_environment())  # noqa: E731
        unchanged = interleaved(options.rounds, sides)

        modules = sorted((root / "content/modules").glob("*.yml"))
        edits = iter(range(10_000))

        def edited() -> object:
            number = next(edits)
            edit_module(modules[number % len(modules)], number)
            return run_command(partnerkit, root, env)

        changed = interleaved(options.rounds, [("partnerkit build (one module edited)", edited),
                                               ("mkdocs build (full)", full)]) if full else []

    print(f"{options.modules} modules ({pages} pages), {options.rounds} interleaved rounds, each run a fresh process; "
          f"median wall (CPU) seconds, ratios taken pair by pair")
    ours = unchanged[0]
    for anchor in unchanged[1:]:
        print(compare(ours, anchor))
    goal("partnerkit build with nothing changed, seconds", ours.wall, 0.44, " s")
    goal("nothing changed, x mkdocs build --dirty", ratio(ours, unchanged[1]), 1.0, "x")
    if changed:
        print(compare(*changed))
        goal("one module edited, x one full mkdocs build", ratio(*changed), 1.15, "x")


if __name__ == "__main__":
    main()
