"""The example site, built for real: no exam answer, explanation or correct-choice marker anywhere
under the deployable folder; the answer keys are in private/exams/, outside it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.certification.keys import element_id, read_exam_keys
from generator.commands.build import build
from generator.load.content import load_project

REPO = Path(__file__).resolve().parents[2]
PUBLIC_QUESTION_KEYS = {"id", "type", "prompt", "points", "choices", "items"}


def test_exam_answers_stay_out_of_the_deployable_folder(tmp_path: Path) -> None:
    project = tmp_path / "example"
    for name in ("content", "transcripts", "site_config.yml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    build(project, project / "site")
    catalog = load_project(project)
    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    assert exams, "the example has an exam"

    secrets: list[str] = []
    for exam in exams:
        for question in exam.questions:
            secrets += [text for text in (question.explanation, question.pattern) if text]
            secrets += [choice.feedback for choice in question.choices if choice.feedback]
            right = [element_id(exam.id, question.id, text) for text in question.items]
            if right:
                secrets.append(json.dumps(right))
    assert len(secrets) >= 5
    files = [path for path in (project / "site").rglob("*") if path.is_file()]
    assert len(files) > 50
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = [secret for secret in secrets if secret in text or json.dumps(secret, ensure_ascii=False)[1:-1] in text]
        assert not found, f"{path.relative_to(project)} publishes {found}"

    for exam in exams:
        page = (project / "site" / "quizzes" / exam.id / "index.html").read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script type="application/json" class="pk-quiz-data">(.*?)</script>', page).group(1))
        for question in data["quiz"]["questions"]:
            assert set(question) <= PUBLIC_QUESTION_KEYS, question
            for choice in question.get("choices", []) + question.get("items", []):
                assert set(choice) == {"id", "text"}, choice

    keys = read_exam_keys(project)
    assert sorted(ident for _, ident in keys) == sorted(exam.id for exam in exams)
    assert (project / "private" / "exams" / "site.json").is_file()
    search_index = (project / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert exams[0].questions[0].prompt not in search_index, "quiz internals stay out of the search index"
