"""The report model: what every renderer (Markdown, JSON, Slack, HTML) shows.

A report is built once from a :class:`~bot.diff.Change` and the summarizer's output, then
cached and rendered many times, so it is plain data that round-trips through JSON.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.diff import Change, RefInfo


@dataclass
class Highlights:
    new_features: list[str] = field(default_factory=list)
    breaking_changes: list[str] = field(default_factory=list)
    other_updates: list[str] = field(default_factory=list)


@dataclass
class FileSummary:
    """What a summarizer says about one file."""

    modification_type: str
    modification_title: str
    explanation: str


@dataclass
class ReportSummary:
    """What a summarizer says about the change as a whole."""

    summary: str
    highlights: Highlights
    insights: str


@dataclass
class FileReport:
    filename: str
    status: str
    modification_type: str
    modification_title: str
    additions: int
    deletions: int
    explanation: str
    patch: str | None = None
    previous_filename: str | None = None
    truncated: bool = False

    @property
    def changes(self) -> int:
        return self.additions + self.deletions

    @property
    def anchor(self) -> str:
        """``item-XXXXXX``: the first six hex digits of the MD5 of the path, as in the example."""
        return "item-" + hashlib.md5(self.filename.encode("utf-8")).hexdigest()[:6]

    @property
    def basename(self) -> str:
        return self.filename.rsplit("/", 1)[-1]


@dataclass
class Totals:
    files: int
    additions: int
    deletions: int
    changes: int


@dataclass(frozen=True)
class Period:
    """A digest's time window, ISO 8601 in UTC (``2026-11-23T09:00:00Z``)."""

    since: str
    until: str


@dataclass(frozen=True)
class MergedItem:
    """One thing that landed in a digest's window: a merged pull request or a commit.

    ``number`` and ``url`` are None for a commit of a local repository.
    """

    title: str
    sha: str
    author: str
    date: str
    number: int | None = None
    url: str | None = None


@dataclass
class Report:
    title: str
    date: str
    permalink: str
    summary: str
    language: str
    repository: str
    base: RefInfo
    head: RefInfo
    highlights: Highlights
    insights: str
    files: list[FileReport]
    notes: list[str] = field(default_factory=list)
    area: str = ""
    web_url: str | None = None
    subject: str | None = None
    """The pull request's title or the commit's subject line, when the change has one."""
    period: Period | None = None
    """Set for a digest: the window it covers."""
    merged: list[MergedItem] = field(default_factory=list)
    """A digest's merged pull requests (or commits), oldest first."""

    @property
    def is_digest(self) -> bool:
        return self.period is not None

    private: bool = False
    """From a private repository: shown only while DIFFINSIGHT_ALLOWED_REPOS allows it."""

    @property
    def totals(self) -> Totals:
        additions = sum(f.additions for f in self.files)
        deletions = sum(f.deletions for f in self.files)
        return Totals(len(self.files), additions, deletions, additions + deletions)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of the README (plus ``area`` and ``web_url`` for renderers)."""
        data = {
            "title": self.title,
            "date": self.date,
            "permalink": self.permalink,
            "summary": self.summary,
            "language": self.language,
            "repository": self.repository,
            "base": asdict(self.base),
            "head": asdict(self.head),
            "highlights": asdict(self.highlights),
            "insights": self.insights,
            "totals": asdict(self.totals),
            "files": [{**asdict(f), "changes": f.changes} for f in self.files],
            "notes": list(self.notes),
            "area": self.area,
            "web_url": self.web_url,
            "subject": self.subject,
            "period": asdict(self.period) if self.period else None,
            "merged": [asdict(m) for m in self.merged],
            "private": self.private,
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        files = [
            FileReport(**{k: v for k, v in f.items() if k != "changes"}) for f in data["files"]
        ]
        return cls(
            title=data["title"],
            date=data["date"],
            permalink=data["permalink"],
            summary=data["summary"],
            language=data["language"],
            repository=data["repository"],
            base=RefInfo(**data["base"]),
            head=RefInfo(**data["head"]),
            highlights=Highlights(**data["highlights"]),
            insights=data["insights"],
            files=files,
            notes=list(data.get("notes", [])),
            area=data.get("area", ""),
            web_url=data.get("web_url"),
            subject=data.get("subject"),
            period=Period(**data["period"]) if data.get("period") else None,
            merged=[MergedItem(**m) for m in data.get("merged") or ()],
            private=bool(data.get("private", False)),
        )


def report_title(lang: str, area: str) -> str:
    return f"[{lang}] Diff Insight Report - {area}"


def digest_title(lang: str, area: str, period: Period) -> str:
    """``[en_US] Diff Insight Digest - docs (2026-11-23 to 2026-11-30)``: the window's UTC days."""
    return f"[{lang}] Diff Insight Digest - {area} ({period.since[:10]} to {period.until[:10]})"


def assemble(
    change: Change,
    file_summaries: list[FileSummary],
    overall: ReportSummary,
    *,
    lang: str,
    area: str,
    notes: list[str] | None = None,
) -> Report:
    """Join the change's facts with the summarizer's words into one :class:`Report`."""
    if len(file_summaries) != len(change.files):
        raise ValueError("one summary per file is required")
    files = [
        FileReport(
            filename=f.filename,
            status=f.status,
            modification_type=s.modification_type,
            modification_title=s.modification_title,
            additions=f.additions,
            deletions=f.deletions,
            explanation=s.explanation,
            patch=f.patch,
            previous_filename=f.previous_filename,
            truncated=f.truncated,
        )
        for f, s in zip(change.files, file_summaries, strict=True)
    ]
    return Report(
        title=report_title(lang, area),
        date=change.date,
        permalink=change.permalink,
        summary=overall.summary,
        language=lang,
        repository=change.repository,
        base=change.base,
        head=change.head,
        highlights=overall.highlights,
        insights=overall.insights,
        files=files,
        notes=[*change.notes, *(notes or [])],
        area=area,
        web_url=change.web_url,
        private=change.private,
        subject=change.title,
    )
