"""The learning funnel per partner and learning path, and the time it takes to certify.

Each stage counts the reps of the path's role who did that step, whatever they skipped (a rep who
passes the exam without pressing "Mark as done" counts as having passed it; the path-completed stage
then shows who did not mark their modules), so every figure is true on its own:

1. **rostered**: reps on the roster (not left by ``today``) whose role is the path's;
2. **started**: opened a page of the path (the path or one of its modules), marked a module done or
   holds a certificate;
3. **path completed**: every module of the path is done in the learner record;
4. **practice passed**: passed a practice quiz of the path's modules;
5. **exam passed**: holds a certificate (of any status) for an exam of the path's role;
6. **certified and valid**: that certificate is valid ``today``.

Days to certify: per rep with a certificate, from the first day they opened any page to the day their
certificate was issued (the store keeps the last issue day: a renewal moves it); the median over the
partner's reps of the role."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from generator.certification.certificates import Certificate
from generator.roster import RosterEntry

STAGES = ("rostered", "started", "path_completed", "practice_passed", "exam_passed", "certified_valid")
STAGE_NAMES = ("Rostered", "Started", "Path completed", "Practice passed", "Exam passed", "Certified and valid")


@dataclass(frozen=True)
class PathPlan:
    """What the funnel needs of one learning path."""

    id: str
    title: str
    role: str
    modules: tuple[str, ...]
    practice_quizzes: tuple[str, ...]
    exams: tuple[str, ...]
    """Exam ids of the path's role."""


@dataclass(frozen=True)
class FunnelRow:
    partner: str
    partner_name: str
    path: str
    path_title: str
    rostered: int
    started: int
    path_completed: int
    practice_passed: int
    exam_passed: int
    certified_valid: int
    median_days_to_certificate: float | None


def funnel(roster: Iterable[RosterEntry], paths: Iterable[PathPlan], opened: dict[tuple[str, str], set[str]],
           first_seen: dict[tuple[str, str], date], done: set[tuple[str, str, str]], practice_passed: set[tuple[str, str, str]],
           certificates: Iterable[Certificate], today: date) -> list[FunnelRow]:
    """One row per partner and path. ``opened``: content ids each (partner, rep) opened; ``first_seen``:
    the first day each opened any page; ``done``: (partner, rep, module) done now; ``practice_passed``:
    (partner, rep, quiz) passed."""
    current = [entry for entry in roster if entry.left is None or entry.left > today]
    held: dict[tuple[str, str, str], Certificate] = {(c.partner, c.rep, c.exam): c for c in certificates}
    rows = []
    for path in paths:
        pages = {f"path:{path.id}", *(f"module:{ident}" for ident in path.modules)}
        for partner in sorted({entry.partner_id for entry in current}):
            reps = [entry for entry in current if entry.partner_id == partner and entry.role == path.role]
            if not reps:
                continue
            certified = {who: [held[(*who, exam)] for exam in path.exams if (*who, exam) in held]
                         for who in ((e.partner_id, e.rep_id) for e in reps)}
            tests = [
                lambda who: True,
                lambda who: bool(opened.get(who, set()) & pages) or any((*who, m) in done for m in path.modules)
                or bool(certified[who]),
                lambda who: all((*who, m) in done for m in path.modules),
                lambda who: any((*who, q) in practice_passed for q in path.practice_quizzes),
                lambda who: bool(certified[who]),
                lambda who: any(c.status(today) != "expired" for c in certified[who]),
            ]
            counts = [sum(1 for entry in reps if test((entry.partner_id, entry.rep_id))) for test in tests]
            days = [(min(c.issued for c in certified[who]) - first_seen[who]).days
                    for who in certified if certified[who] and who in first_seen]
            rows.append(FunnelRow(partner, reps[0].partner_name or partner, path.id, path.title,
                                  *counts, statistics.median(days) if days else None))
    return rows


def funnel_inputs(totals, records, quizzes) -> tuple[dict, dict, set, set]:
    """``opened``, ``first_seen``, ``done`` and ``practice_passed`` for :func:`funnel` from the daily
    totals and the learner record's rows (``store_learning.all_modules`` and ``all_quizzes``)."""
    opened: dict[tuple[str, str], set[str]] = {}
    first_seen: dict[tuple[str, str], date] = {}
    for total in totals:
        if total.rep and total.views:
            who = (total.partner, total.rep)
            opened.setdefault(who, set()).add(total.content)
            day = date.fromisoformat(total.day)
            first_seen[who] = min(day, first_seen.get(who, day))
    done = {(row.partner, row.rep, row.module) for row in records if row.done}
    passed = {(row.partner, row.rep, row.quiz) for row in quizzes if row.passed_at is not None}
    return opened, first_seen, done, passed


def path_plans(catalog) -> list[PathPlan]:
    """Each learning path of a catalog as the funnel needs it."""
    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    return [PathPlan(path.id, path.title, path.role, tuple(path.modules),
                     tuple(dict.fromkeys(catalog.modules[m].quiz for m in path.modules
                                         if m in catalog.modules and catalog.modules[m].quiz
                                         and catalog.modules[m].quiz in catalog.quizzes
                                         and catalog.quizzes[catalog.modules[m].quiz].mode == "practice")),
                     tuple(quiz.id for quiz in exams if quiz.role == path.role)) for path in catalog.paths.values()]
