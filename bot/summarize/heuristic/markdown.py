"""Facts about a Markdown change: front matter, headings, tables, links and edited sections.

Only the patch is known (GitHub sends hunks, not whole files), so each rule reads what the
hunks show: a ``key: value`` line changed near the top of the file, among other YAML-looking
lines, is front matter; a table's header is the row above its ``|---|`` separator; a section
is the last heading seen before an edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.fences import FENCE_RE as _FENCE_RE
from bot.summarize.heuristic.fences import hunk_fence_starts
from bot.summarize.heuristic.patchwalk import Run, clip, code, iter_runs, listing
from bot.summarize.heuristic.tables import TableChanges, cells, compare_rows, is_row, is_separator

_HEADING_RE = re.compile(r"^(#{1,6})\s+(\S.{0,300}?)\s*#*\s*$")
_YAML_RE = re.compile(r"^([A-Za-z_][\w.-]*):(?:\s+(.*))?$")
_YAMLISH_RE = re.compile(r"^(?:[A-Za-z_][\w.-]*:(?:\s.*)?|\s+.*|\s*-\s.*|)$")
_LINK_RE = re.compile(
    r"\[([^\]\[\n]{0,500})\]\(\s{0,5}<?([^()\[\]\s>]{1,2000})>?(?:\s+\"[^\"]{0,500}\")?\s*\)"
    r"|<(https?://[^>\s]{1,2000})>"
)
_FRONT_MATTER_REACH = 40
_LIST_LIMIT = 5


@dataclass
class _Heading:
    level: int
    text: str

    def label(self) -> str:
        return f'H{self.level} "{clip(self.text, 70)}"'


@dataclass
class _State:
    """What the walk has learnt so far about the new file and the facts found."""

    in_fence: bool = False
    last_line: str = ""
    front_state: str = "out"  # open (top of file), in, maybe (near the top), out
    header: list[str] = field(default_factory=list)
    section: str = ""
    front: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    added_headings: list[_Heading] = field(default_factory=list)
    removed_headings: list[_Heading] = field(default_factory=list)
    renamed: list[tuple[_Heading, _Heading]] = field(default_factory=list)
    tables: TableChanges = field(default_factory=TableChanges)
    edited_sections: list[str] = field(default_factory=list)
    code_sections: list[str] = field(default_factory=list)
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
        heading = _HEADING_RE.match(line)
        if heading:
            state.section = heading.group(2)
        elif is_separator(line) and is_row(state.last_line):
            state.header = cells(state.last_line)
    state.last_line = line


def _tables(run: Run, state: _State) -> None:
    compare_rows(run.removed, run.added, state.header, state.tables)


def _headings(lines: list[str], in_fence: bool) -> list[_Heading]:
    found: list[_Heading] = []
    for line in lines:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING_RE.match(line)
        if match:
            found.append(_Heading(len(match.group(1)), match.group(2)))
    return found


def _run_headings(run: Run, state: _State) -> None:
    removed = _headings(run.removed, state.in_fence)
    added = _headings(run.added, state.in_fence)
    for old in list(removed):
        twin = next((h for h in added if h.level == old.level), None)
        if twin is not None and twin.text != old.text:
            state.renamed.append((old, twin))
            removed.remove(old)
            added.remove(twin)
    state.removed_headings.extend(removed)
    state.added_headings.extend(added)


def _links(run: Run, state: _State) -> None:
    for lines, target in ((run.removed, state.links_removed), (run.added, state.links_added)):
        for line in lines:
            if "](" in line or "<http" in line:
                for match in _LINK_RE.finditer(line):
                    target.append(match.group(2) or match.group(3))


def _edited_sections(lines: list[str], state: _State) -> None:
    """Record the sections whose prose ``lines`` edit; a heading among them starts its own."""
    section = state.section
    in_fence = state.in_fence
    for line in lines:
        fence = bool(_FENCE_RE.match(line))
        in_code = in_fence or fence
        in_fence = in_fence != fence
        heading = None if in_code else _HEADING_RE.match(line)
        target = state.code_sections if in_code else state.edited_sections
        if heading:
            section = heading.group(2)
        elif line.strip() and not is_row(line) and section not in ("", *target):
            target.append(section)  # a code sample's edit is told apart from the prose's


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
        _run_headings(run, state)
        _tables(run, state)
        _links(run, state)
        for lines in (run.removed, run.added):
            _edited_sections(lines, state)
        for line in run.added:
            _track(line, state)
    return state


def _heading_facts(state: _State) -> list[Fact]:
    removed_texts = {h.text for h in state.removed_headings}
    added_texts = {h.text for h in state.added_headings}
    moved = removed_texts & added_texts
    facts: list[Fact] = []
    for old, new in state.renamed:
        text = f'Heading renamed (H{old.level}): "{clip(old.text, 70)}" -> "{clip(new.text, 70)}".'
        if old.level != new.level:
            text = f"Heading renamed: {old.label()} -> {new.label()}."
        facts.append(Fact(text, "other", 4, "headings"))
    added = [h.label() for h in state.added_headings if h.text not in moved]
    if added:
        facts.append(
            Fact(f"New sections added: {listing(added, _LIST_LIMIT)}.", "feature", 5, "headings")
        )
    removed = [h.label() for h in state.removed_headings if h.text not in moved]
    if removed:
        text = f"Sections removed: {listing(removed, _LIST_LIMIT)}."
        facts.append(Fact(text, "other", 4, "headings"))
    return facts


def _front_facts(state: _State) -> list[Fact]:
    facts: list[Fact] = []
    for key, (old, new) in state.front.items():
        if old is not None and new is not None and old != new:
            text = f"Front matter `{key}` changed: {code(old)} -> {code(new)}."
        elif old is None and new is not None:
            text = f"Front matter `{key}` added: {code(new)}."
        elif new is None and old is not None:
            text = f"Front matter `{key}` removed (was {code(old)})."
        else:
            continue
        facts.append(Fact(text, "other", 2, "front matter"))
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


def markdown_facts(patch: str | None) -> list[Fact]:
    """Every Markdown fact of one file's patch, most telling first."""
    state = _walk(patch)
    facts = [
        *_heading_facts(state),
        *_table_facts(state),
        *_front_facts(state),
        *_link_facts(state),
    ]
    new_sections = {h.text for h in state.added_headings} | {n.text for _, n in state.renamed}
    for found, what in ((state.edited_sections, "Text"), (state.code_sections, "Code samples")):
        edited = [f'"{clip(s, 60)}"' for s in found if s not in new_sections]
        if edited:
            text = f"{what} edited under {listing(edited, _LIST_LIMIT)}."
            facts.append(Fact(text, "other", 1, "text"))
    return facts


def document_title(patch: str | None) -> str | None:
    """The page's title as the patch shows it: front matter ``title:``, else the first H1."""
    heading = None
    near_top = False
    for line in (patch or "").split("\n"):
        if line.startswith("@@"):
            match = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)", line)
            near_top = match is not None and int(match.group(1)) <= _FRONT_MATTER_REACH
            continue
        if line[:1] not in (" ", "+"):
            continue
        text = line[1:]
        if near_top and text.startswith("title:") and text[6:].strip():
            return clip(text[6:].strip().strip("'\""), 70)
        if heading is None and text.startswith("# ") and text[2:].strip():
            heading = clip(text[2:].strip().rstrip("#").strip(), 70)
    return heading
