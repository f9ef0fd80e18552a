"""Walk a file's hunks as runs of removed and added lines between context lines.

Every fact extractor (Markdown, code, manifests) looks at a change the same way: which lines
went, which came, and what surrounded them. Parsing the hunk text once, here, keeps each
extractor a small state machine and keeps the whole summarizer linear in the size of the diff.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$")


@dataclass(slots=True)
class Run:
    """Consecutive changed lines: ``removed`` then ``added`` (either may be empty).

    ``before`` holds the context lines seen since the previous run of the same hunk, so an
    extractor can update its state (the current heading, a table's header) before judging the
    run itself. ``new_line`` is the line number in the new file where the run starts.
    """

    removed: list[str]
    added: list[str]
    before: list[str]
    hunk_start: bool
    new_line: int
    old_line: int
    section: str


def iter_runs(patch: str | None) -> Iterator[Run]:
    """Yield every run of a patch (hunks only, GitHub's ``patch`` shape), then a final one.

    The final run of each hunk may be empty, carrying only the hunk's trailing context.
    """
    if not patch:
        return
    removed: list[str] = []
    added: list[str] = []
    before: list[str] = []
    hunk_start = True
    old_no = new_no = 0
    run_old = run_new = 0
    section = ""
    started = False
    for line in patch.split("\n"):
        tag = line[:1]
        if tag == "+":
            if not added and not removed:
                run_old, run_new = old_no, new_no
            added.append(line[1:])
            new_no += 1
        elif tag == "-":
            if not added and not removed:
                run_old, run_new = old_no, new_no
            removed.append(line[1:])
            old_no += 1
        elif tag == " " or (tag == "" and started):
            if removed or added:
                yield Run(removed, added, before, hunk_start, run_new, run_old, section)
                removed, added, before, hunk_start = [], [], [], False
            before.append(line[1:])
            old_no += 1
            new_no += 1
        elif tag == "@":
            match = _HUNK_RE.match(line)
            if not match:
                continue
            if started:
                yield Run(removed, added, before, hunk_start, run_new, run_old, section)
            removed, added, before, hunk_start = [], [], [], True
            old_no, new_no = int(match.group(1)), int(match.group(2))
            run_old, run_new = old_no, new_no
            section = match.group(3).strip()
            started = True
        # "\ No newline at end of file" and anything else carries no content.
    if started:
        yield Run(removed, added, before, hunk_start, run_new, run_old, section)


def changed_lines(patch: str | None) -> tuple[list[str], list[str]]:
    """All removed and all added lines of a patch, in order."""
    removed: list[str] = []
    added: list[str] = []
    for run in iter_runs(patch):
        removed.extend(run.removed)
        added.extend(run.added)
    return removed, added


def clip(text: str, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, so a fact never swallows a paragraph."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit - 20:  # end on a word when one ends near the limit
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def code(text: str) -> str:
    """Quote a value for a fact: as code, or as-is when it already is code."""
    text = clip(text)
    if not text:
        return "(empty)"
    if len(text) > 1 and text.startswith("`") and text.endswith("`"):
        return text
    if "`" in text:
        return f'"{text}"'
    return f"`{text}`"


def listing(items: list[str], limit: int = 5) -> str:
    """``a, b and c`` or ``a, b, c and N more``: lists in facts stay short at any size."""
    if len(items) > limit:
        shown = items[:limit]
        return ", ".join(shown) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
