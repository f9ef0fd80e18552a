"""Sections of a documentation page matched by what they say, not where they stand.

Each heading removed or added in the patch carries its section's text (the blocks under it,
as far as the hunk shows). A heading that comes back with the same words is the same section
(moved when the order of the page's headings changed); a heading replaced by another is a
rename only when the body under it largely stays, else one section went and another came. A
page's only H1 replaced by another H1 is a new title whatever its body does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from bot.summarize.heuristic.docblocks import Block, Side
from bot.summarize.heuristic.prose import pair_by_words, plain
from bot.summarize.heuristic.toc import TocEntry

RENAME_SIMILARITY = 0.5
MOVE_SIMILARITY = 0.5


@dataclass
class Section:
    """A heading as one side of the patch shows it, with the words of its body."""

    text: str
    level: int
    number: int
    changed: bool
    exact: bool = True
    own: Counter[str] = field(default_factory=Counter)  # words up to the next heading
    tree: Counter[str] = field(default_factory=Counter)  # words up to the next one as high

    @cached_property
    def key(self) -> str:
        """The heading as compared: its words, lower-cased, markup taken off."""
        return key(self.text)

    def label(self) -> str:
        """``H2 "Usage"`` where the syntax fixes the level (Markdown, AsciiDoc), else the text:
        a reStructuredText level is only the order its underline first appeared in."""
        if not self.exact:
            return f'"{_short(self.text)}"'
        return f'H{self.level} "{_short(self.text)}"'

    @property
    def body(self) -> Counter[str]:
        return self.own if sum(self.own.values()) >= 8 else self.tree


@dataclass
class PageContext:
    """What the rest of the change says about one page."""

    status: str = "modified"

    moved_out: dict[str, str] = field(default_factory=dict)  # section key -> page it went to
    moved_in: Counter[str] = field(default_factory=Counter)  # page it came from -> sections
    toc_added: list[TocEntry] = field(default_factory=list)
    toc_removed: list[TocEntry] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # other pages' titles, by path
    new_pages: int = 0  # pages the whole change adds
    sides: tuple[Side, Side] | None = None  # the page as read for the change, read once
    changes: SectionChanges | None = None  # its sections compared, once (copy before editing)
    toctree: tuple[list[TocEntry], list[TocEntry]] = ([], [])  # its own toctree's entries


@dataclass
class SectionChanges:
    """What happened to a page's sections."""

    added: list[Section] = field(default_factory=list)
    removed: list[Section] = field(default_factory=list)
    renamed: list[tuple[Section, Section]] = field(default_factory=list)
    moved: list[Section] = field(default_factory=list)
    moved_away: list[Section] = field(default_factory=list)  # to another page of the change
    covered: set[str] = field(default_factory=set)  # section keys another fact tells whole
    old: list[Section] = field(default_factory=list)  # every heading the old side shows
    new: list[Section] = field(default_factory=list)


def _short(text: str) -> str:
    text = plain(text).replace('"', "'")  # a heading quoted inside a fact's own quotes
    return text if len(text) <= 70 else text[:69].rsplit(" ", 1)[0] + "…"


def key(text: str) -> str:
    return " ".join(plain(text).lower().split()).rstrip(":")


def _sections(side: Side) -> list[Section]:
    found: list[Section] = []
    for hunk in side.hunks:
        open_here: list[Section] = []
        for block in hunk:
            if block.kind == "heading":
                section = Section(
                    block.label, block.level, block.number, block.changed, block.exact
                )
                open_here = [s for s in open_here if s.level < section.level]
                open_here.append(section)
                found.append(section)
                continue
            counted = block.word_counts
            for section in open_here:
                section.tree.update(counted)
            if open_here:
                open_here[-1].own.update(counted)
    return found


def _lcs_keys(a: list[str], b: list[str]) -> set[int]:
    """Indexes of ``b`` in one longest common subsequence with ``a`` (lists of headings)."""
    if len(a) * len(b) > 250_000:  # a huge page: treat the order as kept
        return set(range(len(b)))
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    kept: set[int] = set()
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(j)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def compare_sections(old_side: Side, new_side: Side) -> SectionChanges:
    """Pair the removed and added headings of a page by their text and their bodies."""
    changes = SectionChanges(old=_sections(old_side), new=_sections(new_side))
    removed = [s for s in changes.old if s.changed]
    added = [s for s in changes.new if s.changed]
    same: list[tuple[Section, Section]] = []
    waiting: dict[str, list[Section]] = {}
    for new in added:
        waiting.setdefault(new.key, []).append(new)
    for old in removed:
        twins = waiting.get(old.key)
        if twins:
            same.append((old, twins.pop(0)))
    paired_old = {id(old) for old, _ in same}
    paired_new = {id(new) for _, new in same}
    removed = [s for s in removed if id(s) not in paired_old]
    added = [s for s in added if id(s) not in paired_new]
    titles_old = [s for s in removed if s.level == 1]
    titles_new = [s for s in added if s.level == 1]
    if len(titles_old) == 1 and len(titles_new) == 1:
        changes.renamed.append((titles_old[0], titles_new[0]))
        removed.remove(titles_old[0])
        added.remove(titles_new[0])
    renamed, added, removed = pair_by_words(
        removed,
        added,
        lambda section: section.body,
        RENAME_SIMILARITY,
        lambda old, new: sum(old.body.values()) >= 3 and sum(new.body.values()) >= 3,
    )
    changes.renamed.extend(renamed)
    changes.added, changes.removed = added, removed
    changes.moved = _moved(changes, same)
    return changes


def _moved(changes: SectionChanges, same: list[tuple[Section, Section]]) -> list[Section]:
    """Sections removed and added back with the same heading whose place among the page's
    other headings changed (a diff often removes and re-adds a heading it did not move)."""
    if not same:
        return []
    old_keys = [s.key for s in sorted(changes.old, key=lambda s: s.number)]
    new_sorted = sorted(changes.new, key=lambda s: s.number)
    new_keys = [s.key for s in new_sorted]
    shared = set(old_keys) & set(new_keys)
    a = [k for k in old_keys if k in shared]
    b_sections = [s for s in new_sorted if s.key in shared]
    kept = _lcs_keys(a, [s.key for s in b_sections])
    out_of_order = {id(b_sections[i]) for i in range(len(b_sections)) if i not in kept}
    return [new for _, new in same if id(new) in out_of_order]


def blocks_by_section(side: Side, changed: bool = True) -> dict[str, list[Block]]:
    """The changed (or the unchanged) blocks of one side, headings aside, by section key."""
    found: dict[str, list[Block]] = {}
    for block in side.blocks:
        if block.kind != "heading" and block.changed == changed:
            found.setdefault(key(block.section), []).append(block)
    return found
