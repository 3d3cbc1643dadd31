"""A rebuild after no change and after a one-page change, against the engines' own incremental builds.

Generates the 500-module corpus of benchmarks/nav_scale.py as a project without ``versions:`` (with a
private/ roster, as a real project has), builds it once, then times, in the same run and as a user
runs them (the installed command, in the project folder, in a fresh process each time):
- ``partnerkit build`` with nothing changed (target <= 0.44 s and faster than ``mkdocs --dirty``),
  against ``mkdocs build --dirty``, ``properdocs build --dirty`` and Zensical's second ``build`` (it
  keeps its own cache) on the same staged pages, each after a full build of its own;
- ``partnerkit build`` after one module's text changed, against one full ``mkdocs build`` of the
  same pages (the one engine run it needs).
Medians of 3; engines not installed are skipped.

    .venv/bin/python benchmarks/rebuild.py [--modules 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nav_scale import make_project  # noqa: E402

from generator.engine import engine_command, engine_environment, write_stage  # noqa: E402
from generator.load.content import load_project  # noqa: E402
from generator.render import render_site  # noqa: E402

PARTNERKIT = Path(sys.executable).parent / "partnerkit"


def timed(command: list[str], folder: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return seconds


def runs_of(repeat: int, command: list[str], folder: Path, env: dict[str, str] | None = None) -> list[float]:
    return [timed(command, folder, env) for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, options.modules)
        (root / "private").mkdir(exist_ok=True)
        (root / "private/roster.csv").write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
                                                 "acme,Acme,rep-1,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n")
        timed([str(PARTNERKIT), "build", "--quiet"], root)
        ours = runs_of(options.repeat, [str(PARTNERKIT), "build", "--quiet"], root)
        pages = len(list((root / "site").rglob("index.html")))

        catalog = load_project(root)
        anchors: dict[str, list[float]] = {}
        full_mkdocs: list[float] = []
        for engine in ("mkdocs", "properdocs", "zensical"):
            if importlib.util.find_spec(engine) is None:
                continue
            stage = Path(work) / f"stage-{engine}"  # the engine key changes a few lines of mkdocs.yml: render for it
            write_stage(render_site(dataclasses.replace(catalog, config=catalog.config.model_copy(update={"engine": engine}))),
                        stage, root)
            config = str(stage / "mkdocs.yml")
            if engine == "zensical":
                command = engine_command(engine, "build", "--config-file", config)
            else:
                command = engine_command(engine, "build", "--config-file", config, "--site-dir", str(stage / "site"))
            full = runs_of(1 if engine != "mkdocs" else options.repeat, command, stage, engine_environment())
            if engine == "mkdocs":
                full_mkdocs = full
            incremental = command if engine == "zensical" else [*command, "--dirty"]
            anchors[f"{engine} {'build (cached)' if engine == 'zensical' else 'build --dirty'}"] = runs_of(
                options.repeat, incremental, stage, engine_environment())

        module = next((root / "content/modules").glob("*.yml"))
        changed = []
        for round_number in range(options.repeat):
            module.write_text(module.read_text(encoding="utf-8") + f"\n# edit {round_number}\n", encoding="utf-8")
            changed.append(timed([str(PARTNERKIT), "build", "--quiet"], root))

    ours_median = statistics.median(ours)
    print(f"{options.modules} modules ({pages} pages), medians of {options.repeat}, each a fresh process")
    print(f"partnerkit build, nothing changed:  {ours_median:6.2f} s  ({listed(ours)}) (target <= 0.44 s)")
    for name, values in anchors.items():
        value = statistics.median(values)
        print(f"{name + ':':36}{value:6.2f} s  ({listed(values)})  -> partnerkit takes {ours_median / value:.2f}x its time")
    if full_mkdocs:
        one_engine = statistics.median(full_mkdocs)
        value = statistics.median(changed)
        print(f"partnerkit build, one module edited: {value:5.2f} s  ({listed(changed)})  -> {value / one_engine:.2f}x one full "
              f"mkdocs build of {one_engine:.2f} s ({listed(full_mkdocs)})")


def listed(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
