"""The whole validated content of one site: every document by kind and id, plus the config."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Iterator

from pydantic import TypeAdapter

from generator.model.config import SiteConfig
from generator.model.content import (
    CONTENT_KINDS, Campaign, Document, LearningPath, Module, Procedure, Quiz, Responsibilities,
)
from generator.model.talk import Talk



@functools.cache
def _talks_adapter() -> TypeAdapter[dict[str, Talk]]:
    """Talks by id as JSON and back: built on first use (only the release cache reads and writes catalogs)."""
    return TypeAdapter(dict[str, Talk])


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

    def paths_of_module(self, module_id: str) -> list[LearningPath]:
        """Learning paths that list a module, in file order."""
        return self._paths_by_module.get(module_id, [])

    @functools.cached_property
    def _paths_by_module(self) -> dict[str, list[LearningPath]]:
        by_module: dict[str, list[LearningPath]] = {}
        for path in self.paths.values():
            for module_id in dict.fromkeys(path.modules):
                by_module.setdefault(module_id, []).append(path)
        return by_module

    def talks_of_module(self, module_id: str) -> list[Talk]:
        """Talks a module names, and talks that name the module, without repeats."""
        named = [self.talks[ident] for ident in self.modules[module_id].talks if ident in self.talks]
        return named + [talk for talk in self.talks.values() if module_id in talk.meta.modules and talk not in named]

    def __iter__(self) -> Iterator[Document]:
        for by_id in self.documents.values():
            yield from by_id.values()

    def to_json(self) -> str:
        """The whole catalog as JSON, read back by :meth:`from_json` into an equal catalog (what the
        release cache keeps, so the next release's what's new need not load this one again)."""
        return json.dumps({
            "config": self.config.model_dump(mode="json"),
            "documents": {kind: {ident: document.model_dump(mode="json") for ident, document in by_id.items()}
                          for kind, by_id in self.documents.items()},
            "talks": _talks_adapter().dump_python(self.talks, mode="json"),
            "sources": self.sources,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Catalog":
        """The catalog :meth:`to_json` wrote (validated again; a ValueError if it does not fit)."""
        data = json.loads(text)
        return cls(
            config=SiteConfig.model_validate(data["config"]),
            documents={kind: {ident: CONTENT_KINDS[kind].model_validate(document) for ident, document in by_id.items()}
                       for kind, by_id in data["documents"].items()},
            talks=_talks_adapter().validate_python(data["talks"]),
            sources=data["sources"],
        )
