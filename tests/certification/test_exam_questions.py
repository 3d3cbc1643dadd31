"""An exam's questions come from the collector, one attempt at a time: prompts and choices in the
order drawn for that attempt (shuffled when the exam says so), never from the published page."""

from __future__ import annotations

from datetime import date

import pytest

from generator.collector.app import CollectorSettings
from generator.identity import Rep, sign
from generator.roster import RosterEntry
from generator.collector.exams import ExamService
from generator.model.answer_keys import element_id, exam_key, quiz_page_data
from generator.model.content import Quiz
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, running_collector
from tests.certification.test_exams import EXAM, start

REPS = [RosterEntry("acme", "Acme Resellers", f"rep-{n}", f"Rep {n}", f"rep{n}@acme.example", "sales", date(2026, 1, 5), None)
        for n in range(12)]
CHOICES = ["Outcome first", "The dashboard", "The connectors", "A discount", "The roadmap", "Price list"]
IN_ORDER = Quiz.model_validate({
    **EXAM.model_dump(exclude={"questions", "id", "shuffle_choices", "shuffle_questions", "draw"}),
    "id": "in-order", "draw": 2, "shuffle_choices": False,
    "questions": [
        {"id": "lead", "type": "single", "prompt": "Lead with?",
         "choices": [{"text": text, "correct": index == 0} for index, text in enumerate(CHOICES)]},
        {"id": "order", "type": "ordering", "prompt": "Order", "items": ["day 90", "day 60", "day 30", "day 0"]},
    ],
})
SHUFFLED = Quiz.model_validate({**IN_ORDER.model_dump(exclude={"id", "shuffle_choices"}), "id": "shuffled", "shuffle_choices": True})


@pytest.fixture
def exams(make_store):
    keys = {("2.4", quiz.id): exam_key(quiz, 365) for quiz in (EXAM, IN_ORDER, SHUFFLED)}
    service = ExamService(keys, None, REPS)  # type: ignore[arg-type]
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS), make_store(), exams=service) as running:
        yield running


def token(n: int) -> str:
    return sign(Rep("acme", f"rep-{n}", date(2026, 11, 1)), KEYS)


def test_an_attempt_carries_its_questions_as_drawn(exams) -> None:
    reply = start(exams.url, token(0))
    assert reply.status_code == 200
    drawn = reply.json()
    by_id = {question.id: question for question in EXAM.questions}
    assert [question["id"] for question in drawn["asked"]] == drawn["questions"]
    for question in drawn["asked"]:
        written = by_id[question["id"]]
        assert question["prompt"] == written.prompt and question["type"] == written.type and question["points"] == 1
        elements = question.get("choices", question.get("items", []))
        assert [element["id"] for element in elements] == drawn["order"].get(question["id"], [])
        texts = [choice.text for choice in written.choices] or written.items
        assert sorted(element["text"] for element in elements) == sorted(texts)
        assert all(element["id"] == element_id(EXAM.id, written.id, element["text"]) for element in elements)
        assert set(question) <= {"id", "type", "prompt", "points", "choices", "items"}, "nothing that tells the answer"
    assert drawn["attempts_left"] == 2
    again = start(exams.url, token(0)).json()
    assert again["asked"] == drawn["asked"] and again["attempts_left"] == 2, "resuming shows the same questions"


def test_choices_come_shuffled_only_when_the_exam_says_so(exams) -> None:
    orders = {}
    for exam in ("in-order", "shuffled"):
        orders[exam] = []
        for n in range(len(REPS)):
            drawn = start(exams.url, token(n), exam=exam).json()
            lead = next(question for question in drawn["asked"] if question["id"] == "lead")
            orders[exam].append([choice["text"] for choice in lead["choices"]])
            items = next(question for question in drawn["asked"] if question["id"] == "order")["items"]
            assert len(items) == 4
    assert all(order == CHOICES for order in orders["in-order"])
    assert sum(order != CHOICES for order in orders["shuffled"]) >= len(REPS) - 1  # 1 in 720 comes out as written
    assert len({tuple(order) for order in orders["shuffled"]}) > 1


def test_an_exam_page_carries_its_rules_only() -> None:
    data = quiz_page_data(EXAM)
    assert data == {"id": "sales-silver", "mode": "exam", "pass_mark": 75, "draw": 3, "review": "questions",
                    "attempts": 3, "retry_after_hours": 24, "time_limit_minutes": 20}
