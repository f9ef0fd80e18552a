"""Whether each hunk of a Markdown patch begins inside a fenced code block.

A patch shows a few lines around each change, so a hunk may start in the middle of a code
block; taking its closing fence for an opening one would hide every heading after it (and
take a shell comment for a heading). Only the hunk's own lines are known, so this is judged.
"""

from __future__ import annotations

import re

FENCE_RE = re.compile(r"^\s*(```|~~~)")
_FENCE_INFO_RE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*[^`~\s]")
_LISTING_ATTR_RE = re.compile(r"^\[(?:source|listing|literal)\b")  # AsciiDoc's [source,ruby]
LISTING_RE = re.compile(r"^(?:-{4,}|\.{4,})\s*$")  # AsciiDoc listing and literal delimiters
_PROSE_HEAD_RE = re.compile(
    r"^(?:#{1,6}\s|[-*+]\s|\d+\.\s|>|\|)"
)  # a block that may end a paragraph
_PROSE_RE = re.compile(r"^\s*(?:#{1,6}\s+\S|[-*+]\s+\S|\d+\.\s+\S|\|.*\||>\s)")


def _prose_share(lines: list[str]) -> float:
    """How much ``lines`` read as Markdown prose (headings, lists, tables, sentences)."""
    text = [line for line in lines if line.strip()]
    if not text:
        return 0.5
    prose = sum(
        1
        for line in text
        if _PROSE_RE.match(line)
        or (len(line.split()) >= 4 and not re.search(r"[{};=$]|^\s{4}", line))
    )
    return prose / len(text)


def _starts_in_fence(lines: list[str], fence_re: re.Pattern[str] = FENCE_RE) -> bool:
    """Whether a hunk begins inside a fenced code block, from its own lines alone.

    A hunk may start in the middle of a code block; taking its closing fence for an opening
    one would hide every heading after it. An opening fence often names its language and a
    closing one never does, so the first fence with a language decides by its position;
    without one, the first fence is a closing one when prose follows it and code precedes it.
    """
    fences = [i for i, line in enumerate(lines) if fence_re.match(line)]
    for position, index in enumerate(fences):
        if _FENCE_INFO_RE.match(lines[index]) or (
            index and _LISTING_ATTR_RE.match(lines[index - 1])
        ):
            return position % 2 == 1
    if not fences:
        return False
    first = fences[0]
    above = lines[first - 1].strip() if first else ""
    if above and not above.endswith((".", ":", "!", "?")) and not _PROSE_HEAD_RE.match(above):
        return True  # code right above a bare fence: the fence closes it
    after = lines[first + 1 : fences[1] if len(fences) > 1 else len(lines)]
    return _prose_share(after) > max(_prose_share(lines[:first]), 0.5)


def _hunk_lines(patch: str | None) -> list[list[str]]:
    """The new side (context and added lines) of every hunk, in order."""
    hunks: list[list[str]] = []
    for line in (patch or "").split("\n"):
        if line.startswith("@@"):
            hunks.append([])
        elif hunks and line[:1] in (" ", "+", ""):
            hunks[-1].append(line[1:])
    return hunks


def hunk_fence_starts(patch: str | None) -> list[bool]:
    """For each hunk, in order, whether it starts inside a fenced code block."""
    return [_starts_in_fence(lines) for lines in _hunk_lines(patch)]


def starts_in_fence(lines: list[str]) -> bool:
    """Whether a hunk side (its lines in order) begins inside a fenced code block."""
    return _starts_in_fence(lines)


def starts_in_listing(lines: list[str]) -> bool:
    """Whether a hunk side begins inside an AsciiDoc ``----`` listing block."""
    return _starts_in_fence(lines, LISTING_RE)
