"""Table-of-contents entries added and removed: toc.yml, index.yml, mkdocs.yml nav, nav.adoc.

A docs site lists its pages in a TOC file, and a reader wants a new page named by its title
and its place there. Entries are read from the patch by key (``name``/``href`` in DocFX's
toc.yml, ``text``/``url`` in a Learn landing page's index.yml, ``Title: page.md`` in mkdocs'
``nav``, ``xref:page.adoc[Title]`` in Antora's nav.adoc); the entry just above an added one,
as the hunk shows it, says where it went.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from bot.summarize.heuristic.docblocks import Block, Side
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import clip, code, iter_runs, listing

_YAML_PAIR_RE = re.compile(r"^(\s*)(-\s+)?(name|href|text|url|title|topicHref):(.*)$")
_MKDOCS_RE = re.compile(
    r"^(\s*)-\s+(?:(['\"]?)([^:'\"]{1,200})\2:\s+)?(['\"]?)([\w./-]{1,300}\.(?:md|html|ipynb))\4\s*$"
)
_LINK_KEYS = frozenset({"href", "url", "topicHref"})
_TOCTREE_RE = re.compile(r"^(?:([^<]{1,200})<)?([\w./:-]{1,300})>?$")
_ADOC_NAV_RE = re.compile(r"^(\*{1,6})\s+xref:([^\[\s]{1,300})\[([^\]]{0,200})\]")


@dataclass(frozen=True)
class TocEntry:
    title: str
    href: str
    toc: str  # the TOC file's path
    after: str = ""  # the entry above it, when the hunk shows one

    def page(self) -> str:
        """The entry's page as a repository path (relative to the TOC's folder)."""
        href = self.href.split("#", 1)[0].split("?", 1)[0]
        href = re.sub(r"^(?:[\w.-]+:){1,2}(?=[^/])", "", href)  # Antora's module:page prefix
        if href.startswith(("http://", "https://", "/")):
            return href
        folder = posixpath.dirname(self.toc)
        if posixpath.basename(self.toc) == "mkdocs.yml":
            folder = posixpath.join(folder, "docs")
        if self.toc.endswith("nav.adoc"):
            folder = posixpath.join(folder, "pages")
        return posixpath.normpath(posixpath.join(folder, href))


def is_toc(filename: str) -> bool:
    base = filename.rsplit("/", 1)[-1].lower()
    return base in (
        "toc.yml",
        "toc.yaml",
        "index.yml",
        "mkdocs.yml",
        "mkdocs.yaml",
        "nav.adoc",
        "_toc.yml",
    )


def _yaml_entries(lines: list[str]) -> list[tuple[str, str]]:
    """(title, href) pairs from toc.yml-like lines; an item starts at a ``- `` key."""
    entries: list[tuple[str, str]] = []
    title = href = ""
    for line in lines:
        match = _YAML_PAIR_RE.match(line)
        if not match:
            continue
        if match.group(2) and (title or href):
            entries.append((title, href))
            title = href = ""
        value = match.group(4).strip().strip("'\"")
        if match.group(3) in ("name", "text", "title"):
            title = value
        else:
            href = value
    if title or href:
        entries.append((title, href))
    return [(t, h) for t, h in entries if h]


def _line_entries(lines: list[str], filename: str) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for line in lines:
        if filename.endswith("nav.adoc"):
            match = _ADOC_NAV_RE.match(line)
            if match:
                entries.append((match.group(3), match.group(2)))
        else:
            mk = _MKDOCS_RE.match(line)
            if mk:
                entries.append(((mk.group(3) or "").strip(), mk.group(5)))
    return entries


def _entries(lines: list[str], filename: str) -> list[tuple[str, str]]:
    base = filename.rsplit("/", 1)[-1].lower()
    if base.startswith("mkdocs") or base == "nav.adoc":
        return _line_entries(lines, filename)
    return _yaml_entries(lines)


def toc_changes(filename: str, patch: str | None) -> tuple[list[TocEntry], list[TocEntry]]:
    """Entries the patch added and removed (an entry moved or retitled is in both)."""
    added: list[TocEntry] = []
    removed: list[TocEntry] = []
    seen: list[str] = []  # lines above the run, on the new side, for "after"
    for run in iter_runs(patch):
        if run.hunk_start:
            seen = []
        seen.extend(run.before)
        before = _entries(seen[-12:], filename)
        after = before[-1][0] if before else ""
        new = _entries(run.added, filename)
        old = _entries(run.removed, filename)
        old_set, new_set = set(old), set(new)
        for title, href in new:
            if (title, href) not in old_set:
                added.append(TocEntry(title, href, filename, after))
            after = title or after
        removed.extend(TocEntry(t, h, filename) for t, h in old if (t, h) not in new_set)
        seen.extend(run.added)
    return added, removed


def toctree_changes(filename: str, old: Side, new: Side) -> tuple[list[TocEntry], list[TocEntry]]:
    """Entries a reStructuredText page's ``.. toctree::`` gained and lost (Sphinx's TOC)."""
    sides = []
    for side in (old, new):
        entries: list[tuple[str, str]] = []
        for block in side.blocks:
            if block.kind == "toctree":  # context entries are on both sides and cancel out
                entries.extend(_toctree_entries(block))
        sides.append(entries)
    before, after = sides
    old_set, new_set = set(before), set(after)
    added: list[TocEntry] = []
    previous = ""
    for title, href in after:
        if (title, href) not in old_set:
            added.append(TocEntry(title, href, filename, previous))
        previous = title or href
    removed = [TocEntry(t, h, filename) for t, h in before if (t, h) not in new_set]
    return added, removed


def _toctree_entries(block: Block) -> list[tuple[str, str]]:
    """``Title <path>`` or ``path`` lines of a toctree's body (options and blanks skipped)."""
    found: list[tuple[str, str]] = []
    for line in block.lines:
        text = line.text.strip()
        if not text or text.startswith((":", "..")) or len(text) > 300:
            continue
        match = _TOCTREE_RE.match(text)
        if match:
            path = match.group(2)
            href = path if path.endswith((".rst", ".md")) or "://" in path else f"{path}.rst"
            found.append(((match.group(1) or "").strip(), href))
    return found


