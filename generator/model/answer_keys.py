"""What a quiz page may show and what only the collector may know, defined once.

A practice page carries its questions (prompts, choice texts, ids) with their answer key, feedback
and explanations, since the browser grades it. An exam page carries only its rules (pass mark,
questions drawn, attempts, time limit): its questions, choices and answer key go to
``private/exams/<release>.json`` (written by ``certification/answer_key_files.py``), outside the deployable
folder, where the collector reads them and sends each attempt only the questions drawn for it.

A pure projection of the model: no file is read or written here.

Choices and ordering items are named by a hash of the quiz, question and text: stable across
releases while the text stays, and telling nothing about which one is right."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from generator.model.catalog import Catalog
from generator.model.content import CHOICE_TYPES, Question, Quiz

def element_id(quiz: str, question: str, text: str) -> str:
    """Id of a choice or ordering item: stable while its text stays, meaningless otherwise."""
    return hashlib.sha256(f"{quiz}\x00{question}\x00{text}".encode()).hexdigest()[:12]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionKey(_Strict):
    """How one question is graded."""

    id: str
    type: Literal["single", "multiple", "true-false", "short-text", "ordering"]
    points: int = 1
    choices: list[str] = []
    """Every choice id (choice questions) or item id (ordering), as written."""
    correct: list[str] = []
    """Right choice ids, or item ids in the right order."""
    partial_credit: bool = False
    answers: list[str] = []
    pattern: str | None = None
    prompt: str = ""
    """The question as the rep reads it: sent with the attempt that draws it, never published."""
    texts: dict[str, str] = {}
    """Text of each choice or ordering item, by id: sent with the attempt, never published."""


class Recertification(_Strict):
    """Holders of this exam from earlier releases must pass it again by ``by``."""

    releases: list[str]
    """Releases whose certificates are affected."""
    by: date
    changed_percent: int
    """Share of the questions added, removed or changed since the previous release."""


class ExamKey(_Strict):
    """Everything the collector needs to run and grade one exam."""

    id: str
    title: str
    role: str
    level: str
    pass_mark: int
    draw: int
    shuffle_questions: bool
    shuffle_choices: bool
    attempts: int | None
    retry_after_hours: float
    time_limit_minutes: int | None
    review: Literal["questions", "score"]
    validity_days: int
    summary: str = ""
    """The exam's summary: the description of the achievement in its certificates' credentials."""
    recertify: Recertification | None = None
    questions: list[QuestionKey]

    def question(self, ident: str) -> QuestionKey:
        return next(question for question in self.questions if question.id == ident)


class ExamKeyFile(_Strict):
    release: str
    """Release name; empty on an unversioned site."""
    exams: dict[str, ExamKey]


def question_key(quiz: Quiz, question: Question) -> QuestionKey:
    if question.type in CHOICE_TYPES:
        ids = [element_id(quiz.id, question.id, choice.text) for choice in question.choices]
        correct = [ids[index] for index in question.correct_choices]
    elif question.type == "ordering":
        ids = [element_id(quiz.id, question.id, item) for item in question.items]
        correct = ids
    else:
        ids, correct = [], []
    texts = [choice.text for choice in question.choices] if question.type in CHOICE_TYPES else list(question.items)
    return QuestionKey(id=question.id, type=question.type, points=question.points, choices=ids, correct=correct,
                       partial_credit=question.partial_credit, answers=question.answers, pattern=question.pattern,
                       prompt=question.prompt, texts=dict(zip(ids, texts)))


def public_question(quiz: Quiz, question: Question) -> dict[str, Any]:
    """A practice question as its page shows it: prompt and choices (ordering items listed by id,
    which scrambles the right order)."""
    data: dict[str, Any] = {"id": question.id, "type": question.type, "prompt": question.prompt,
                            "points": question.points}
    if question.type in CHOICE_TYPES:
        data["choices"] = [{"id": element_id(quiz.id, question.id, choice.text), "text": choice.text}
                           for choice in question.choices]
    if question.type == "ordering":
        data["items"] = sorted(({"id": element_id(quiz.id, question.id, item), "text": item} for item in question.items),
                               key=lambda item: item["id"])
    return data


def quiz_page_data(quiz: Quiz) -> dict[str, Any]:
    """The JSON a quiz page hands to the widget. Practice: questions with their keys, feedback and
    explanations. Exam: the rules, nothing else (the collector sends the questions of each attempt)."""
    data: dict[str, Any] = {"id": quiz.id, "mode": quiz.mode, "pass_mark": quiz.pass_mark, "draw": quiz.drawn,
                            "review": quiz.review_policy}
    if quiz.mode == "exam":
        data.update(attempts=quiz.attempts, retry_after_hours=quiz.retry_after_hours,
                    time_limit_minutes=quiz.time_limit_minutes)
        return data
    questions = []
    for question in quiz.questions:
        public = public_question(quiz, question)
        key = question_key(quiz, question)
        public.update(key.model_dump(include={"correct", "partial_credit", "answers", "pattern"}))
        public["explanation"] = question.explanation
        public["feedback"] = {element_id(quiz.id, question.id, choice.text): choice.feedback
                              for choice in question.choices if choice.feedback}
        questions.append(public)
    data.update(questions=questions, shuffle_questions=quiz.shuffle_questions, shuffle_choices=quiz.shuffle_choices)
    return data


def exam_key(quiz: Quiz, validity_days: int, recertify: Recertification | None = None) -> ExamKey:
    return ExamKey(
        id=quiz.id, title=quiz.title, role=quiz.role or "", level=quiz.level or "", pass_mark=quiz.pass_mark,
        draw=quiz.drawn, shuffle_questions=quiz.shuffle_questions, shuffle_choices=quiz.shuffle_choices,
        attempts=quiz.attempts, retry_after_hours=quiz.retry_after_hours, time_limit_minutes=quiz.time_limit_minutes,
        review=quiz.review_policy, validity_days=validity_days, summary=quiz.summary, recertify=recertify,
        questions=[question_key(quiz, question) for question in quiz.questions],
    )


def changed_percent(old: Quiz, new: Quiz) -> int:
    """Percent of questions added, removed or changed between two versions of a quiz (of the larger pool)."""
    before = {question.id: question for question in old.questions}
    after = {question.id: question for question in new.questions}
    changed = sum(1 for ident in before.keys() | after.keys() if before.get(ident) != after.get(ident))
    return round(100 * changed / max(len(before), len(after)))


def exam_keys_of(catalog: Catalog, previous: Catalog | None = None, earlier_releases: tuple[str, ...] = (),
                 released: date | None = None) -> dict[str, ExamKey]:
    """The exam keys of one release's catalog. Exams that changed by at least the configured share
    since the ``previous`` release's catalog ask holders from ``earlier_releases`` to recertify
    within ``recertify_days`` of ``released`` (default: today)."""
    settings = catalog.config.certification
    keys: dict[str, ExamKey] = {}
    for quiz in catalog.quizzes.values():
        if quiz.mode != "exam":
            continue
        recertify = None
        old = previous.quizzes.get(quiz.id) if previous is not None else None
        if old is not None and old.mode == "exam":
            changed = changed_percent(old, quiz)
            if changed >= settings.recertify_threshold:
                start = released or date.today()
                recertify = Recertification(releases=list(earlier_releases), by=start + timedelta(days=settings.recertify_days),
                                            changed_percent=changed)
        keys[quiz.id] = exam_key(quiz, settings.validity_days, recertify)
    return keys
