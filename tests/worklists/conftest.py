"""A copy of the example project with a roster and a customers file, for worklist tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2]
ROSTER = (
    "partner_id,partner_name,rep_id,name,email,role,joined,left\n"
    "acme,Acme Consulting,ana,Ana Silva,ana@acme.example,sales,2026-01-10,\n"
    "acme,Acme Consulting,bo,Bo Jensen,bo@acme.example,cs,2026-01-10,\n"
    "globex,Globex Partners,gia,Gia Rossi,gia@globex.example,sales,2026-01-10,\n"
    "ostrova,Ostrova,val,Val Ostrov,val@ostrova.example,vendor,2026-01-10,\n"
)
KEYS = "k1:0123456789abcdef0123"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE / "content", root / "content")
    shutil.copy(EXAMPLE / "site_config.yml", root / "site_config.yml")
    (root / "private").mkdir()
    (root / "private/roster.csv").write_text(ROSTER)
    return root


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *arguments, "-p", str(cwd)], capture_output=True, text=True,
                          env={**os.environ, "PARTNERKIT_TOKEN_KEYS": KEYS})
