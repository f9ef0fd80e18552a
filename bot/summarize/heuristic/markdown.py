"""Facts about a Markdown change: front matter, headings, tables, links and edited sections.

Only the patch is known (GitHub sends hunks, not whole files), so each rule reads what the
hunks show: a ``key: value`` line changed near the top of the file, among other YAML-looking
lines, is front matter; a table's header is the row above its ``|---|`` separator; a section
is the last heading seen before an edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.summarize.heuristic.docblocks import atx_heading
from bot.summarize.heuristic.docfacts import page_facts, page_title
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.fences import FENCE_RE as _FENCE_RE
from bot.summarize.heuristic.fences import hunk_fence_starts
from bot.summarize.heuristic.pages import PageContext, context_facts, without_site_suffix
from bot.summarize.heuristic.patchwalk import Run, clip, code, iter_runs, listing
from bot.summarize.heuristic.prose import value_changes
from bot.summarize.heuristic.tables import TableChanges, cells, compare_rows, is_row, is_separator

_YAML_RE = re.compile(r"^([A-Za-z_][\w.-]*):(?:\s+(.*))?$")
_YAMLISH_RE = re.compile(r"^(?:[A-Za-z_][\w.-]*:(?:\s.*)?|\s+.*|\s*-\s.*|)$")
_LINK_RE = re.compile(
    r"\[([^\]\[\n]{0,500})\]\(\s{0,5}<?([^()\[\]\s>]{1,2000})>?(?:\s+\"[^\"]{0,500}\")?\s*\)"
    r"|<(https?://[^>\s]{1,2000})>"
)
_FRONT_MATTER_REACH = 40
_TITLE_KEYS = frozenset({"title"})
_DESCRIPTION_KEYS = frozenset({"description", "summary", "ms.description"})
_DATE_KEYS = frozenset(
    {"ms.date", "date", "lastmod", "last_modified_at", "updated", "ms.lastreviewed", "modified"}
)
_LIST_LIMIT = 5


@dataclass
class _State:
    """What the walk has learnt so far about the new file and the facts found."""

    in_fence: bool = False
    last_line: str = ""
    front_state: str = "out"  # open (top of file), in, maybe (near the top), out
    header: list[str] = field(default_factory=list)
    section: str = ""
    front: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    tables: TableChanges = field(default_factory=TableChanges)
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)


def _front_matter_run(run: Run, state: _State) -> bool:
    """Whether a run sits in YAML front matter, judged from the hunk's own lines."""
    if state.front_state == "open" and "---" in (run.removed[:1] + run.added[:1]):
        return True  # front matter added or removed at the very top
    if state.front_state not in ("in", "maybe") or state.in_fence:
        return False
    changed = [line for line in [*run.removed, *run.added] if line.strip()]
    keyed = all(_YAML_RE.match(line) or line.startswith((" ", "-")) for line in changed)
    if not changed or not keyed:
        return False
    if state.front_state == "in":
        return True
    context = [*run.before, *run.removed, *run.added]
    yamlish = sum(1 for line in context if _YAMLISH_RE.match(line))
    return bool(_YAML_RE.match(run.section)) or yamlish >= 0.8 * len(context)


def _front_part(lines: list[str], opening: bool) -> list[str]:
    """The lines of ``lines`` before front matter closes (after the opening ``---``)."""
    start = 1 if opening and lines[:1] == ["---"] else 0
    end = next((i for i in range(start, len(lines)) if lines[i].strip() == "---"), len(lines))
    return lines[start:end]


def _record_front_matter(run: Run, state: _State) -> bool:
    """Record a front-matter run; whether the whole run was front matter."""
    opening = state.front_state == "open"
    whole = True
    for sign, lines in (("-", run.removed), ("+", run.added)):
        part = _front_part(lines, opening)
        whole = whole and len(part) == len(lines)
        for line in part:
            match = _YAML_RE.match(line)
            if not match:
                continue
            key, value = match.group(1), (match.group(2) or "").strip()
            old, new = state.front.get(key, (None, None))
            state.front[key] = (value, new) if sign == "-" else (old, value)
    return whole and not opening


def _track(line: str, state: _State) -> None:
    """Update the walk's view of the new file from one context or added line."""
    if line.strip() == "---" and state.front_state != "out":
        state.front_state = "in" if state.front_state == "open" else "out"
    elif state.front_state == "open":
        state.front_state = "out"  # the file does not start with front matter
    if _FENCE_RE.match(line):
        state.in_fence = not state.in_fence
    elif not state.in_fence:
        heading = atx_heading(line)
        if heading:
            state.section = heading[1]
        elif is_separator(line) and is_row(state.last_line):
            state.header = cells(state.last_line)
    state.last_line = line


def _tables(run: Run, state: _State) -> None:
    compare_rows(run.removed, run.added, state.header, state.tables)


def _links(run: Run, state: _State) -> None:
    for lines, target in ((run.removed, state.links_removed), (run.added, state.links_added)):
        for line in lines:
            if "](" in line or "<http" in line:
                for match in _LINK_RE.finditer(line):
                    target.append(match.group(2) or match.group(3))


