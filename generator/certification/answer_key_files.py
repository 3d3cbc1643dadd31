"""The exam key files: ``private/exams/<release>.json``, one per release with exams, written at build
time and read by the collector (what is in a key: ``model/answer_keys.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from generator.layout import EXAM_KEYS_DIR
from generator.atomic import write_atomically
from generator.errors import PartnerkitError
from generator.inputs import read_input_bytes
from generator.model.answer_keys import ExamKey, ExamKeyFile

UNVERSIONED = "site"
"""Key file name of an unversioned site (its events carry no release)."""


def exam_keys_path(root: Path, release: str) -> Path:
    return root / EXAM_KEYS_DIR / f"{release or UNVERSIONED}.json"


def write_exam_keys(root: Path, release: str, exams: dict[str, ExamKey]) -> Path:
    """Write one release's exam keys atomically; return the file's path."""
    text = ExamKeyFile(release=release, exams=exams).model_dump_json(indent=1) + "\n"
    return write_atomically(exam_keys_path(root, release), text.encode("utf-8"))


def read_exam_keys(root: Path) -> dict[tuple[str, str], ExamKey]:
    """Every exam key under ``private/exams/``, by (release, exam id)."""
    keys: dict[tuple[str, str], ExamKey] = {}
    for path in sorted((root / EXAM_KEYS_DIR).glob("*.json")):
        try:
            keyfile = ExamKeyFile.model_validate(json.loads(read_input_bytes(path, root).decode("utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc).splitlines()[0]
            raise PartnerkitError(f"{path.relative_to(root)}: not an exam key file ({reason}); run partnerkit build") from None
        for ident, key in keyfile.exams.items():
            keys[(keyfile.release, ident)] = key
    return keys


def replace_exam_keys(root: Path, releases: dict[str, dict[str, ExamKey]]) -> None:
    """Make ``private/exams/`` hold exactly these releases' exam keys (releases without exams: no file)."""
    wanted = {exam_keys_path(root, release) for release, exams in releases.items() if exams}
    for release, exams in releases.items():
        if exams:
            write_exam_keys(root, release, exams)
    folder = root / EXAM_KEYS_DIR
    if folder.is_dir():
        for path in folder.glob("*.json"):
            if path not in wanted:
                path.unlink()