def _entry(entry: TocEntry, with_place: bool = False) -> str:
    """``"Title" (`page.md`, after "Other")``, or `` `page.md` `` when it has no title."""
    notes = [code(entry.href)] if entry.title else []
    if with_place and entry.after:
        notes.append(f'after "{clip(entry.after, 40)}"')
    head = f'"{clip(entry.title, 60)}"' if entry.title else code(entry.href)
    return f"{head} ({', '.join(notes)})" if notes else head


def toc_facts(filename: str, patch: str | None) -> list[Fact]:
    """What a TOC file's change does to the site's navigation."""
    return [*entry_facts(*toc_changes(filename, patch)), *_retitled_in_place(patch)]


def _retitled_in_place(patch: str | None) -> list[Fact]:
    """An entry's ``name:`` edited while its ``href:`` stayed as context (a typo fixed)."""
    found: list[str] = []
    for run in iter_runs(patch):
        old = [m for line in run.removed if (m := _YAML_PAIR_RE.match(line))]
        new = [m for line in run.added if (m := _YAML_PAIR_RE.match(line))]
        if len(old) != len(new) or any(m.group(3) in _LINK_KEYS for m in [*old, *new]):
            continue
        for before, after in zip(old, new, strict=True):
            a, b = before.group(4).strip().strip("'\""), after.group(4).strip().strip("'\"")
            if before.group(3) == after.group(3) and a != b:
                found.append(f'"{clip(a, 60)}" -> "{clip(b, 60)}"')
    if not found:
        return []
    return [Fact(f"TOC entries retitled: {listing(found, 4)}.", "other", 4, "toc")]


def entry_facts(added: list[TocEntry], removed: list[TocEntry]) -> list[Fact]:
    """TOC entries added, removed, moved and retitled, as facts."""
    by_href = {e.href: e for e in removed}
    facts: list[Fact] = []
    retitled = [
        (by_href[e.href], e)
        for e in added
        if e.href in by_href and by_href[e.href].title != e.title
    ]
    for old, new in retitled[:4]:
        facts.append(
            Fact(
                f"TOC entry for {code(new.href)} retitled: "
                f'"{clip(old.title, 60)}" -> "{clip(new.title, 60)}".',
                "other",
                4,
                "toc",
            )
        )
    moved = {e.href for e in added if e.href in by_href and by_href[e.href].title == e.title}
    changed = {o.href for o, _ in retitled} | moved
    fresh = [e for e in added if e.href not in changed]
    gone = [e for e in removed if e.href not in changed]
    if fresh:
        shown = [_entry(e, with_place=True) for e in fresh]
        facts.append(Fact(f"TOC entries added: {listing(shown, 4)}.", "other", 4, "toc"))
    if gone:
        shown = [_entry(e) for e in gone]
        facts.append(Fact(f"TOC entries removed: {listing(shown, 4)}.", "other", 4, "toc"))
    if moved:
        shown = [_entry(e, with_place=True) for e in added if e.href in moved]
        facts.append(Fact(f"TOC entries moved: {listing(shown, 4)}.", "other", 3, "toc"))
    return facts
