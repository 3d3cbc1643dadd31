"""Quiz and certification settings mistakes, each with its pinned, located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import configure, content_errors
from tests.test_content_errors import write

pytestmark = pytest.mark.unit


def test_question_mistakes_are_located(minimal: Path) -> None:
    write(minimal, "content/q.yml", """\
kind: quiz
id: check
title: Check
draw: 4
questions:
  - id: one
    type: single
    prompt: Pick
    choices:
      - text: A
      - text: B
  - id: two
    type: single
    prompt: Pick
    choices:
      - text: A
        correct: true
      - text: A
  - id: three
    type: short-text
    prompt: Say
    pattern: "(unclosed"
  - id: four
    type: ordering
    prompt: Order
    items: [only]
  - id: five
    type: true-false
    prompt: Sure?
    partial_credit: true
    choices:
      - text: "True"
        correct: true
      - text: "False"
""")
    assert content_errors(minimal) == [
        "content/q.yml:10:7: questions[0].choices: no choice is marked correct: true",
        "content/q.yml:16:7: questions[1].choices: choice 'A' is given twice",
        "content/q.yml:22:14: questions[2].pattern: not a valid regular expression: missing ), unterminated subpattern at position 0",
        "content/q.yml:26:12: questions[3].items: an ordering question needs at least 2 items, found 1",
        "content/q.yml:30:21: questions[4].partial_credit: only multiple-choice questions give partial credit",
    ]


def test_quiz_settings_mistakes_are_located(minimal: Path) -> None:
    write(minimal, "content/q.yml", """\
kind: quiz
id: check
title: Check
draw: 3
questions:
  - id: one
    type: short-text
    prompt: Say
""")
    assert content_errors(minimal) == ["content/q.yml:7:11: questions[0].type: a short-text question needs answers or a pattern"]
    write(minimal, "content/q.yml", """\
kind: quiz
id: check
title: Check
questions:
  - {id: one, type: short-text, prompt: Say, answers: ["yes"]}
  - {id: one, type: true-false, prompt: Sure?, choices: [{text: "True", correct: true}, {text: "False"}]}
""")
    assert content_errors(minimal) == ["content/q.yml:6:10: questions[1].id: question id 'one' is used twice"]
    write(minimal, "content/q.yml", """\
kind: quiz
id: check
title: Check
draw: 3
attempts: 2
questions:
  - id: one
    type: short-text
    prompt: Say
    answers: ["yes"]
""")
    assert content_errors(minimal) == ["content/q.yml:4:7: draw: draw 3 is larger than the pool of 1 questions"]
    write(minimal, "content/q.yml", """\
kind: quiz
id: check
title: Check
attempts: 2
questions:
  - id: one
    type: short-text
    prompt: Say
    answers: ["yes"]
""")
    assert content_errors(minimal) == ["content/q.yml:4:11: attempts: attempts only applies to exams (mode: exam)"]


def test_exam_mistakes_are_located(minimal: Path) -> None:
    write(minimal, "content/exam.yml", """\
kind: quiz
id: gold
title: Gold
mode: exam
role: sales
level: golld
review: answers
questions:
  - id: one
    type: short-text
    prompt: Say
    answers: ["yes"]
    source: {talk: kickoff, start: "12:30", end: "12:00"}
""")
    assert content_errors(minimal) == ["content/exam.yml:13:50: questions[0].source.end: end 12:00 is not after start 12:30"]
    write(minimal, "content/exam.yml", """\
kind: quiz
id: gold
title: Gold
mode: exam
role: sales
level: gold
review: answers
questions:
  - {id: one, type: short-text, prompt: Say, answers: ["yes"]}
""")
    assert content_errors(minimal) == [
        "content/exam.yml:7:9: review: an exam cannot review answers: the site never holds them; use questions or score"
    ]
    write(minimal, "content/exam.yml", """\
kind: quiz
id: gold
title: Gold
mode: exam
role: sales
level: golld
questions:
  - id: one
    type: short-text
    prompt: Say
    answers: ["yes"]
    source: {talk: kickof, start: "12:30"}
""")
    assert content_errors(minimal) == [
        "content/exam.yml:4:7: mode: an exam is graded by the collector: set analytics.endpoint in site_config.yml",
        "content/exam.yml:6:8: level: unknown level 'golld' (did you mean 'gold'?)",
        "content/exam.yml:12:20: questions[0].source.talk: unknown talk 'kickof'",
    ]


def test_a_module_ends_with_a_practice_quiz_not_an_exam(minimal: Path) -> None:
    configure(minimal, analytics={"endpoint": "https://collect.example.com/e"})
    write(minimal, "content/exam.yml", """\
kind: quiz
id: gold
title: Gold
mode: exam
role: sales
level: gold
questions:
  - {id: one, type: short-text, prompt: Say, answers: ["yes"]}
""")
    write(minimal, "content/m.yml", """\
kind: module
id: with-exam
title: With exam
summary: s
roles: [sales]
minutes: 5
quiz: gold
""")
    assert content_errors(minimal) == ["content/m.yml:7:7: quiz: quiz 'gold' is an exam: a module ends with a practice quiz"]


def test_tier_requirements_name_declared_roles_and_levels(minimal: Path) -> None:
    configure(minimal, certification={"tiers": [
        {"id": "gold", "name": "Gold", "requires": [{"role": "sale", "level": "gold", "reps": 3}, {"role": "cs", "level": "platinum"}]},
    ]})
    errors = content_errors(minimal)
    assert [error.split(": ", 1)[1] for error in errors] == [
        "certification.tiers[0].requires[0].role: unknown role 'sale' (did you mean 'sales'?)",
        "certification.tiers[0].requires[1].level: unknown level 'platinum'",
    ]
