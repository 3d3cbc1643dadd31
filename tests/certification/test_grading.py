"""Grading every question type, and Japanese-aware short-text matching."""

from __future__ import annotations

import pytest

from generator.certification.grading import grade_answer, grade_attempt, normalise
from generator.model.answer_keys import QuestionKey

pytestmark = pytest.mark.unit


def key(**fields) -> QuestionKey:
    return QuestionKey(**{"id": "q", **fields})


SINGLE = key(type="single", choices=["a", "b", "c"], correct=["b"])
MULTIPLE = key(type="multiple", choices=["a", "b", "c", "d"], correct=["a", "b", "c"])
PARTIAL = key(type="multiple", choices=["a", "b", "c", "d"], correct=["a", "b", "c"], partial_credit=True)
ORDERING = key(type="ordering", choices=["x", "y", "z"], correct=["x", "y", "z"])


@pytest.mark.parametrize(("question", "answer", "share"), [
    (SINGLE, "b", 1), (SINGLE, "a", 0), (SINGLE, ["b"], 0), (SINGLE, None, 0),
    (key(type="true-false", choices=["t", "f"], correct=["f"]), "f", 1),
    (MULTIPLE, ["c", "a", "b"], 1), (MULTIPLE, ["a", "b"], 0), (MULTIPLE, ["a", "b", "c", "d"], 0), (MULTIPLE, "a", 0),
    (PARTIAL, ["a", "b"], 2 / 3), (PARTIAL, ["a", "b", "d"], 1 / 3), (PARTIAL, ["a", "d"], 0), (PARTIAL, ["d"], 0),
    (ORDERING, ["x", "y", "z"], 1), (ORDERING, ["y", "x", "z"], 0), (ORDERING, "xyz", 0),
])
def test_choice_and_ordering_answers(question: QuestionKey, answer, share: float) -> None:
    assert grade_answer(question, answer) == pytest.approx(share)


@pytest.mark.parametrize(("given", "expected"), [
    ("ＡＢＣ１２３", "abc123"),          # full-width Latin letters and digits
    ("ﾍﾙｽｽｺｱ", "ヘルススコア"),          # half-width katakana
    ("  Net   Revenue Retention. ", "net revenue retention"),
    ("解約率　の　低下", "解約率の低下"),  # ideographic spaces between Japanese words
    ("「ヘルススコア」。", "ヘルススコア"),
    ("Health Score 60", "health score 60"),
])
def test_normalisation(given: str, expected: str) -> None:
    assert normalise(given) == expected


def test_short_text_answers_and_patterns() -> None:
    question = key(type="short-text", answers=["ヘルススコア", "Health score"], pattern=r"(nrr|net revenue retention)")
    assert grade_answer(question, "ﾍﾙｽｽｺｱ") == 1
    assert grade_answer(question, "health   SCORE.") == 1
    assert grade_answer(question, "ＮＲＲ") == 1
    assert grade_answer(question, "nrr growth") == 0, "a pattern matches the whole answer"
    assert grade_answer(question, "") == 0
    assert grade_answer(question, ["ヘルススコア"]) == 0


def test_attempt_score_weights_points_and_rounds_down() -> None:
    heavy = key(id="heavy", type="single", choices=["a", "b"], correct=["a"], points=2)
    light = key(id="light", type="single", choices=["a", "b"], correct=["a"])
    third = key(id="third", type="single", choices=["a", "b"], correct=["a"])
    grade = grade_attempt([heavy, light, third], {"heavy": "a", "light": "b"}, pass_mark=50)
    assert (grade.score, grade.passed, grade.earned) == (50, True, {"heavy": 1.0, "light": 0.0, "third": 0.0})
    assert grade_attempt([light, third], {"light": "a"}, pass_mark=51).passed is False
    assert grade_attempt([heavy, light, third], {"heavy": "a"}, pass_mark=0).score == 50
    assert grade_attempt([light, third, heavy], {"light": "a"}, pass_mark=0).score == 25