def _walk(patch: str | None) -> _State:
    state = _State()
    starts = iter(hunk_fence_starts(patch))
    for run in iter_runs(patch):
        if run.hunk_start:
            state.in_fence = next(starts, False)
            state.section = run.section if run.section.startswith("#") else ""
            state.section = state.section.lstrip("#").strip()
            state.front_state = "out"
            top = run.new_line - len(run.before)  # where the hunk starts
            if top <= 1 or run.old_line - len(run.before) <= 1:
                state.front_state = "open"
            elif top <= _FRONT_MATTER_REACH:
                state.front_state = "maybe"
        for line in run.before:
            _track(line, state)
        if not run.removed and not run.added:
            continue
        if _front_matter_run(run, state) and _record_front_matter(run, state):
            continue
        _tables(run, state)
        _links(run, state)
        for line in run.added:
            _track(line, state)
    return state


def _front_fact(key: str, old: str | None, new: str | None) -> Fact | None:
    """One front-matter field's change; a page's title and description matter to readers,
    its dates and bookkeeping fields much less."""
    lowered = key.lower()
    if lowered in _TITLE_KEYS and old and new and old != new:
        before, after = clip(without_site_suffix(old), 70), clip(without_site_suffix(new), 70)
        text = f'Page title changed: "{before}" -> "{after}".'
        return Fact(text, "other", 6, "front matter")
    if lowered in _DESCRIPTION_KEYS and old and new and old != new:
        shown = value_changes(old, new)
        detail = (
            "; ".join(f"{code(a)} -> {code(b)}" for a, b in shown)
            if shown
            else f'now "{clip(new, 100)}"'
        )
        return Fact(f"Page description changed: {detail}.", "other", 5, "front matter")
    weight = 1 if lowered in _DATE_KEYS else 2
    if old is not None and new is not None and old != new:
        text = f"Front matter `{key}` changed: {code(old)} -> {code(new)}."
    elif old is None and new is not None:
        text = f"Front matter `{key}` added: {code(new)}."
    elif new is None and old is not None:
        text = f"Front matter `{key}` removed (was {code(old)})."
    else:
        return None
    return Fact(text, "other", weight, "front matter")


def _front_facts(state: _State) -> list[Fact]:
    facts = [f for key, (old, new) in state.front.items() if (f := _front_fact(key, old, new))]
    if len(facts) > _LIST_LIMIT:
        more = len(facts) - _LIST_LIMIT
        facts = facts[:_LIST_LIMIT]
        facts.append(Fact(f"{more} more front matter fields changed.", "other", 1, "front matter"))
    return facts


def _table_facts(state: _State) -> list[Fact]:
    facts = [Fact(f"Table row {row}.", "other", 3, "table") for row in state.tables.changed[:8]]
    if len(state.tables.changed) > 8:
        more = len(state.tables.changed) - 8
        facts.append(Fact(f"{more} more table rows changed.", "other", 2, "table"))
    if state.tables.added:
        text = f"Table rows added: {listing(state.tables.added, _LIST_LIMIT)}."
        facts.append(Fact(text, "other", 3, "table"))
    if state.tables.removed:
        text = f"Table rows removed: {listing(state.tables.removed, _LIST_LIMIT)}."
        facts.append(Fact(text, "other", 3, "table"))
    return facts


def _link_facts(state: _State) -> list[Fact]:
    added = [u for u in dict.fromkeys(state.links_added) if u not in state.links_removed]
    removed = [u for u in dict.fromkeys(state.links_removed) if u not in state.links_added]
    facts: list[Fact] = []
    if added:
        text = f"Links added: {listing([code(u) for u in added], 3)}."
        facts.append(Fact(text, "other", 1, "links"))
    if removed:
        text = f"Links removed: {listing([code(u) for u in removed], 3)}."
        facts.append(Fact(text, "other", 1, "links"))
    return facts


def markdown_facts(
    patch: str | None, filename: str = "", page: PageContext | None = None
) -> list[Fact]:
    """Every Markdown fact of one file's patch, most telling first; ``page`` is what the rest
    of the change says about this page (content moved elsewhere, its TOC entry)."""
    state = _walk(patch)
    facts, sections = page_facts(filename, patch, "markdown", page)
    found = [
        *context_facts(filename, page, sections.moved_away),
        *facts,
        *_table_facts(state),
        *_link_facts(state),
    ]
    front = _front_facts(state)
    if not found:  # a date is what changed only when nothing else did
        front = [Fact(f, f.kind, max(f.weight, 2), f.topic) for f in front]
    return [*found, *front]


def document_title(patch: str | None) -> str | None:
    """The page's title as the patch shows it: front matter ``title:`` (without the site's
    suffix), else the first H1 outside code samples."""
    near_top = False
    for line in (patch or "").split("\n"):
        if line.startswith("@@"):
            match = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)", line)
            near_top = match is not None and int(match.group(1)) <= _FRONT_MATTER_REACH
            continue
        text = line[1:] if line[:1] in (" ", "+") else ""
        if near_top and text.startswith("title:") and text[6:].strip():
            return clip(without_site_suffix(text[6:]), 70)
    return page_title(patch, "markdown")
