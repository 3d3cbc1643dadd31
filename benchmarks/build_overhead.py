"""How much of a build is partnerkit's own work, next to the engine's?

Generates a synthetic project (500 modules by default, plus paths and procedures), then, in each round,
does what ``partnerkit build`` does for one release, timing each part: partnerkit's load + validate +
render (the pipeline's ``load_catalog`` and ``render_catalog``, Jinja set up afresh with its compiled
templates kept in the project's ``.partnerkit-cache/``, as a new ``partnerkit build`` process finds
them), writing the staging folder, and the engine (``mkdocs build --strict``) as the build runs it: its
own process, start-up included. partnerkit's parts run without Python's cyclic garbage collector, as
``partnerkit build`` runs them (``generator.cli.without_cyclic_collector``); what a round leaves is collected
before the next round starts, outside the timings. Prints each part (wall and CPU time), the load average,
and the goals: load + render at most 5 % of the engine (issue 32's), and load + render + staging at most 5 %,
each the median of the rounds' ratios, met or not met.
Everything is written into a temporary folder, nothing into the checkout. The whole command as users
run it, start-up included, is compared with the engine in benchmarks/startup.py, nav_scale.py and rebuild.py.

    python benchmarks/build_overhead.py [--modules 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generator.cli import without_cyclic_collector
from generator.engine import EngineRun, write_stage
from generator.layout import template_cache
from generator.pipeline import load_catalog, render_catalog
from generator.render.site import template_environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paired import print_load_note  # noqa: E402

GOAL = 0.05
"""partnerkit's load + render at most this share of the engine's run (issue 32), and with staging too."""

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


def _clocks() -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process and the children it reaped."""
    children = os.times()
    return time.perf_counter(), time.process_time() + children.children_user + children.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    print_load_note()
    parts = ("load+validate", "render", "staging", "engine")
    wall: dict[str, list[float]] = {part: [] for part in parts}
    cpu: dict[str, list[float]] = {part: [] for part in parts}
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, options.modules)
        for attempt in range(options.repeat):
            template_environment.cache_clear()  # Jinja set up as a new process does (compiled templates on disk)
            gc.collect()  # the rounds before left nothing for this one's parts to walk, as in a new process
            os.sync()
            with without_cyclic_collector():  # as partnerkit build runs its load, render and staging
                clocks = [_clocks()]
                catalog = load_catalog(root)
                clocks.append(_clocks())
                rendered = render_catalog(catalog, root, compiled_templates=template_cache(root))
                clocks.append(_clocks())
                stage = Path(work) / f"stage-{attempt}"
                write_stage(rendered, stage, root)
                clocks.append(_clocks())
            EngineRun("mkdocs").build(stage, Path(work) / f"site-{attempt}")
            clocks.append(_clocks())
            for part, before, after in zip(parts, clocks, clocks[1:]):
                wall[part].append(after[0] - before[0])
                cpu[part].append(after[1] - before[1])
    print(f"corpus: {options.modules} modules, {len(rendered.pages)} pages; median of {options.repeat} rounds "
          "(the first compiles the templates, as a first build does)")
    for part in parts:
        label = "engine (mkdocs build --strict)" if part == "engine" else f"partnerkit {part}"
        print(f"{label + ':':32} {statistics.median(wall[part]) * 1000:8.1f} ms  (cpu {statistics.median(cpu[part]) * 1000:7.1f} ms)")
    own = [sum(wall[part][index] for part in parts[:3]) for index in range(options.repeat)]
    own_cpu = [sum(cpu[part][index] for part in parts[:3]) for index in range(options.repeat)]
    share = statistics.median(mine / engine for mine, engine in zip(own, wall["engine"]))
    share_cpu = statistics.median(mine / engine for mine, engine in zip(own_cpu, cpu["engine"]))
    without_staging = statistics.median((load + render) / engine for load, render, engine
                                        in zip(wall["load+validate"], wall["render"], wall["engine"]))
    print(f"load+render: {without_staging:.1%} of the engine; with staging: {share:.1%} (cpu {share_cpu:.1%})")
    print(f"goal: load+render <= {GOAL:.0%} of the engine run (issue 32's): {without_staging:.1%} (median of the rounds' "
          f"ratios): {'met' if without_staging <= GOAL else 'not met'}")
    print(f"goal: load+render+staging <= {GOAL:.0%} of the engine run (staging is kernel time writing the pages' files, "
          f"which swings with the disk): {share:.1%}: {'met' if share <= GOAL else 'not met'}")


if __name__ == "__main__":
    main()
