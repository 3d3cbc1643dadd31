"""Exam keys of a versioned site: one file per release, recertification when a release changes an
exam materially, and the keys of cached releases restored without rebuilding them."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from generator.model.answer_keys import ExamKeyFile
from generator.commands.build import build
from tests.conftest import configure
from tests.test_content_errors import write
from tests.test_releases_build import edit, git

EXAM = """\
kind: quiz
id: seller
title: Certified seller
mode: exam
role: sales
level: silver
questions:
  - {id: lead, type: single, prompt: Lead with?, choices: [{text: Outcome, correct: true}, {text: Dashboard}]}
  - {id: crm, type: true-false, prompt: Replaces the CRM?, choices: [{text: "True"}, {text: "False", correct: true}]}
  - {id: score, type: short-text, prompt: At-risk score?, answers: ["60"]}
"""

VERSIONS = """\
versions:
  - version: "3"
    ref: v3
  - version: "2"
    ref: v2
    released: 2026-11-30
  - version: "1"
    ref: v1
"""


def keys(root: Path, release: str) -> ExamKeyFile:
    return ExamKeyFile.model_validate_json((root / "private" / "exams" / f"{release}.json").read_text())


def test_a_material_exam_change_asks_holders_of_earlier_releases_to_recertify(minimal: Path) -> None:
    configure(minimal, analytics={"endpoint": "https://collect.example.com/e"},
              certification={"recertify_threshold": 30, "recertify_days": 60})  # committed: each release's own settings
    write(minimal, "content/exam.yml", EXAM)
    (minimal / ".gitignore").write_text("site/\n.partnerkit-cache/\nprivate/\n")
    git(minimal, "init", "-q", "-b", "main")
    git(minimal, "add", "-A")
    git(minimal, "commit", "-q", "-m", "release 1")
    git(minimal, "tag", "v1")
    edit(minimal / "content/exam.yml", 'answers: ["60"]', 'answers: ["55"]')  # 1 of 3 questions: 33 %
    git(minimal, "commit", "-q", "-am", "release 2")
    git(minimal, "tag", "v2")
    edit(minimal / "content/exam.yml", "prompt: Lead with?", "prompt: What do you lead with?")  # another 33 %, below 50
    git(minimal, "commit", "-q", "-am", "release 3")
    git(minimal, "tag", "v3")
    with (minimal / "site_config.yml").open("a") as config:
        config.write(VERSIONS)

    build(minimal, minimal / "site")
    assert sorted(path.name for path in (minimal / "private" / "exams").iterdir()) == ["1.json", "2.json", "3.json"]
    assert keys(minimal, "1").exams["seller"].recertify is None
    second = keys(minimal, "2").exams["seller"].recertify
    assert (second.releases, second.by.isoformat(), second.changed_percent) == (["1"], "2027-01-29", 33)
    third = keys(minimal, "3").exams["seller"].recertify
    assert (third.releases, third.changed_percent) == (["2", "1"], 33), "released not set: counted from the build day"
    assert keys(minimal, "2").exams["seller"].question("score").answers == ["55"]

    whats_new = html.unescape((minimal / "site" / "2" / "whats-new" / "index.html").read_text(encoding="utf-8"))
    assert "Certified seller: holders of a certificate from an earlier release keep it by passing this release's exam by 2027-01-29." in whats_new

    before = {name: keys(minimal, name) for name in ("1", "2", "3")}
    shutil.rmtree(minimal / "private" / "exams")
    assert build(minimal, minimal / "site") == {"3": "cached", "2": "cached", "1": "cached"}
    assert {name: keys(minimal, name) for name in ("1", "2", "3")} == before, "cached releases keep their keys"
    assert not list((minimal / "site").rglob("*.json.tmp")) and "exams" not in {p.name for p in (minimal / "site").rglob("*")}
