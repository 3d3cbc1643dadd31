"""Grading one answer and one attempt: the same rules as the practice widget (quiz.js) applies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from generator.model.answer_keys import QuestionKey

_CJK = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_EDGE_PUNCTUATION = re.compile(r"^[\s\.,;:!?。、．，！？「」『』\"']+|[\s\.,;:!?。、．，！？「」『』\"']+$")


def normalise(text: str) -> str:
    """Text as short answers are compared: NFKC (full-width Ａ１ and half-width ｶﾅ become A1 and カナ),
    case folded, spaces collapsed, none beside Japanese characters, punctuation at either end dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split())
    text = _SPACE_NEXT_TO_CJK.sub("", text)
    return _EDGE_PUNCTUATION.sub("", text)


def grade_answer(key: QuestionKey, answer: Any) -> float:
    """Share of the question's points an answer earns, from 0 to 1; a malformed answer earns 0."""
    if key.type in ("single", "true-false"):
        return 1.0 if isinstance(answer, str) and [answer] == key.correct else 0.0
    if key.type == "multiple":
        if not isinstance(answer, list) or not all(isinstance(item, str) for item in answer):
            return 0.0
        picked = set(answer)
        right = set(key.correct)
        if not key.partial_credit:
            return 1.0 if picked == right else 0.0
        return max(0.0, (len(picked & right) - len(picked - right)) / len(right))
    if key.type == "short-text":
        if not isinstance(answer, str):
            return 0.0
        given = normalise(answer)
        if given and given in {normalise(accepted) for accepted in key.answers}:
            return 1.0
        return 1.0 if key.pattern is not None and re.fullmatch(key.pattern, given) else 0.0
    if key.type == "ordering":
        return 1.0 if answer == key.correct else 0.0
    raise ValueError(key.type)


@dataclass(frozen=True)
class Grade:
    """The verdict on one attempt."""

    score: int
    """Percent of the points available in the questions asked, rounded down."""
    passed: bool
    earned: dict[str, float]
    """Share of its points each question earned, by question id."""


def grade_attempt(keys: Iterable[QuestionKey], answers: dict[str, Any], pass_mark: int) -> Grade:
    """Grade the answers (by question id) to the questions asked; a question left out earns nothing."""
    keys = list(keys)
    earned = {key.id: grade_answer(key, answers.get(key.id)) for key in keys}
    points = {key.id: key.points for key in keys}
    available = sum(points.values())
    score = int(100 * sum(share * points[ident] for ident, share in earned.items()) / available + 1e-9)
    return Grade(score, score >= pass_mark, earned)
