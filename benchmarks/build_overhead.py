"""How much of a build is partnerkit's own work, next to the engine's?

Generates a synthetic project (500 modules by default, plus paths and procedures), then times
on the same output, in turn in each round (partnerkit's work, then the engine's, on the same
pages): partnerkit's load + validate + render (and writing the staging folder), in this process, and
the engine run (`mkdocs build --strict`, a fresh process as the build starts it). Prints both and the
ratio. Goal: partnerkit's share at most 5 % of the engine time. The whole command as users run it,
start-up included, is compared with the engine in benchmarks/nav_scale.py and benchmarks/rebuild.py.

    python benchmarks/build_overhead.py [--modules 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from generator.engine import run_engine, write_stage
from generator.load.content import load_project
from generator.render import render_site

PARAGRAPH = (
    "Partners who open this module before a customer call close faster. Walk the customer through "
    "the renewal calendar, the health score and the three numbers their CFO asks about: gross "
    "retention, net retention and time to value. Use the calculator with the customer's own data."
)


def make_project(root: Path, modules: int) -> None:
    (root / "content" / "modules").mkdir(parents=True)
    (root / "site_config.yml").write_text(
        "site_name: Benchmark Academy\nsite_url: https://partners.example.com/\nvendor: Bench\nproduct: Bench Cloud\n"
    )
    for index in range(modules):
        prerequisites = f"prerequisites: [m{index - 1:04d}]\n" if index % 10 else ""
        sections = "".join(
            f"  - title: Part {part}\n    body: |\n      {PARAGRAPH}\n\n      - first point\n      - second point\n"
            for part in range(1, 4)
        )
        (root / "content" / "modules" / f"m{index:04d}.yml").write_text(
            f"kind: module\nid: m{index:04d}\ntitle: Module {index}\nsummary: Synthetic module {index}.\n"
            f"roles: [sales, cs]\nminutes: {5 + index % 40}\nobjectives: [Explain topic {index}]\n{prerequisites}"
            f"sections:\n{sections}"
        )
    paths = "".join(
        f"---\nkind: path\nid: path-{start}\ntitle: Path {start}\nrole: sales\nsummary: Synthetic path.\n"
        f"modules: [{', '.join(f'm{i:04d}' for i in range(start, min(start + 10, modules)))}]\n"
        for start in range(0, modules, 50)
    )
    procedures = "".join(
        f"---\nkind: procedure\nid: proc-{n}\ntitle: Procedure {n}\nphase: renewal\ntrigger: renewal_date - 90d\n"
        f"goal: Renew.\nsteps:\n  - when: -90d\n    action: Review health.\n    owner: vendor\n"
        f"    checklist: [Open dashboard]\n  - when: -60d\n    action: Value review.\n"
        f"    owner: {{enterprise: vendor, mid-market: shared, smb: partner}}\n"
        for n in range(20)
    )
    (root / "content" / "other.yml").write_text(paths + procedures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    own, stage_times, engine = [], [], []
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, options.modules)
        for attempt in range(options.repeat):
            started = time.perf_counter()
            catalog = load_project(root)
            rendered = render_site(catalog)
            own.append(time.perf_counter() - started)
            stage = Path(work) / f"stage-{attempt}"
            started = time.perf_counter()
            write_stage(rendered, stage, root)
            stage_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            run_engine("mkdocs", stage, Path(work) / f"site-{attempt}")
            engine.append(time.perf_counter() - started)
    pages = len(rendered.pages)
    own_s, stage_s, engine_s = (statistics.median(values) for values in (own, stage_times, engine))
    print(f"corpus: {options.modules} modules, {pages} pages; median of {options.repeat} runs")
    print(f"partnerkit load+validate+render: {own_s * 1000:8.1f} ms")
    print(f"partnerkit write staging folder: {stage_s * 1000:8.1f} ms")
    print(f"engine (mkdocs build --strict):  {engine_s * 1000:8.1f} ms")
    print(f"ratio partnerkit/engine: {own_s / engine_s:.3f} ({own_s / engine_s:.1%}); "
          f"with staging: {(own_s + stage_s) / engine_s:.1%}")
    share = statistics.median(own_run / engine_run for own_run, engine_run in zip(own, engine))
    print(f"goal: load+validate+render <= 5 % of the engine run: {share:.1%} (median of the rounds' ratios): "
          f"{'met' if share <= 0.05 else 'not met'}")


if __name__ == "__main__":
    main()
