"""Text from a repository or a model made inert in Markdown: shown as written, never structure.

A model's reply or a file name can carry an unclosed fence (which would swallow the summary
table and every later file), raw HTML (``<img onerror>``, ``</details>``), a link with a
disguised label, a heading, or a newline followed by any of these.

Prose keeps its code spans and emphasis (they cannot leave their paragraph). Everything else
that could start markup becomes a character reference (``&lt;``, ``&#91;``...), which
CommonMark always shows as the character and never reads as markup, whatever precedes it; a
backslash escape would not do, since the text's own backslash before it would cancel it. Code
spans are kept only within one line and every other backtick is a reference too, so the spans
the renderer sees are exactly the ones kept here.
"""

from __future__ import annotations

import re

_BLOCK_START_RE = re.compile(
    r"( {0,3})("
    r"#{1,6}(?=\s|\Z)"  # ATX heading
    r"|~{3,}"  # tilde fence (backtick fences go with every other backtick)
    r"|>"  # block quote
    r"|[=-]+\s*\Z"  # setext underline or thematic break
    r"|(?:[-*_]\s*){3,}\Z"  # thematic break
    r")"
)
_OUTSIDE = {"<": "&lt;", "[": "&#91;", "]": "&#93;", "`": "&#96;", "\\": "&#92;"}
_NAME_RE = re.compile(r"[\\`*_{}\[\]<>#!|~&]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _code_spans(line: str) -> list[tuple[int, int]]:
    """Code spans of one line: a backtick run closed by the next run of the same length."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", line)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        close = next(
            (j for j in range(i + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start), None
        )
        if close is None:
            i += 1
            continue
        spans.append((start, runs[close][1]))
        i = close + 1
    return spans


def _outside(text: str) -> str:
    return "".join(_OUTSIDE.get(ch, ch) for ch in text)


def _inline(line: str) -> str:
    out: list[str] = []
    pos = 0
    for start, end in _code_spans(line):
        out.append(_outside(line[pos:start]))
        out.append(line[start:end])
        pos = end
    out.append(_outside(line[pos:]))
    return "".join(out)


_LIST_MARK_RE = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?= |\Z)")


def _line(line: str) -> str:
    """One line that opens no block: its first character a reference when it would.

    List markers are kept (a model's bullets stay bullets), and what follows each is checked
    the same way, since ``- # x`` is a heading inside a list item.
    """
    line = _CONTROL_RE.sub(" ", line)
    kept: list[str] = []
    while not _BLOCK_START_RE.match(line) and (mark := _LIST_MARK_RE.match(line)):
        kept.append(line[: mark.end()])
        line = line[mark.end() :]
    match = _BLOCK_START_RE.match(line)
    if not match:
        return "".join(kept) + _inline(line)
    at = len(match.group(1))
    return "".join(kept) + line[:at] + f"&#{ord(line[at])};" + _inline(line[at + 1 :])


def inert_prose(text: str) -> str:
    """Free text (an explanation, insights): paragraphs kept, no block or markup of its own."""
    return "\n".join(_line(line) for line in text.strip().splitlines())


def inert_line(text: str) -> str:
    """Text that must stay on one line (a bullet, a table cell): newlines become spaces."""
    return _line(" ".join(_CONTROL_RE.sub(" ", text).split()))


def visible_controls(text: str) -> str:
    """A name with its control characters shown as escapes (``\\n``), never acted on."""
    return _CONTROL_RE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def inert_name(text: str) -> str:
    """A file name as data: one line, every Markdown-significant character escaped."""
    return _NAME_RE.sub(r"\\\g<0>", visible_controls(text))
