"""Versioned builds: parallel speed-up and what the build cache saves.

Makes a git repository with 5 tagged releases of a 100-page project (with a private/ roster, as a
real project has, so the check that nothing private is published runs), then prints:
- the cold build wall time (every release built, in parallel) and the same five engine runs one
  after another (their ratio is the parallel speed-up; target >= 1.6x on 2 cores), and the five
  engine runs alone, as many at once as the build runs and started ahead as the build starts them
  (``generator.engine.EngineRuns``: the machine's ceiling just then); medians of 3 rounds, the three
  interleaved so that a busy moment of a shared machine hits them alike;
- the no-change rebuild time, ``partnerkit build`` as a fresh process (median of ``--rounds``; target under 2 s);
- the rebuild after the working tree's release changed (a sentence of a module's text edited), as a ratio of one engine run of that
  release, staged the same way (target <= 1.15): ``--rounds`` pairs, each rebuild next to its engine
  run, the pair's order alternating, so the median of the pairs' ratios is not moved by a slow spell.
  The engine run is started as ``mkdocs build`` is, from nothing; the build starts the engine's
  process while it renders (``generator.engine.EngineRun``), which hides part of the engine's start.

The builds are ``partnerkit build`` as a user runs it (the installed command, a fresh process, start-up
included). Every measurement starts after ``os.sync()``, so the disk writes of the one before are not
paid by it. Everything is written in a temporary folder.

    python benchmarks/versions.py [--releases 5] [--pages 100] [--jobs N] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_overhead import make_project  # noqa: E402

from paired import command, print_load_note, run_command  # noqa: E402
from rebuild import edit_module  # noqa: E402

from generator.engine import EngineRuns, run_engine, write_stage  # noqa: E402
from generator.load.config import load_config  # noqa: E402
from generator.releases.build import default_jobs, plan_releases, render_needed  # noqa: E402


def git(root: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-C", str(root), *arguments],
                   check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=5)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5, help="rebuild and engine run pairs (one release changed)")
    options = parser.parse_args()
    print_load_note()
    modules = max(options.pages - options.pages // 10 - 10, 10)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, modules)
        (root / "private").mkdir()
        (root / "private/roster.csv").write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
                                                 "acme,Acme,rep-1,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n")
        (root / ".gitignore").write_text("site/\n.partnerkit-cache/\nprivate/\n")
        git(root, "init", "-q", "-b", "main")
        versions = []
        for number in range(1, options.releases + 1):
            module = root / "content/modules/m0000.yml"
            module.write_text(module.read_text().replace(f"title: Module 0 r{number - 1}", "title: Module 0")
                              .replace("title: Module 0", f"title: Module 0 r{number}"))
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", f"release {number}")
            git(root, "tag", f"v1.{number}")
            versions.append(f'  - version: "1.{number}"\n    ref: v1.{number}\n')
        with (root / "site_config.yml").open("a") as config:
            config.write("versions:\n" + "".join(reversed(versions)))

        workers = options.jobs or default_jobs()
        stages = root.parent / "stages"
        plan = plan_releases(root, stages, load_config(root))  # an empty cache: every release is needed
        engine = plan.config.engine
        for planned in render_needed(plan, root, stages):
            write_stage(planned.rendered, stages / planned.release.version, planned.project)
            pages = len(planned.rendered.pages)
        releases = [release.version for release in plan.releases]

        def one_by_one() -> float:
            started = time.perf_counter()
            for version in releases:
                run_engine(engine, stages / version, stages / f"site-{version}")
            return time.perf_counter() - started

        def engines_at_once() -> float:
            started = time.perf_counter()
            runs = EngineRuns(engine, len(releases), min(workers, len(releases)))  # started ahead, as the build does
            try:
                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(lambda version: runs.take().build(stages / version, stages / f"site-{version}"), releases))
            finally:
                runs.close()
            return time.perf_counter() - started

        partnerkit = [command("partnerkit"), "build", "--quiet", *(["--jobs", str(options.jobs)] if options.jobs else [])]

        def cold_build() -> float:
            shutil.rmtree(root / ".partnerkit-cache", ignore_errors=True)
            shutil.rmtree(root / "site", ignore_errors=True)
            seconds = run_command(partnerkit, root).wall
            assert all((root / "site" / version / "index.html").exists() for version in releases)
            return seconds

        sequential, ceiling, cold = [], [], []
        measures = [(one_by_one, sequential), (engines_at_once, ceiling), (cold_build, cold)]
        for round_number in range(3):  # interleaved, each round starting elsewhere, so a busy moment hits all three alike
            for measure, into in measures[round_number:] + measures[:round_number]:
                into.append(timed(measure))

        unchanged_runs = [timed(lambda: run_command(partnerkit, root).wall) for _ in range(options.rounds)]
        unchanged = statistics.median(unchanged_runs)

        newest = f"1.{options.releases}"
        with (root / "site_config.yml").open("a") as config:
            config.write('  - version: dev\n')
        shutil.rmtree(root / "site")
        run_command(partnerkit, root)  # dev built once
        module = root / "content/modules/m0001.yml"
        newest_page = root / "site" / newest / "modules/m0001/index.html"
        newest_bytes = newest_page.read_bytes()

        def one_changed() -> float:
            edit_module(module, len(changed))
            seconds = run_command(partnerkit, root).wall
            assert f"Edited in round {len(changed)}." in (root / "site/dev/modules/m0001/index.html").read_text()
            assert newest_page.read_bytes() == newest_bytes  # the tagged release is untouched (cached)
            return seconds

        def one_engine_run() -> float:
            with tempfile.TemporaryDirectory(dir=root / ".partnerkit-cache") as anchor_dir:
                plan = plan_releases(root, Path(anchor_dir), load_config(root))
                plan = dataclasses.replace(plan, needed=[release for release in plan.releases if release.version == "dev"])
                (planned,) = render_needed(plan, root, Path(anchor_dir))
                write_stage(planned.rendered, Path(anchor_dir) / "stage", planned.project)
                os.sync()
                started = time.perf_counter()
                run_engine(plan.config.engine, Path(anchor_dir) / "stage", Path(anchor_dir) / "site")
                return time.perf_counter() - started

        changed, anchor = [], []
        for round_number in range(options.rounds):  # the pair's order alternates: a drift favours neither
            pair = [(one_changed, changed), (one_engine_run, anchor)]
            for measure, into in pair if round_number % 2 == 0 else reversed(pair):
                into.append(timed(measure))

    one_engine = statistics.median(anchor)
    one_changed_median = statistics.median(changed)
    pair_ratio = statistics.median(rebuild / engine for rebuild, engine in zip(changed, anchor))
    speed_up = statistics.median(one / built for one, built in zip(sequential, cold))
    ceiling_speed_up = statistics.median(one / at_once for one, at_once in zip(sequential, ceiling))
    share_of_ceiling = statistics.median(at_once / built for at_once, built in zip(ceiling, cold))
    print(f"{options.releases} releases x {pages} pages, {workers} engine runs at a time, medians of 3 interleaved rounds")
    print(f"same engine runs one by one:     {statistics.median(sequential):7.2f} s  ({listed(sequential)})")
    print(f"cold build, parallel:            {statistics.median(cold):7.2f} s  ({listed(cold)})"
          f"  -> parallel speed-up {speed_up:.2f}x; goal >= 1.6x: {'met' if speed_up >= 1.6 else 'not met'}")
    print(f"the engine runs alone, parallel: {statistics.median(ceiling):7.2f} s  ({listed(ceiling)})"
          f"  -> {ceiling_speed_up:.2f}x: the ceiling on this machine now; the build reaches {share_of_ceiling:.0%} of it")
    print(f"no-change rebuild (fresh process): {unchanged:5.2f} s  ({listed(unchanged_runs)}; median of {options.rounds}); "
          f"goal < 2 s: {'met' if unchanged < 2 else 'not met'}")
    print(f"one release changed, rebuild:    {one_changed_median:7.2f} s  ({listed(changed)})")
    print(f"one engine run of that release:  {one_engine:7.2f} s  ({listed(anchor)})")
    print(f"  -> the rebuild takes {pair_ratio:.2f}x the engine run next to it (median of {options.rounds} pairs: "
          f"{listed([rebuild / engine for rebuild, engine in zip(changed, anchor)])}); goal <= 1.15: "
          f"{'met' if pair_ratio <= 1.15 else 'not met'}")


def timed(measure) -> float:
    """``measure()``'s seconds, started with the disk's pending writes flushed."""
    os.sync()
    return measure()


def listed(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)

if __name__ == "__main__":
    main()
