"""Summarizers turn a :class:`~bot.diff.Change` into the words of a report.

Two implementations share one interface: the deterministic heuristic one (offline default)
and the LLM one. The report builder only knows this interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.diff import Change
from bot.report import FileSummary, ReportSummary
from bot.request import ProgressFn

MODIFICATION_TYPES = (
    "new feature",
    "breaking change",
    "major update",
    "minor update",
    "new content",
    "removed content",
    "renamed",
)
"""The fixed vocabulary of ``modification_type``, shared by every summarizer."""


@dataclass
class SummaryResult:
    files: list[FileSummary]
    overall: ReportSummary
    notes: list[str] = field(default_factory=list)


class Summarizer(Protocol):
    name: str

    def summarize(
        self, change: Change, lang: str, progress: ProgressFn | None = None
    ) -> SummaryResult: ...
