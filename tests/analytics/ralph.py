"""A real Learning Record Store for the tests: Ralph (``ralph-malph``, an LRS in Python) served by uvicorn on
127.0.0.1 with its file backend, from its own virtual environment (``.venv-lrs``, made by scripts/setup:
Ralph pins FastAPI, Starlette, uvicorn and click to versions the collector's environment does not use)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.analytics.conftest import free_port
from tests.conftest import require_tool

LRS_VENV = Path(__file__).resolve().parents[2] / ".venv-lrs"
USER, PASSWORD = "partnerkit", "lrs-secret-0123"
KEY = f"{USER}:{PASSWORD}"
"""``PARTNERKIT_LRS_KEY`` for this LRS."""

SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

# Ralph 5.1.0's file backend creates its statements file on the first write and refuses every later one
# ("already exists and overwrite is not allowed with operation_type create"): append instead, as a
# file-backed LRS must. The API (validation, ids, 204/409) is Ralph's own.
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""

VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
errors = []
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement(**statement)
    except Exception as exc:
        errors.append(f"{statement.get('id')}: {exc}")
print(json.dumps(errors))
"""


def lrs_python() -> Path:
    python = Path(os.environ.get("PARTNERKIT_LRS_PYTHON") or LRS_VENV / "bin" / "python")
    require_tool(python.is_file(), "Ralph (or PARTNERKIT_LRS_PYTHON)", f"the {LRS_VENV.name}/ environment it makes")
    return python


def ralph_errors(statements: list[dict]) -> list[str]:
    """What Ralph's xAPI models (``ralph.models``) find wrong in each statement: nothing, when valid."""
    answer = subprocess.run([str(lrs_python()), "-c", VALIDATE], input=json.dumps(statements), capture_output=True,
                            text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


@dataclass
class Ralph:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "RALPH_APP_DIR": str(self.folder / "app"), "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "statements")}

    def start(self) -> None:
        python = lrs_python()
        (self.folder / "statements").mkdir(parents=True, exist_ok=True)
        if not (self.folder / "app" / "auth.json").is_file():
            made = subprocess.run([str(python), "-m", "ralph", "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M",
                                   "mailto:lrs-admin@example.com", "-w"], env=self.environment, capture_output=True,
                                  text=True, timeout=120)
            assert made.returncode == 0, made.stderr
        self.process = subprocess.Popen([str(python), "-c", SERVE, str(self.port)], env=self.environment,
                                        stdout=subprocess.DEVNULL, stderr=open(self.folder / "ralph.log", "ab"),
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, (self.folder / "ralph.log").read_text()
            time.sleep(0.1)
        raise AssertionError("Ralph did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.process = None

    def stored(self) -> list[dict]:
        """Every statement Ralph holds, as it stored them (its file backend's JSON lines)."""
        path = self.folder / "statements" / "fs_lrs.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def ralph(tmp_path: Path):
    server = Ralph(tmp_path / "ralph")
    server.start()
    try:
        yield server
    finally:
        server.stop()

