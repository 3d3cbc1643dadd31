"""MkDocs, ProperDocs and Zensical side by side on the same staged pages: build time and peak memory.

Generates the realistic corpus of benchmarks/nav_scale.py (500 varied modules by default), renders it
once per engine (the ``engine:`` key changes only a few lines of mkdocs.yml) and runs each engine's
strict build the way ``partnerkit build`` does (generator.engine.run_engine), in a fresh process each
time so the peak resident memory of the engine alone can be read. The engines run in turn, round after
round (A B C, B C A, ...), so a slow spell of a shared machine hits each alike. MkDocs is the anchor:
every figure is printed with its ratio to MkDocs, taken round by round. Engines not installed are skipped.

    python benchmarks/engines.py [--modules 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nav_scale import make_project  # noqa: E402

from generator.engine import write_stage  # noqa: E402
from generator.load.content import load_project  # noqa: E402
from generator.render import render_site  # noqa: E402

ENGINES = ("mkdocs", "properdocs", "zensical")

ONE_RUN = """
import json, resource, sys, time
from pathlib import Path
from generator.engine import run_engine
started = time.perf_counter()
run_engine(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def one_run(engine: str, stage: Path, output: Path) -> dict:
    """Time and peak RSS of one engine run, in a fresh process (peak RSS of its children: the engine)."""
    result = subprocess.run([sys.executable, "-c", ONE_RUN, engine, str(stage), str(output)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    engines = [engine for engine in ENGINES if importlib.util.find_spec(engine) is not None]
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = work / "project"
        make_project(root, options.modules)
        config = root / "site_config.yml"
        plain = config.read_text()
        for engine in engines:
            config.write_text(plain + f"engine: {engine}\n")
            rendered = render_site(load_project(root))
            write_stage(rendered, work / f"stage-{engine}", root)
            pages = sum(1 for name in rendered.pages if name.endswith(".md"))
        runs: dict[str, list[dict]] = {engine: [] for engine in engines}
        for round_number in range(options.repeat):  # interleaved, each round starting with the next engine
            for engine in engines[round_number % len(engines):] + engines[:round_number % len(engines)]:
                os.sync()
                runs[engine].append(one_run(engine, work / f"stage-{engine}", work / f"site-{engine}"))
        for engine in engines:
            figures[engine] = {"seconds": statistics.median(run["seconds"] for run in runs[engine]),
                               "peak_mb": max(run["peak_mb"] for run in runs[engine]),
                               "ratio": statistics.median(run["seconds"] / anchor["seconds"]
                                                          for run, anchor in zip(runs[engine], runs["mkdocs"]))}
    print(f"corpus: {options.modules} modules, {pages} pages; median time of {options.repeat} strict builds, "
          f"largest peak RSS; anchor: mkdocs, interleaved in the same run (time ratio: median of the rounds' ratios)")
    anchor = figures["mkdocs"]
    print(f"{'engine':<11} {'time s':>7} {'x mkdocs':>8} {'peak RSS MB':>11} {'x mkdocs':>8}")
    for engine, figure in figures.items():
        print(f"{engine:<11} {figure['seconds']:>7.2f} {figure['ratio']:>8.2f} "
              f"{figure['peak_mb']:>11.0f} {figure['peak_mb'] / anchor['peak_mb']:>8.2f}")


if __name__ == "__main__":
    main()
