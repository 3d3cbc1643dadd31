"""Versioned builds: parallel speed-up and what the build cache saves.

Makes a git repository with 5 tagged releases of a 100-page project, then prints:
- the cold build wall time (every release built, in parallel) and the sum of the same five engine
  runs one after another (their ratio is the parallel speed-up; target >= 1.7x on 2 cores);
- the no-change rebuild time (target under 2 s);
- the rebuild after one release changed, as a ratio of one engine run (target <= 1.15).

    .venv/bin/python benchmarks/versions.py [--releases 5] [--pages 100] [--jobs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_overhead import make_project  # noqa: E402

from generator.commands.build import build  # noqa: E402
from generator.engine import run_engine, write_stage  # noqa: E402
from generator.releases.build import plan_releases, render_needed  # noqa: E402


def git(root: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-C", str(root), *arguments],
                   check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=5)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    options = parser.parse_args()
    modules = max(options.pages - options.pages // 10 - 10, 10)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        make_project(root, modules)
        (root / ".gitignore").write_text("site/\n.partnerkit-cache/\n")
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

        started = time.perf_counter()
        outcomes = build(root, root / "site", jobs=options.jobs)
        cold = time.perf_counter() - started
        assert set(outcomes.values()) == {"built"}, outcomes

        with tempfile.TemporaryDirectory(dir=root / ".partnerkit-cache") as plan_dir:
            plan = plan_releases(root, Path(plan_dir))  # an empty cache: every release is needed
            sequential = []
            for planned in render_needed(plan, root, Path(plan_dir)):
                stage = Path(plan_dir) / f"stage-{planned.release.version}"
                write_stage(planned.rendered, stage, planned.project)
                started = time.perf_counter()
                run_engine(plan.config.engine, stage, Path(plan_dir) / f"site-{planned.release.version}")
                sequential.append(time.perf_counter() - started)
                pages = len(planned.rendered.pages)

        started = time.perf_counter()
        outcomes = build(root, root / "site", jobs=options.jobs)
        unchanged = time.perf_counter() - started
        assert set(outcomes.values()) == {"cached"}, outcomes

        newest = f"1.{options.releases}"
        with (root / "site_config.yml").open("a") as config:
            config.write('  - version: dev\n')
        shutil.rmtree(root / "site")
        build(root, root / "site", jobs=options.jobs)  # dev built once
        module = root / "content/modules/m0001.yml"
        module.write_text(module.read_text().replace("Synthetic module 1.", "Synthetic module one."))
        started = time.perf_counter()
        outcomes = build(root, root / "site", jobs=options.jobs)
        one_changed = time.perf_counter() - started
        assert outcomes["dev"] == "built" and outcomes[newest] == "cached", outcomes

    one_engine = sum(sequential) / len(sequential)
    print(f"{options.releases} releases x {pages} pages")
    print(f"cold build, parallel:            {cold:7.2f} s")
    print(f"same engine runs one by one:     {sum(sequential):7.2f} s  -> parallel speed-up {sum(sequential) / cold:.2f}x (target >= 1.7x)")
    print(f"no-change rebuild:               {unchanged:7.2f} s  (target < 2 s)")
    print(f"one release changed, rebuild:    {one_changed:7.2f} s  -> {one_changed / one_engine:.2f} x one engine run of {one_engine:.2f} s (target <= 1.15)")


if __name__ == "__main__":
    main()
