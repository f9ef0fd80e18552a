"""Facts a docs reader wants first from one page's patch, in any of the page formats read here.

Markdown, reStructuredText and AsciiDoc pages are read into blocks (:mod:`docblocks`), their
sections paired by content (:mod:`sections`) and their edits compared (:mod:`edits`); a
release-notes page's new dated section is summarised by its groups and first entries.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.summarize.heuristic.docblocks import Block, Side, read_markdown, sides
from bot.summarize.heuristic.docreaders import read_asciidoc, read_rst
from bot.summarize.heuristic.edits import edit_facts
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.fences import starts_in_fence, starts_in_listing
from bot.summarize.heuristic.patchwalk import clip, listing
from bot.summarize.heuristic.prose import plain
from bot.summarize.heuristic.sections import (
    PageContext,
    Section,
    SectionChanges,
    compare_sections,
    key,
)

_LIMIT = 5
_RESTRUCTURED = 4  # sections added, removed and moved together that make a restructure
_RELEASE_PAGE_RE = re.compile(r"release[-_ ]?notes|whats[-_]?new|what-s-new|releases?\b", re.I)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATED_RE = re.compile(
    rf"(?:\b(?:{_MONTHS}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?\s+\d{{1,2}}|\b\d{{4}}-\d{{2}}-\d{{2}}\b|^v?\d+\.\d+(?:\.\d+)?\b|\bversion\s+\d+\.\d+)",
    re.I,
)


def _no_fence(lines: list[str]) -> bool:
    return False


_FORMATS = {
    "markdown": (read_markdown, starts_in_fence),
    "rst": (read_rst, _no_fence),
    "asciidoc": (read_asciidoc, starts_in_listing),
}


def page_sides(patch: str | None, fmt: str) -> tuple[Side, Side]:
    reader, fence = _FORMATS[fmt]
    return sides(patch, reader, fence)


def _release_groups(new_side: Side, dated: Section) -> list[tuple[str, str]]:
    """(group heading, first entry) under a dated section the patch added."""
    groups: list[tuple[str, str]] = []
    inside = False
    current = ""
    for block in new_side.blocks:
        if block.kind == "heading":
            if block.number == dated.number:
                inside = True
                continue
            if inside and block.level <= dated.level:
                break
            if inside:
                current = block.label
                groups.append((current, ""))
            continue
        if (
            inside
            and block.changed
            and block.kind in ("item", "para")
            and groups
            and not groups[-1][1]
        ):
            groups[-1] = (groups[-1][0], clip(block.shown, 90))
        elif inside and not groups and block.kind == "item":
            groups.append(("", clip(block.shown, 90)))
    return groups


def _release_facts(filename: str, new_side: Side, changes: SectionChanges) -> list[Fact]:
    """A new dated section of a release-notes page: its groups and first entries."""
    if not _RELEASE_PAGE_RE.search(filename.rsplit("/", 1)[-1]):
        return []
    facts: list[Fact] = []
    for section in list(changes.added):
        if not _DATED_RE.search(plain(section.text)):
            continue
        groups = _release_groups(new_side, section)
        names = [f'"{clip(plain(g), 30)}"' for g, _ in groups if g]
        entries = [f'{clip(plain(g), 30)}: "{e}"' if g else f'"{e}"' for g, e in groups if e][:2]
        text = f'Release notes for "{clip(plain(section.text), 50)}" added'
        if names:
            text += f" ({len(names)} group{'s' if len(names) != 1 else ''}: {listing(names, 6)})"
        if entries:
            text += f"; first entries: {'; '.join(entries)}"
        facts.append(Fact(text + ".", "feature", 7, "release notes"))
        grouped = {key(g) for g, _ in groups}
        changes.covered |= grouped | {section.key}
        changes.added = [
            s
            for s in changes.added
            if s is not section and not (s.level > section.level and s.key in grouped)
        ]
    return facts


def _heading_facts(changes: SectionChanges, added_page: bool, removed_page: bool) -> list[Fact]:
    facts: list[Fact] = []
    if added_page:  # a new page: its outline, without the title said elsewhere
        title = changes.new[0] if changes.new and changes.new[0].number <= 3 else None
        outline = [s.label() for s in changes.added if s.level > 1 and s is not title]
        if outline:
            shown = listing(outline, _LIMIT)
            facts.append(Fact(f"New sections added: {shown}.", "feature", 3, "headings"))
        return facts
    if removed_page:  # a deleted page: what of it went elsewhere is said by its moves
        if changes.removed:
            shown = listing([s.label() for s in changes.removed], _LIMIT)
            facts.append(Fact(f"Sections removed: {shown}.", "other", 3, "headings"))
        return facts
    kinds = (
        (changes.added, "added"),
        (changes.removed, "removed"),
        (changes.moved, "moved"),
        (changes.moved_away, "moved to another page"),
    )
    involved = sum(len(found) for found, _ in kinds)
    if involved >= _RESTRUCTURED and sum(bool(found) for found, _ in kinds) >= 2:
        parts = [
            f"{len(found)} section{'s' if len(found) != 1 else ''} {verb}"
            for found, verb in kinds
            if found
        ]
        facts.append(Fact(f"Article restructured: {listing(parts)}.", "other", 4, "headings"))
    for old, new in changes.renamed[:_LIMIT]:
        level = f" (H{old.level})" if old.exact else ""
        text = f'Heading renamed{level}: "{_q(old.text)}" -> "{_q(new.text)}".'
        if old.level != new.level and old.exact:
            text = f"Heading renamed: {old.label()} -> {new.label()}."
        facts.append(Fact(text, "other", 5 if old.level == 1 else 4, "headings"))
    if len(changes.renamed) > _LIMIT:
        more = len(changes.renamed) - _LIMIT
        facts.append(Fact(f"{more} more headings renamed.", "other", 2, "headings"))
    if changes.added:
        shown = listing([s.label() for s in changes.added], _LIMIT)
        facts.append(Fact(f"New sections added: {shown}.", "feature", 5, "headings"))
    if changes.removed:
        shown = listing([s.label() for s in changes.removed], _LIMIT)
        facts.append(Fact(f"Sections removed: {shown}.", "other", 4, "headings"))
    if changes.moved:
        shown = listing([f'"{_q(s.text)}"' for s in changes.moved], _LIMIT)
        facts.append(Fact(f"Sections moved within the page: {shown}.", "other", 3, "headings"))
    return facts


def _q(text: str) -> str:
    return clip(plain(text), 70)


def page_facts(
    filename: str, patch: str | None, fmt: str, page: PageContext | None = None
) -> tuple[list[Fact], SectionChanges]:
    """Section, edit and release-notes facts of one page, and its section changes; sections
    the rest of the change took over (``page.moved_out``) are told as moved, not removed."""
    old_side, new_side = page.sides if page and page.sides else page_sides(patch, fmt)
    if page is not None and page.changes is not None and page.sides is not None:
        # Compared once for the change as a whole; this page's facts edit their own copy.
        changes = replace(page.changes, covered=set(page.changes.covered))
    else:
        changes = compare_sections(old_side, new_side)
    if page is not None and page.moved_out:
        changes.moved_away = [s for s in changes.removed if s.key in page.moved_out]
        changes.removed = [s for s in changes.removed if s.key not in page.moved_out]
    release = _release_facts(filename, new_side, changes)
    added_page = page is not None and page.status == "added"
    removed_page = page is not None and page.status == "removed"
    headings = _heading_facts(changes, added_page, removed_page)
    edits = (
        [] if removed_page else edit_facts(old_side, new_side, changes)
    )  # a page gone is one fact
    facts = [*release, *headings, *edits]
    return facts, changes


def page_title(patch: str | None, fmt: str, new_side: Side | None = None) -> str | None:
    """The page's title as ``new_side`` (by default the patch's new side) shows it: its first
    level-1 heading, or (reStructuredText, whose levels are only an order) a heading on the
    page's first lines. Never a code comment."""
    if new_side is None:
        _, new_side = page_sides(patch, fmt)
    headings = [block for block in new_side.blocks if block.kind == "heading"]
    first = next((b for b in headings if b.level == 1 and b.exact), None)
    if first is None and headings and not headings[0].exact and headings[0].number <= 3:
        first = headings[0]
    return clip(plain(first.label), 70) if first is not None else None


def headings_of(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.kind == "heading"]
