"""The example site, built for real: no exam question, choice, answer, explanation or correct-choice
marker anywhere under the deployable folder (the collector sends each attempt its questions); the
exam keys are in private/exams/, outside it."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from generator.model.answer_keys import element_id
from generator.certification.answer_key_files import read_exam_keys
from generator.commands.build import build
from generator.load.content import load_project

REPO = Path(__file__).resolve().parents[2]
EXAM_RULES = {"id", "mode", "pass_mark", "draw", "review", "attempts", "retry_after_hours", "time_limit_minutes"}


def test_exam_answers_stay_out_of_the_deployable_folder(tmp_path: Path) -> None:
    project = tmp_path / "example"
    for name in ("content", "transcripts", "site_config.yml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    build(project, project / "site")
    catalog = load_project(project)
    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    assert exams, "the example has an exam"

    practised = {text for quiz in catalog.quizzes.values() if quiz.mode == "practice" for question in quiz.questions
                 for text in [question.prompt, *(choice.text for choice in question.choices), *question.items]}
    secrets: list[str] = []
    for exam in exams:
        for question in exam.questions:
            secrets += [text for text in (question.explanation, question.pattern) if text]
            secrets += [choice.feedback for choice in question.choices if choice.feedback]
            right = [element_id(exam.id, question.id, text) for text in question.items]
            if right:
                secrets.append(json.dumps(right))
            # The prompt and every choice and item text (words as short as "True" occur in any page), but
            # not those a practice quiz repeats: a practice page publishes its questions on purpose.
            secrets += [text for text in [question.prompt, *(choice.text for choice in question.choices), *question.items]
                        if len(text) > 12 and text not in practised]
            secrets += [element_id(exam.id, question.id, choice.text) for choice in question.choices]
            secrets += [element_id(exam.id, question.id, item) for item in question.items]
    assert len(secrets) >= 30
    files = [path for path in (project / "site").rglob("*") if path.is_file()]
    assert len(files) > 50
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = [secret for secret in secrets if secret in text or json.dumps(secret, ensure_ascii=False)[1:-1] in text]
        assert not found, f"{path.relative_to(project)} publishes {found}"

    for exam in exams:
        page = (project / "site" / "quizzes" / exam.id / "index.html").read_text(encoding="utf-8")
        data = json.loads(html.unescape(re.search(r'<div class="pk-quiz pk-quiz--\w+"[^>]* data-pk-data="([^"]*)"', page).group(1)))
        assert set(data["quiz"]) == EXAM_RULES, "an exam page carries its rules only"

    keys = read_exam_keys(project)
    assert sorted(ident for _, ident in keys) == sorted(exam.id for exam in exams)
    assert (project / "private" / "exams" / "site.json").is_file()
    search_index = (project / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert exams[0].questions[0].prompt not in search_index, "quiz internals stay out of the search index"
    practice = next(quiz for quiz in catalog.quizzes.values() if quiz.mode == "practice")
    practice_page = (project / "site" / "quizzes" / practice.id / "index.html").read_text(encoding="utf-8")
    assert json.dumps(practice.questions[0].prompt, ensure_ascii=False)[1:-1] in practice_page, "practice quizzes work offline"
