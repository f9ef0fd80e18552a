"""The deterministic summarizer: the offline default, built only from facts found in the diff.

Each file's facts (see :mod:`bot.summarize.heuristic.files`) decide its modification type, give
its title the parts that changed, and become the explanation's bullet points; the report's
highlights, insights and summary are ranked selections of the same facts
(:mod:`bot.summarize.heuristic.overall`). Nothing is invented, so the text is as trustworthy as
the diff.
"""

from __future__ import annotations

import logging

from bot import messages
from bot.diff import Change, FileChange
from bot.report import FileSummary, ReportSummary
from bot.request import ProgressFn
from bot.summarize import SummaryResult
from bot.summarize.heuristic.api_facts import ChangeFacts, change_facts
from bot.summarize.heuristic.code import language_of
from bot.summarize.heuristic.docfacts import page_title
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.files import collect_facts, is_markdown
from bot.summarize.heuristic.markdown import document_title
from bot.summarize.heuristic.overall import build_overall
from bot.summarize.heuristic.pages import DocsContext, doc_format, docs_context

logger = logging.getLogger(__name__)

_MAJOR_LINES = 150
_STRUCTURAL = ("headings", "code", "table", "dependencies", "settings")
_EXPLANATION_FACTS = 12
_TOPIC_WORDS = {
    "headings": "sections", "table": "table", "front matter": "front matter", "links": "links",
    "text": "text", "code": "code", "dependencies": "dependencies", "version": "version",
    "mode": "file mode", "binary": "binary content", "submodule": "submodule", "missing": "content",
    "settings": "settings", "comments": "comments", "values": "text", "alerts": "notes",
    "lists": "lists", "release notes": "release notes", "toc": "TOC", "page": "page",
    "page place": "TOC", "moves": "sections",
}  # fmt: skip


def file_facts(
    f: FileChange, whole: ChangeFacts | None = None, docs: DocsContext | None = None
) -> list[str]:
    """Short factual sentences about one file (headings, front matter, tables, API...).

    The items are :class:`~bot.summarize.heuristic.facts.Fact` values: ``str`` with a ``kind``.
    ``whole`` is :func:`change_facts` of the change (once per report), for files read whole;
    ``docs`` what the change's other docs pages say (:func:`docs_context`, once per report).
    """
    return list(collect_facts(f, whole, docs))


def _is_docs(f: FileChange) -> bool:
    return is_markdown(f.filename) or f.filename.lower().endswith((".rst", ".txt", ".adoc"))


def modification_type(f: FileChange, facts: list[Fact]) -> str:
    """One word of MODIFICATION_TYPES, from the file's status and the weight of its facts."""
    code = language_of(f.filename) is not None
    if any(fact.kind == "breaking" for fact in facts):
        return "breaking change"
    if f.status in ("renamed", "copied") and not f.changes:
        return "renamed"
    if f.status == "added":
        return "new feature" if code and any(x.kind == "feature" for x in facts) else "new content"
    if f.status == "removed":
        return "removed content"
    structural = sum(1 for fact in facts if fact.topic in _STRUCTURAL)
    if f.changes >= _MAJOR_LINES or (f.changes >= 40 and structural >= 3):
        return "major update"
    if any(fact.kind == "feature" for fact in facts):
        return "new feature" if code and not _is_docs(f) else "new content"
    return "minor update"


def _topics(facts: list[Fact]) -> list[str]:
    words: list[str] = []
    for fact in facts:
        word = _TOPIC_WORDS.get(fact.topic)
        if word and word not in words:
            words.append(word)
    return words[:2]


def modification_title(
    f: FileChange, kind: str, facts: list[Fact], docs: DocsContext | None = None
) -> str:
    """A short title naming the page or file and, where known, which parts of it changed."""
    name = f.filename.rsplit("/", 1)[-1]
    if f.status in ("renamed", "copied") and f.previous_filename:
        old = f.previous_filename.rsplit("/", 1)[-1]
        verb = "Renamed" if f.status == "renamed" else "Copied"
        target = name if old != name else f.filename
        edited = " with edits" if f.changes else ""
        return f"{verb} {old} to {target}{edited}"
    title = _page_title(f, docs)
    subject = f'"{title}"' if title else name
    if f.missing_reason and not f.patch:
        return f"Updated {subject} (diff not available)"
    if f.status == "added":
        return f"Added {subject}"
    if f.status == "removed":
        return f"Removed {subject}"
    topics = " and ".join(_topics(facts))
    where = f" {topics} in" if topics else ""
    inside = [x for x in facts if x.startswith("Code changed inside ") and " more" not in x]
    if inside and topics == "code" and len([x for x in facts if x.topic == "code"]) == 1:
        where = " " + inside[0].removeprefix("Code changed inside ").rstrip(".") + " in"
    if kind == "breaking change":
        return f"Breaking changes to {subject}"
    if kind == "major update":
        return f"Reworked{where} {subject}"
    if kind in ("new feature", "new content"):
        return f"New{where or ' content in'} {subject}"
    return f"Updated{where} {subject}"


def _intro(f: FileChange, kind: str) -> str:
    counts = f" ({f.additions} added, {f.deletions} removed lines)" if f.changes else ""
    if f.status == "added" and (f.binary or f.submodule or not f.changes):
        what = "binary file" if f.binary else ("submodule" if f.submodule else "empty file")
        return f"`{f.filename}` is a new {what} ({kind})."
    if f.status == "added":
        lines = "line" if f.additions == 1 else "lines"
        return f"`{f.filename}` is a new file of {f.additions} {lines} ({kind})."
    if f.status == "removed":
        return f"`{f.filename}` was deleted{counts}."
    if f.status in ("renamed", "copied") and f.previous_filename:
        verb = "renamed" if f.status == "renamed" else "copied"
        article = "" if kind.endswith("content") else "a "
        edits = f", with {article}{kind}{counts}" if f.changes else ", without edits"
        return f"`{f.filename}` was {verb} from `{f.previous_filename}`{edits}."
    article = "" if kind.endswith("content") else "a "
    return f"`{f.filename}` has {article}{kind}{counts}."


def explanation(f: FileChange, kind: str, facts: list[Fact]) -> str:
    lines = [_intro(f, kind)]
    shown = facts[:_EXPLANATION_FACTS]
    if shown:
        lines.append("\n".join(f"- {fact}" for fact in shown))
    if len(facts) > len(shown):
        lines[-1] += f"\n- and {len(facts) - len(shown)} more changes."
    if not facts:
        lines.append("No content change was found beyond the line counts above.")
    return "\n\n".join(lines)


def _page_title(f: FileChange, docs: DocsContext | None) -> str | None:
    page = docs.page(f.filename) if docs is not None else None
    if page is not None and page.sides is not None:
        return page.titles.get(f.filename)  # read with the change's other pages already
    if not f.patch:
        return None
    if is_markdown(f.filename):
        return document_title(f.patch)
    fmt = doc_format(f.filename)
    return page_title(f.patch, fmt) if fmt else None


def _summarize(
    f: FileChange, whole: ChangeFacts | None, docs: DocsContext | None = None
) -> tuple[FileSummary, list[Fact]]:
    try:
        facts = collect_facts(f, whole, docs)
    except Exception:  # one odd patch must not cost the whole report
        logger.exception(
            "heuristic fact extraction failed; file %s keeps its counts only", f.filename
        )
        facts = []
    kind = modification_type(f, facts)
    title = modification_title(f, kind, facts, docs)
    summary = FileSummary(kind, title, explanation(f, kind, facts))
    return summary, facts


def summarize_file(
    f: FileChange, whole: ChangeFacts | None = None, docs: DocsContext | None = None
) -> FileSummary:
    """The heuristic's words for one file: type, title and a fact-by-fact explanation."""
    return _summarize(f, whole, docs)[0]


def summarize_overall(
    change: Change, files: list[FileSummary], facts: list[list[str]]
) -> ReportSummary:
    """Summary, highlights and insights from every file's summary and facts."""
    return build_overall(change, files, facts)


class HeuristicSummarizer:
    """Deterministic, offline summarizer; writes English whatever language is asked for."""

    name = "heuristic"

    def summarize(
        self, change: Change, lang: str, progress: ProgressFn | None = None
    ) -> SummaryResult:
        total = len(change.files)
        summaries: list[FileSummary] = []
        all_facts: list[list[str]] = []
        step = max(1, total // 100)
        whole = change_facts(change)
        docs = docs_context(change.files)
        for done, f in enumerate(change.files, start=1):
            summary, facts = _summarize(f, whole, docs)
            summaries.append(summary)
            all_facts.append(list(facts))
            if progress is not None and (done % step == 0 or done == total):
                progress("summarizing", done, total)
        notes: list[str] = list(whole.notes)
        if not lang.lower().startswith("en"):
            notes.append(messages.HEURISTIC_ENGLISH_ONLY.format(lang=lang))
        overall = build_overall(change, summaries, all_facts)
        return SummaryResult(files=summaries, overall=overall, notes=notes)
