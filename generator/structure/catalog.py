"""The whole validated content of one site: every document by kind and id, plus the config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from generator.structure.config import SiteConfig
from generator.structure.content import (
    Campaign, Document, LearningPath, Module, Procedure, Quiz, Responsibilities,
)
from generator.structure.talk import Talk


@dataclass(frozen=True)
class Catalog:
    """Cross-checked content, ready to render. Documents keep their file order within a kind."""

    config: SiteConfig
    documents: dict[str, dict[str, Document]] = field(default_factory=dict)
    talks: dict[str, Talk] = field(default_factory=dict)
    """Recorded talks from ``transcripts/``, by id (the file name without extension)."""
    sources: dict[str, str] = field(default_factory=dict)
    """Source file of each document, by content id (``module:pricing`` → ``content/modules/pricing.yml``)."""

    def of_kind(self, kind: str) -> dict[str, Document]:
        return self.documents.get(kind, {})

    @property
    def modules(self) -> dict[str, Module]:
        return self.of_kind("module")  # type: ignore[return-value]

    @property
    def paths(self) -> dict[str, LearningPath]:
        return self.of_kind("path")  # type: ignore[return-value]

    @property
    def procedures(self) -> dict[str, Procedure]:
        return self.of_kind("procedure")  # type: ignore[return-value]

    @property
    def responsibilities(self) -> dict[str, Responsibilities]:
        return self.of_kind("responsibilities")  # type: ignore[return-value]

    @property
    def campaigns(self) -> dict[str, Campaign]:
        return self.of_kind("campaign")  # type: ignore[return-value]

    @property
    def quizzes(self) -> dict[str, Quiz]:
        return self.of_kind("quiz")  # type: ignore[return-value]

    @property
    def practice_quiz_ids(self) -> list[str]:
        """Ids of the quizzes graded in the browser, whose results the beacon may send."""
        return [quiz.id for quiz in self.quizzes.values() if quiz.mode == "practice"]

    def modules_in_learning_order(self) -> list[Module]:
        """Modules with every prerequisite before the modules that need it; otherwise in file order."""
        ordered: list[Module] = []
        placed: set[str] = set()

        def place(module: Module) -> None:
            if module.id in placed:
                return
            placed.add(module.id)
            for prerequisite in module.prerequisites:
                if prerequisite in self.modules:
                    place(self.modules[prerequisite])
            ordered.append(module)

        for module in self.modules.values():
            place(module)
        return ordered

    def talks_of_module(self, module_id: str) -> list[Talk]:
        """Talks a module names, and talks that name the module, without repeats."""
        named = [self.talks[ident] for ident in self.modules[module_id].talks if ident in self.talks]
        return named + [talk for talk in self.talks.values() if module_id in talk.meta.modules and talk not in named]

    def __iter__(self) -> Iterator[Document]:
        for by_id in self.documents.values():
            yield from by_id.values()
