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


class BufferReporter:
    """Keeps what it is told, in order (as Lektor's ``BufferReporter``): for tests and for library
    callers that show progress their own way."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.warnings: list[str] = []
        self.progress_calls: list[tuple[str, float, float, str]] = []
        self.events: list[tuple[str, object]] = []
        """Every call as (``step`` | ``progress`` | ``warning``, what it said), in order."""

    def step(self, message: str) -> None:
        self.steps.append(message)
        self.events.append(("step", message))

    def progress(self, label: str, done: float, total: float, unit: str) -> None:
        self.progress_calls.append((label, done, total, unit))
        self.events.append(("progress", (label, done, total, unit)))

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        self.events.append(("warning", message))
