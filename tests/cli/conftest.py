"""The command line as users run it: the installed ``partnerkit`` console script, started as a
subprocess inside a copy of the example project (a git repository), with no ``-p``.

Unlike the unit tests, nothing here imports partnerkit's functions to drive it: every test types a
README command and reads what the terminal would show, the files it leaves and the HTTP it serves."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT

PARTNERKIT = Path(sys.executable).parent / "partnerkit"
"""The console script pip installed beside this interpreter."""
EXAMPLE_INPUTS = ("site_config.yml", "content", "transcripts")
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Vendor", "GIT_AUTHOR_EMAIL": "vendor@example.com",
                "GIT_COMMITTER_NAME": "Vendor", "GIT_COMMITTER_EMAIL": "vendor@example.com"}
TOKEN_KEYS = "k1:0123456789abcdef0123"


def user_environment(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no token keys unless given, no colours, a fixed git identity."""
    environment = {key: value for key, value in os.environ.items() if key != "PARTNERKIT_TOKEN_KEYS"}
    return {**environment, **GIT_IDENTITY, "NO_COLOR": "1", **extra}


def git(project: Path, *arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=project, env=user_environment(), check=True,
                          capture_output=True, text=True).stdout


def copy_example(target: Path) -> Path:
    """A fresh clone, as it were: the example's site_config.yml, content/ and transcripts/, committed."""
    target.mkdir(parents=True)
    for name in EXAMPLE_INPUTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    git(target, "init", "--quiet", "--initial-branch=main")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "--message", "Example content")
    return target


def partnerkit(*arguments: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``partnerkit ARGUMENTS`` in ``cwd``, stdout and stderr captured (pipes, not a terminal)."""
    return subprocess.run([str(PARTNERKIT), *arguments], cwd=cwd, env=env or user_environment(),
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Running:
    process: subprocess.Popen
    output: str = ""


@contextlib.contextmanager
def running(*arguments: str, cwd: Path, env: dict[str, str] | None = None, stop_within: float = 30):
    """``partnerkit ARGUMENTS`` running in the background until the block ends, then stopped with
    SIGTERM (as a service manager stops it); ``.output`` then holds stdout and stderr together."""
    process = subprocess.Popen([str(PARTNERKIT), *arguments], cwd=cwd, env=env or user_environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    handle = Running(process)
    try:
        yield handle
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            handle.output, _ = process.communicate(timeout=stop_within)
        except subprocess.TimeoutExpired:
            process.kill()
            handle.output, _ = process.communicate()
            raise AssertionError(f"partnerkit {' '.join(arguments)} did not stop on SIGTERM:\n{handle.output}")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> httpx.Response:
    """The first answer of ``url``; fails if the process ends or nothing answers in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server ended with {process.returncode}: {process.stdout.read() if process.stdout else ''}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of the example project, committed in its own git repository."""
    return copy_example(tmp_path / "ostrova")


@dataclass
class Built:
    project: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def built_example(tmp_path_factory) -> Built:
    """The example built once per test module with ``partnerkit build`` from its folder; tests that
    only read the site or add to private/ share it."""
    project = copy_example(tmp_path_factory.mktemp("built") / "ostrova")
    return Built(project, partnerkit("build", cwd=project))
