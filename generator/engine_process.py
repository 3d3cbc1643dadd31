"""What runs in an engine's process, started by ``generator.engine.EngineRun`` before the stage is
written: import the modules named on the command line (the engine's code, while partnerkit renders),
then read one line from standard input, ``{"arguments": [...], "cwd": "..."}``, and run the engine as
``python -m ENGINE ARGUMENTS`` would in that folder. End of input before that line: exit at once,
having built nothing.

Imports nothing of partnerkit itself: the engine's process carries the engine and partnerkit's
Markdown extension (``generator.render.sanitize``), as before.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import runpy
import sys


def main(argv: list[str]) -> None:
    engine, *modules = argv
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module this engine version lacks is loaded later, or never
            pass
    line = sys.stdin.readline()
    if not line:
        return
    request = json.loads(line)
    os.chdir(request["cwd"])
    sys.path.insert(0, request["cwd"])  # as ``python -m`` run there
    sys.argv = [engine, *request["arguments"]]
    try:
        runpy.run_module(engine, run_name="__main__", alter_sys=True)
    finally:
        # the process ends with the build, which partnerkit waits for: its site is written (the engine closes
        # every file it writes) and the collector need not walk every object the engine made only for the
        # interpreter to free them anyway
        gc.freeze()
