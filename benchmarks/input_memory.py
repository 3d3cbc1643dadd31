"""Peak memory of ``partnerkit worklists`` on big CRM exports (issue 24: "Memory on big exports").

Writes, in a temporary folder (never in the checkout), a copy of the example project with a roster and
one export at a time, runs the installed ``partnerkit worklists`` on it as a subprocess and prints its
peak resident memory (the child's own ``ru_maxrss``), how long it ran and how it ended:

- 1,000,001 rows (about 50 MB): over ``inputs.max_bytes``, refused before a byte is read;
- 240,000 rows with 500-character names (about 128 MB): refused the same way;
- ``inputs.max_rows`` rows (the default, 100,000): accepted, about one customer in eight with a case;
- as many rows with names long enough to come just under ``inputs.max_bytes``: accepted;
- one row more than ``inputs.max_rows``, ``inputs.max_bytes`` raised: refused by the row cap as it is read.

Goal: under 200 MB, or refused within 1 s of reading the cap. Usage: ``python benchmarks/input_memory.py``
(``--only NAME`` runs one export)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from generator.model.config import InputSettings  # noqa: E402
GOAL_MB = 200
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Consulting,ana,Ana Silva,ana@acme.example,sales,2026-01-10,\n"
          "globex,Globex Partners,gia,Gia Rossi,gia@globex.example,sales,2026-01-10,\n")
HEADER = "customer_id,name,partner_id,segment,renewal_date,health_score\n"


def write_export(path: Path, rows: int, name_chars: int) -> int:
    """``rows`` customers, renewals spread over two years (about one in eight due within 90 days)."""
    filler = "x" * max(0, name_chars - 17)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for number in range(rows):
            month = number % 24
            out.write(f"C{number:07d},Customer {number:07d}{filler},{'acme' if number % 2 else 'globex'},smb,"
                      f"{2027 + month // 12}-{month % 12 + 1:02d}-15,{50 + number % 50}\n")
    return path.stat().st_size


def partnerkit() -> str:
    found = Path(sys.executable).parent / "partnerkit"
    return str(found) if found.exists() else (shutil.which("partnerkit") or "partnerkit")


def measure(project: Path) -> tuple[float, float, int, str]:
    """(peak RSS in MB, seconds, exit status, first line of output) of one ``partnerkit worklists`` run."""
    started = time.perf_counter()
    process = subprocess.Popen([partnerkit(), "worklists", "--date", "2027-01-01", "-p", str(project)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return usage.ru_maxrss / 1024, seconds, process.returncode, (output.strip().splitlines() or [""])[0]


ROWS = InputSettings().max_rows
BYTES = InputSettings().max_bytes
CASES = {
    "1m-rows": (1_000_001, 17, ""),
    "240k-long-names": (240_000, 500, ""),
    "at-row-cap": (ROWS, 17, ""),
    "at-both-caps": (ROWS, BYTES // ROWS - 40, ""),
    "row-cap-plus-one": (ROWS + 1, 17, "inputs:\n  max_bytes: 1073741824\n"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CASES))
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="partnerkit-input-memory-") as folder:
        project = Path(folder) / "project"
        shutil.copytree(HERE / "content", project / "content")
        config = (HERE / "site_config.yml").read_text(encoding="utf-8")
        (project / "private").mkdir()
        (project / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
        print(f"partnerkit worklists on generated exports (goal: peak under {GOAL_MB} MB, or refused within 1 s of the cap)")
        met_all = True
        for name, (rows, name_chars, settings) in CASES.items():
            if arguments.only and name != arguments.only:
                continue
            (project / "site_config.yml").write_text(config + settings, encoding="utf-8")
            shutil.rmtree(project / "private/worklists", ignore_errors=True)
            (project / "private/events.sqlite").unlink(missing_ok=True)
            size = write_export(project / "private/customers.csv", rows, name_chars)
            peak, seconds, status, first = measure(project)
            refused = status != 0
            met = peak < GOAL_MB or refused and seconds < 1
            met_all &= met
            print(f"{name:16} {rows:>9,} rows {size / 1e6:6.1f} MB  peak {peak:6.1f} MB  {seconds:5.1f} s  "
                  f"{'refused' if refused else 'accepted'}  {'met' if met else 'not met'}\n    {first[:150]}")
        print("goal met" if met_all else "goal not met")


if __name__ == "__main__":
    main()
