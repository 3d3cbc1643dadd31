"""Cross-document checks: unique ids, references that resolve, prerequisites without cycles."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from generator.layout import CONTENT_DIR
from generator.errors import ContentError
from generator.files import unpublishable
from generator.load.triggers import check_procedure
from generator.load.validation import did_you_mean
from generator.load.yaml_source import Loc, SourceDocument
from generator.model.catalog import Catalog
from generator.model.config import SiteConfig
from generator.model.talk import Talk
from generator.model.content import (
    ALL_SEGMENTS, Campaign, Document, LearningPath, Module, Procedure, Quiz, Responsibilities,
)


class _Checker:
    def __init__(self, config: SiteConfig, documents: dict[str, dict[str, Document]], invalid: set[str]):
        self.config = config
        self.documents = documents
        self.invalid = invalid
        self.errors: list[ContentError] = []

    def known(self, source: SourceDocument, loc: Loc, noun: str, value: str, names: Collection[str]) -> None:
        if f"{noun}:{value}" in self.invalid:
            return  # that document failed validation, which was reported where it is defined
        if value not in names:
            self.errors.append(source.error(loc, f"unknown {noun} '{value}'{did_you_mean(value, names)}"))

    def refs(self, source: SourceDocument, loc: Loc, kind: str, values: list[str]) -> None:
        names = self.documents.get(kind, {}).keys()  # looked up by hash: not a list copied and searched per reference
        for index, value in enumerate(values):
            self.known(source, (*loc, index), kind, value, names)

    def roles(self, source: SourceDocument, loc: Loc, values: list[str]) -> None:
        for index, value in enumerate(values):
            self.known(source, (*loc, index), "role", value, self.config.role_ids)


def check_references(
    config: SiteConfig, placed: list[tuple[Document, SourceDocument]], root: Path, invalid: set[str] = frozenset(),
    talks: dict[str, Talk] | None = None,
) -> tuple[Catalog, list[ContentError]]:
    """Build the catalog from validated documents and report every broken cross-reference.

    ``invalid`` holds content ids of documents that failed validation: references to them are not
    reported again."""
    documents: dict[str, dict[str, Document]] = {}
    sources: dict[str, SourceDocument] = {}
    errors: list[ContentError] = []
    for document, source in placed:
        by_id = documents.setdefault(document.kind_name, {})
        if document.id in by_id:
            first = sources[document.content_id]
            position = first.position(("id",))
            errors.append(source.error(
                ("id",),
                f"duplicate {document.kind_name} id '{document.id}' "
                f"(first defined at {first.path}:{position.line}:{position.col})",
            ))
            continue
        by_id[document.id] = document
        sources[document.content_id] = source

    check = _Checker(config, documents, invalid)
    for content_id, source in sources.items():
        kind, _, ident = content_id.partition(":")
        document = documents[kind][ident]
        if isinstance(document, Module):
            check.roles(source, ("roles",), document.roles)
            check.refs(source, ("prerequisites",), "module", document.prerequisites)
            if document.stage is not None:
                check.known(source, ("stage",), "stage", document.stage, config.stage_ids)
            for index, section in enumerate(document.sections):
                if section.stage is not None:
                    check.known(source, ("sections", index, "stage"), "stage", section.stage, config.stage_ids)
            for index, resource in enumerate(document.resources):
                if resource.stage is not None:
                    check.known(source, ("resources", index, "stage"), "stage", resource.stage, config.stage_ids)
            for index, ident in enumerate(document.talks):
                check.known(source, ("talks", index), "talk", ident, list(talks or {}))
            if document.quiz is not None:
                check.known(source, ("quiz",), "quiz", document.quiz, list(documents.get("quiz", {})))
                quiz = documents.get("quiz", {}).get(document.quiz)
                if isinstance(quiz, Quiz) and quiz.mode == "exam":
                    check.errors.append(source.error(
                        ("quiz",), f"quiz '{quiz.id}' is an exam: a module ends with a practice quiz"
                    ))
            for index, resource in enumerate(document.resources):
                if resource.file is None:
                    continue
                path = root / CONTENT_DIR / resource.file
                refused = unpublishable(path, root)
                if refused or not path.is_file():
                    check.errors.append(source.error(
                        ("resources", index, "file"), f"content/{resource.file}: {refused}" if refused
                        else f"file not found: content/{resource.file}"
                    ))
        elif isinstance(document, LearningPath):
            check.known(source, ("role",), "role", document.role, config.role_ids)
            check.refs(source, ("modules",), "module", document.modules)
        elif isinstance(document, Procedure):
            check.errors.extend(check_procedure(document, source, config))
            segments = [ALL_SEGMENTS, *config.segment_ids]
            for index, step in enumerate(document.steps):
                for segment in step.owner:
                    loc = ("steps", index, "owner", segment)
                    if segment not in segments and loc in source.values:
                        check.errors.append(source.error(
                            loc, f"unknown segment '{segment}'{did_you_mean(segment, segments)}", key=True
                        ))
        elif isinstance(document, Responsibilities):
            for index, plan in enumerate(document.segments):
                check.known(source, ("segments", index, "segment"), "segment", plan.segment, config.segment_ids)
        elif isinstance(document, Campaign):
            check.roles(source, ("roles",), document.roles)
            check.refs(source, ("modules",), "module", document.modules)
        elif isinstance(document, Quiz):
            if document.role is not None:
                check.known(source, ("role",), "role", document.role, config.role_ids)
            if document.level is not None:
                check.known(source, ("level",), "level", document.level, config.certification.levels)
            if document.mode == "exam" and not config.analytics.endpoint:
                check.errors.append(source.error(
                    ("mode",), "an exam is graded by the collector: set analytics.endpoint in site_config.yml"
                ))
            for index, question in enumerate(document.questions):
                if question.source is not None:
                    check.known(source, ("questions", index, "source", "talk"), "talk", question.source.talk,
                                list(talks or {}))
    modules = list(documents.get("module", {}))
    for talk in (talks or {}).values():
        for ident in talk.meta.modules:
            if ident not in modules:
                check.errors.append(ContentError(
                    talk.source, 1, 1, "modules", f"unknown module '{ident}'{did_you_mean(ident, modules)}"
                ))
    errors.extend(check.errors)
    errors.extend(_prerequisite_cycles(documents.get("module", {}), sources))
    catalog = Catalog(config, documents, talks or {}, {cid: src.path for cid, src in sources.items()})
    return catalog, errors


def _prerequisite_cycles(modules: dict[str, Document], sources: dict[str, SourceDocument]) -> list[ContentError]:
    """One error per cycle, at the prerequisite entry of the first module (in file order) that closes it."""
    errors: list[ContentError] = []
    done: set[str] = set()
    reported: set[frozenset[str]] = set()

    def visit(ident: str, trail: list[str]) -> None:
        if ident in trail:
            cycle = trail[trail.index(ident):] + [ident]
            members = frozenset(cycle)
            if members not in reported:
                reported.add(members)
                start = cycle[0]
                module = modules[start]
                index = module.prerequisites.index(cycle[1])  # type: ignore[attr-defined]
                errors.append(sources[f"module:{start}"].error(
                    ("prerequisites", index), f"prerequisite cycle: {' → '.join(cycle)}"
                ))
            return
        if ident in done or ident not in modules:
            return
        for prerequisite in modules[ident].prerequisites:  # type: ignore[attr-defined]
            visit(prerequisite, [*trail, ident])
        done.add(ident)

    for ident in modules:
        visit(ident, [])
    return errors
