"""What every benchmark here shares: whole commands timed from outside, interleaved, and goals said plainly.

A comparison runs its commands in turn (A B A B ..., the pair's order alternating), each a fresh process as a
user starts it, start-up included; the ratio is taken pair by pair and its median printed, so a slow spell of a
shared machine moves both sides of a pair alike. Each run's wall time is a monotonic clock around the child;
its CPU time (user + system, the operating system's own accounting of the reaped child and what it waited for)
is printed beside it: on a busy machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ("content", "transcripts", "site_config.yml", "customers.example.csv")
"""The example project's own files (benchmarks build a copy of them, never the checkout)."""

BIN = Path(sys.executable).parent
"""The folder of the Python running the benchmark: its ``partnerkit`` and ``mkdocs`` are the installed commands."""


def command(name: str) -> str:
    """The installed command ``name`` beside this Python, else on PATH; a clear refusal when neither."""
    beside = BIN / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed beside {sys.executable} nor on PATH")
    return found


@dataclass
class Run:
    wall: float
    cpu: float


@dataclass
class Series:
    """The runs of one command (or one action) in a comparison."""

    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu for run in self.runs)

    def listed(self) -> str:
        return ", ".join(f"{run.wall:.2f}" for run in self.runs)


def copy_example(project: Path) -> Path:
    """The example project copied into the new folder ``project`` (its build writes nothing into the checkout)."""
    project.mkdir()
    for name in EXAMPLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.exists():
            shutil.copy2(source, project / name)
    return project


def run_command(arguments: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """One whole process: wall seconds (monotonic) and CPU seconds of the child and its waited-for children."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed (exit {process.returncode}):\n{stderr.decode(errors='replace')[-2000:]}")
    return Run(wall, _children_cpu())


_last_children = os.times()


def _children_cpu() -> float:
    """CPU seconds of the children reaped since the last call (the one just run and what it waited for)."""
    global _last_children
    now = os.times()
    spent = (now.children_user - _last_children.children_user) + (now.children_system - _last_children.children_system)
    _last_children = now
    return spent


def reset_cpu_clock() -> None:
    """Start counting children's CPU time afresh (call before a timed run when other children ran since)."""
    global _last_children
    _last_children = os.times()


def interleaved(rounds: int, sides: list[tuple[str, Callable[[], Run]]]) -> list[Series]:
    """Run each side once per round, in turn, the order rotating each round (A B, B A, ...; A B C, B C A, ...)."""
    series = [Series(label) for label, _ in sides]
    for number in range(rounds):
        order = list(range(len(sides)))
        order = order[number % len(order):] + order[:number % len(order)]
        for index in order:
            os.sync()  # the disk writes of the run before are not paid by this one
            reset_cpu_clock()
            series[index].runs.append(sides[index][1]())
    return series


def ratio(a: Series, b: Series, what: str = "wall") -> float:
    """Median of the pair-by-pair ratios A/B."""
    return statistics.median(getattr(x, what) / getattr(y, what) for x, y in zip(a.runs, b.runs))


def compare(a: Series, b: Series) -> str:
    """``A 1.23 s (cpu 1.10 s) vs B 0.98 s (cpu 0.90 s): 1.26x wall, 1.22x cpu`` (medians; ratios pair by pair)."""
    return (f"{a.label} {a.wall:.3f} s (cpu {a.cpu:.3f} s) vs {b.label} {b.wall:.3f} s (cpu {b.cpu:.3f} s): "
            f"{ratio(a, b):.2f}x wall, {ratio(a, b, 'cpu'):.2f}x cpu (median of {len(a.runs)} pairs)")


def goal(description: str, value: float, target: float, unit: str = "", at_most: bool = True) -> bool:
    """Print the goal with ``met`` or ``not met``; return whether it was met."""
    met = value <= target if at_most else value >= target
    sign = "<=" if at_most else ">="
    print(f"goal: {description} {value:.2f}{unit} {sign} {target:g}{unit}: {'met' if met else 'not met'}")
    return met


def print_load_note() -> None:
    """The machine's load just then, so a reader can judge the wall times."""
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPU cores, load average {load:.1f} at the start"
          + (" (a busy machine: trust the ratios and CPU times more than the wall times)" if load > (os.cpu_count() or 1) else ""))
