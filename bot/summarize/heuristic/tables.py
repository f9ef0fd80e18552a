"""Markdown tables in a patch: rows paired by their first cell, cells compared by column.

A row removed and added again with the same first cell is a changed row (each differing cell
named by its column header, old -> new); other rows are added or removed. A header row is
the row directly above a ``|---|`` separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.summarize.heuristic.patchwalk import clip, code
from bot.summarize.heuristic.prose import plain

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class TableChanges:
    """What the tables of one file lost, gained and changed, as short phrases."""

    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]


def is_row(line: str) -> bool:
    return line.lstrip().startswith("|") and line.count("|") >= 2


def is_separator(line: str) -> bool:
    return "|" in line and bool(_SEPARATOR_RE.match(line))


def header_keys(lines: list[str]) -> dict[str, list[str]]:
    """Rows directly above a separator: table headers, keyed by their first cell."""
    return {
        cells(lines[i - 1])[0]: cells(lines[i - 1])
        for i in range(1, len(lines))
        if is_separator(lines[i]) and is_row(lines[i - 1])
    }


def _rows(lines: list[str], skip: dict[str, list[str]]) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in lines:
        if is_row(line) and not is_separator(line):
            row = cells(line)
            if row and row[0] and row[0] not in skip:
                rows.setdefault(plain(row[0]) or row[0], row)
    return rows


def _cell_changes(old: list[str], new: list[str], header: list[str]) -> list[str]:
    """Each differing cell, named by its column's header when the patch shows the header (a
    cell's link is read as its text, so a quote never ends inside the link's markup)."""
    diffs = []
    for i in range(max(len(old), len(new))):
        before = old[i] if i < len(old) else ""
        after = new[i] if i < len(new) else ""
        if before == after:
            continue
        shown_before, shown_after = plain(before), plain(after)
        if shown_before == shown_after:
            shown_before, shown_after = _targets(before), _targets(after)
        column = plain(header[i]) if i < len(header) and header[i] else ""
        change = f"{code(shown_before)} -> {code(shown_after)}"
        diffs.append(f"{clip(column, 40)} {change}" if column else change)
    return diffs


def _targets(cell: str) -> str:
    """A cell whose text stayed: its link addresses are what changed."""
    found = re.findall(r"\]\(([^)\s]{1,300})", cell)
    return " ".join(found) if found else cell


def compare_rows(
    removed_lines: list[str], added_lines: list[str], header: list[str], into: TableChanges
) -> None:
    """Pair one run's removed and added rows by first cell; record what changed."""
    old_headers, new_headers = header_keys(removed_lines), header_keys(added_lines)
    removed = _rows(removed_lines, old_headers)
    added = _rows(added_lines, new_headers)
    header = header or next(iter(new_headers.values()), [])
    for key, old in removed.items():
        new = added.get(key)
        if new is None:
            into.removed.append(code(key))
            continue
        diffs = _cell_changes(old, new, header)
        if diffs:
            into.changed.append(f"{code(key)}: {'; '.join(diffs[:3])}")
    into.added.extend(code(key) for key in added if key not in removed)
