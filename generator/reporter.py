"""Progress output kept out of build logic (as Lektor does): library code reports, the CLI renders."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    """What long-running library code tells the outside world."""

    def step(self, message: str) -> None:
        """A stage started or finished, e.g. ``Rendering 42 pages``."""

    def progress(self, label: str, done: float, total: float, unit: str) -> None:
        """Progress of a long task, e.g. transcription: ``done`` of ``total`` ``unit``."""

    def warning(self, message: str) -> None:
        """Something the user should know that does not stop the build."""


class NullReporter:
    """Reports nothing (tests, library use)."""

    def step(self, message: str) -> None:
        pass

    def progress(self, label: str, done: float, total: float, unit: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass
