"""What one change does to a docs site as a whole: pages added or removed, where they sit in
the TOC, and sections that left one page for another.

A page's facts alone cannot say that the preview instructions it lost went to a new page in
the same change; this module reads every docs page and TOC file of the change once, before the
per-file facts, and hands each page what concerns it (:class:`PageContext`).
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.diff import FileChange
from bot.summarize.heuristic.docfacts import page_facts, page_sides, page_title
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import clip, code, listing
from bot.summarize.heuristic.prose import plain, similarity
from bot.summarize.heuristic.sections import PageContext, Section, compare_sections
from bot.summarize.heuristic.toc import (
    TocEntry,
    entry_facts,
    is_toc,
    toc_changes,
    toctree_changes,
)

logger = logging.getLogger(__name__)
_FORMATS = {
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".rst": "rst", ".rest": "rst",
    ".adoc": "asciidoc", ".asciidoc": "asciidoc",
}  # fmt: skip
_SUFFIX_RE = re.compile(
    r"\s+[|]\s+[^|]{1,60}$|\s+[-–—]\s+(?:Microsoft (?:Docs|Learn)|Docs|Documentation)$"
)
_MOVE_SIMILARITY = 0.5
_MOVE_WORDS = 12
_PAGES_LIMIT = 300  # docs pages compared across a change (GitHub lists 300 files per page)
_COMPARISONS = 20_000  # section bodies compared across pages, at most, per change
_TITLE_RE = re.compile(r"^\+?title:(.*\S.*)$")


def doc_format(filename: str) -> str | None:
    base = filename.rsplit("/", 1)[-1].lower()
    dot = base.rfind(".")
    return _FORMATS.get(base[dot:]) if dot > 0 else None


def without_site_suffix(title: str) -> str:
    """A page title without the site's name (" | Microsoft Docs", " - Microsoft Learn")."""
    title = " ".join(title.split()[:40]).strip("'\"")  # one line of words, bounded
    stripped = _SUFFIX_RE.sub("", title)
    return stripped or title


@dataclass
class DocsContext:
    pages: dict[str, PageContext] = field(default_factory=dict)

    def page(self, filename: str) -> PageContext | None:
        return self.pages.get(filename)


def _front_title(patch: str | None, sign: str = "+") -> str | None:
    """A front-matter ``title:`` near the top, on the new side (``+``) or the old (``-``)."""
    for line in (patch or "").split("\n")[:60]:
        match = _TITLE_RE.match(line[1:]) if line[:1] in (" ", sign) else None
        if match:
            return without_site_suffix(match.group(1))
    return None


def _title(f: FileChange, page: PageContext) -> str | None:
    """The page's title: the new side's, or the old side's for a deleted page."""
    fmt = doc_format(f.filename)
    if fmt is None:
        return None
    gone = f.status == "removed"
    side = page.sides[1 if not gone else 0] if page.sides else None
    return _front_title(f.patch, "-" if gone else "+") or page_title(f.patch, fmt, side)


def _sections(f: FileChange, page: PageContext) -> tuple[list[Section], list[Section]]:
    """Sections this page lost and gained (all of them, for a page added or deleted)."""
    fmt = doc_format(f.filename)
    if fmt is None or not f.patch:
        return [], []
    old_side, new_side = page_sides(f.patch, fmt)
    page.sides = (old_side, new_side)
    changes = page.changes = compare_sections(old_side, new_side)
    if f.status == "removed":
        return changes.old, []
    if f.status == "added":
        return [], changes.new
    return changes.removed, changes.added


def _matches(lost: Section, gained: Section) -> bool:
    a, b = lost.tree, gained.tree
    small, large = sorted((sum(a.values()), sum(b.values())))
    if small < 0.3 * large and lost.key != gained.key:
        return False  # too different in size to share half their words
    if min(sum(a.values()), sum(b.values())) < _MOVE_WORDS:
        return lost.key == gained.key and sum(a.values()) > 0 and similarity(a, b) >= 0.3
    return similarity(a, b) >= _MOVE_SIMILARITY or (
        lost.key == gained.key and similarity(a, b) >= 0.3
    )


def _find_moves(read: dict[str, tuple[list[Section], list[Section]]], context: DocsContext) -> None:
    """Sections one page lost that another page of the change gained (same heading, or the
    same words). Headings are matched by a lookup; word comparisons stop at a fixed budget,
    so a change of thousands of sections costs no more than a few thousand comparisons."""
    gained_by_key: dict[str, list[tuple[str, Section]]] = {}
    for target, (_, gained) in read.items():
        for section in gained:
            gained_by_key.setdefault(section.key, []).append((target, section))
    budget = _COMPARISONS
    for source, (lost, _) in read.items():
        for section in lost:
            found = next(
                (
                    t
                    for t, g in gained_by_key.get(section.key, [])
                    if t != source and _matches(section, g)
                ),
                None,
            )
            for target, (_, gained) in read.items():
                if found is not None or budget <= 0:
                    break
                if target != source:
                    budget -= len(gained)
                    if any(_matches(section, g) for g in gained):
                        found = target
            if found is not None:
                context.pages[source].moved_out[section.key] = found
                context.pages[found].moved_in[source] += 1


def docs_context(files: Sequence[FileChange]) -> DocsContext:
    """Read the change's docs pages and TOC files together, once.

    Whatever goes wrong here costs only the cross-page facts (logged): each page is still
    read on its own by its file's facts, so one odd page never costs the report.
    """
    try:
        return _read_together(files)
    except Exception:
        logger.exception("docs pages could not be read together; pages are read one by one")
        return DocsContext()


def _read_together(files: Sequence[FileChange]) -> DocsContext:
    context = DocsContext()
    docs = [f for f in files if doc_format(f.filename) and not is_toc(f.filename) and f.patch]
    for f in files:
        if doc_format(f.filename) and not is_toc(f.filename):
            context.pages[f.filename] = PageContext(status=f.status)
    read = {f.filename: _sections(f, context.pages[f.filename]) for f in docs[:_PAGES_LIMIT]}
    titles = {f.filename: t for f in docs if (t := _title(f, context.pages[f.filename]))}
    for page in context.pages.values():
        page.titles = titles
    _find_moves(read, context)
    for f in files:
        for entries, attr in zip(_listings(f, context), ("toc_added", "toc_removed"), strict=True):
            for entry in entries:
                listed_page = _page_for(entry, context)
                if listed_page is not None:
                    getattr(listed_page, attr).append(entry)
    new_pages = sum(1 for page in context.pages.values() if page.status == "added")
    for page in context.pages.values():
        page.new_pages = new_pages
    return context


def _listings(f: FileChange, context: DocsContext) -> tuple[list[TocEntry], list[TocEntry]]:
    """TOC entries a file adds and removes: a TOC file's, or a Sphinx page's toctree's."""
    page = context.pages.get(f.filename)
    if page is not None and page.sides is not None and doc_format(f.filename) == "rst":
        page.toctree = toctree_changes(f.filename, *page.sides)
        return page.toctree
    if is_toc(f.filename) and f.patch:
        return toc_changes(f.filename, f.patch)
    return [], []


def _page_for(entry: TocEntry, context: DocsContext) -> PageContext | None:
    path = entry.page()
    if path in context.pages:
        return context.pages[path]
    base = posixpath.basename(path)
    found = [name for name in context.pages if posixpath.basename(name) == base]
    return context.pages[found[0]] if len(found) == 1 else None


def _name(path: str, titles: dict[str, str]) -> str:
    title = titles.get(path)
    shown = code(posixpath.basename(path))
    return f'{shown} ("{clip(title, 60)}")' if title else shown


def context_facts(filename: str, page: PageContext | None, removed: list[Section]) -> list[Fact]:
    """Facts the rest of the change adds to a page: its moves, and its place in the TOC."""
    if page is None:
        return []
    facts: list[Fact] = []
    by_target: dict[str, list[str]] = {}
    for section in removed:
        target = page.moved_out.get(section.key)
        if target:
            by_target.setdefault(target, []).append(f'"{clip(plain(section.text), 50)}"')
    if len(by_target) > 2:  # a page split up: one fact, the pages by how much each took
        ranked = sorted(by_target.items(), key=lambda item: -len(item[1]))
        shown = [f"{code(posixpath.basename(t))} ({len(n)})" for t, n in ranked]
        text = f"Content split into {len(ranked)} pages (sections each took): {listing(shown, 6)}."
        facts.append(Fact(text, "other", 7, "moves"))
        by_target = {}
    for target, names in by_target.items():
        unique = list(dict.fromkeys(names))
        text = f"Content moved to {_name(target, page.titles)}: {listing(unique, 4)}."
        facts.append(Fact(text, "other", 7, "moves"))
    for source, count in page.moved_in.items():
        sections = f"{count} section{'s' if count != 1 else ''}"
        facts.append(
            Fact(
                f"Takes {sections} over from {code(posixpath.basename(source))}.",
                "other",
                3,
                "moves",
            )
        )
    return [*facts, *_place_facts(filename, page)]


def _first_toc(entries: list[TocEntry]) -> TocEntry | None:
    """The entry to name: the one in a ``toc.yml`` first (a landing page's index.yml after)."""
    ordered = sorted(entries, key=lambda e: e.toc.rsplit("/", 1)[-1] != "toc.yml")
    return ordered[0] if ordered else None


def _place_facts(filename: str, page: PageContext) -> list[Fact]:
    """A page added, deleted, listed or unlisted: by its title and its TOC place."""
    title = page.titles.get(filename)
    named = f' "{clip(title, 60)}"' if title else ""
    listed, unlisted = _first_toc(page.toc_added), _first_toc(page.toc_removed)
    where = ""
    if listed is not None:
        place = f' after "{clip(listed.after, 40)}"' if listed.after else ""
        as_named = (
            f' as "{clip(listed.title, 50)}"' if listed.title and listed.title != title else ""
        )
        where = f" listed in {code(posixpath.basename(listed.toc))}{as_named}{place}"
    if page.status == "added":
        if page.new_pages > 2:  # many: grouped as new files; the TOC file's fact lists them
            return [Fact(f"New page{named}{where}.", "other", 3, "page place")] if where else []
        return [Fact(f"New page{named}{where}.", "feature", 7, "page")] if where or title else []
    out = f", taken out of {code(posixpath.basename(unlisted.toc))}" if unlisted else ""
    if page.status == "removed":
        return [Fact(f"Page{named} deleted{out}.", "other", 5, "page")] if title or out else []
    if listed is not None:
        return [Fact(f"Page{named}{where}.", "other", 4, "page")]
    if unlisted is not None:
        was = f' (was "{clip(unlisted.title, 50)}")' if unlisted.title else ""
        toc = code(posixpath.basename(unlisted.toc))
        return [Fact(f"Page taken out of {toc}{was}.", "other", 5, "page")]
    return []


def doc_page_facts(filename: str, patch: str | None, page: PageContext | None) -> list[Fact]:
    """A reStructuredText or AsciiDoc page's facts (Markdown adds front matter and tables)."""
    fmt = doc_format(filename)
    if fmt is None:
        return []
    facts, sections = page_facts(filename, patch, fmt, page)
    toctree = entry_facts(*page.toctree) if page is not None else []
    return [*context_facts(filename, page, sections.moved_away), *facts, *toctree]
