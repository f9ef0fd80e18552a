"""A documentation patch as blocks on each side: headings, paragraphs, list items, alerts, code.

A patch shows only hunks, so each hunk's old side (context and removed lines) and new side
(context and added lines) are read on their own, line by line, into blocks that remember
which of their lines changed and under which heading they sit. Markdown is read here,
reStructuredText and AsciiDoc in :mod:`docreaders`; what is compared afterwards
(:mod:`sections`, :mod:`edits`) does not care which syntax a block came from. Every reader is
one pass over the lines, linear in their size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from bot.summarize.heuristic.prose import plain, words

ALERT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
_ATX_RE = re.compile(r"^(#{1,6})[ \t]+(\S.*)$")
_LONGEST_HEADING = 400
_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_ALERT_RE = re.compile(r"^\s{0,3}>\s*\[!(\w+)\]\s*(.*)$")
_MKDOCS_ALERT_RE = re.compile(r"^(?:!!!|\?\?\?\+?)\s+(\w+)(?:\s+\"([^\"]{0,200})\")?\s*$")
ITEM_RE = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)]|#\.)\s+(\S.*)$")
_SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
_YAML_KEY_RE = re.compile(r"^[A-Za-z_][\w.-]*:(?:\s.*)?$")
_YAMLISH_RE = re.compile(r"^(?:[A-Za-z_][\w.-]*:(?:\s.*)?|\s+.*|\s*-\s.*|#.*|)$")


@dataclass(slots=True)
class Line:
    text: str
    changed: bool
    number: int  # line number on its own side of the file


@dataclass
class Block:
    """A run of lines that a reader would see as one thing."""

    kind: str  # heading, para, item, alert, code, row, quote, directive
    lines: list[Line] = field(default_factory=list)
    level: int = 0  # heading level
    label: str = ""  # alert kind, code language, heading text
    section: str = ""  # text of the heading above
    depth: int = 0  # list nesting
    exact: bool = True  # whether a heading's level is the syntax's own (not reStructuredText's)

    @property
    def changed(self) -> bool:
        return any(line.changed for line in self.lines)

    @property
    def whole(self) -> bool:
        return all(line.changed for line in self.lines)

    @property
    def text(self) -> str:
        return " ".join(" ".join(line.text.split()) for line in self.lines).strip()

    @property
    def number(self) -> int:
        return self.lines[0].number if self.lines else 0

    @cached_property
    def shown(self) -> str:
        """The block's text as a reader sees it (read once: pairing asks many times)."""
        return plain(self.text)

    @cached_property
    def word_counts(self) -> Counter[str]:
        return words(self.shown)


@dataclass
class Side:
    """One side of a patch: the blocks of each hunk, in order."""

    hunks: list[list[Block]] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [block for hunk in self.hunks for block in hunk]


Reader = Callable[[list[Line], bool, str], list[Block]]


def _hunks(patch: str | None) -> list[tuple[list[Line], list[Line], str]]:
    """(old side, new side, hunk header's section text) for every hunk."""
    hunks: list[tuple[list[Line], list[Line], str]] = []
    old_no = new_no = 0
    for raw in (patch or "").split("\n"):
        tag = raw[:1]
        if raw.startswith("@@"):
            match = re.match(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$", raw)
            if match:
                old_no, new_no = int(match.group(1)), int(match.group(2))
                hunks.append(([], [], match.group(3).strip()))
            continue
        if not hunks:
            continue
        old, new, _ = hunks[-1]
        if tag == "-":
            old.append(Line(raw[1:], True, old_no))
            old_no += 1
        elif tag == "+":
            new.append(Line(raw[1:], True, new_no))
            new_no += 1
        elif tag in (" ", ""):
            old.append(Line(raw[1:], False, old_no))
            new.append(Line(raw[1:], False, new_no))
            old_no += 1
            new_no += 1
    return hunks


def sides(
    patch: str | None, reader: Reader, fence_start: Callable[[list[str]], bool]
) -> tuple[Side, Side]:
    """The old and the new side of a patch, read into blocks by ``reader``."""
    old_side, new_side = Side(), Side()
    for old, new, header in _hunks(patch):
        for lines, side in ((old, old_side), (new, new_side)):
            in_fence = fence_start([line.text for line in lines])
            side.hunks.append(reader(_skip_front_matter(lines), in_fence, header))
    return old_side, new_side


def _skip_front_matter(lines: list[Line]) -> list[Line]:
    """A hunk's lines without the YAML front matter at its top (read elsewhere, by key)."""
    if not lines or lines[0].number > 40:
        return lines
    close = next((i for i, line in enumerate(lines) if line.text.strip() == "---"), -1)
    if close < 0:
        return [] if _front_matter_hunk(lines) else lines
    if close == 0 and lines[0].number == 1:
        close = next((i for i in range(1, len(lines)) if lines[i].text.strip() == "---"), -1)
        return lines[close + 1 :] if close > 0 else []
    if all(_YAMLISH_RE.match(line.text) for line in lines[:close]):
        return lines[close + 1 :]
    return lines


def _front_matter_hunk(lines: list[Line]) -> bool:
    """A hunk near the top made only of ``key: value`` lines sits inside front matter."""
    if not lines or lines[0].number > 40:
        return False
    text = [line.text for line in lines if line.text.strip()]
    keyed = sum(1 for t in text if _YAML_KEY_RE.match(t))
    return bool(text) and keyed >= 0.8 * len(text) and all(_YAMLISH_RE.match(t) for t in text)


class Builder:
    """Collects blocks, tracking the section heading each one sits under."""

    def __init__(self, section: str) -> None:
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.section = section

    def close(self) -> None:
        if self.current is not None and self.current.lines:
            self.blocks.append(self.current)
        self.current = None

    def start(
        self, kind: str, line: Line, label: str = "", level: int = 0, depth: int = 0
    ) -> Block:
        self.close()
        if kind == "heading":
            block = Block(kind, [line], level, label, self.section)
            self.blocks.append(block)
            self.section = label
            return block
        self.current = Block(kind, [line], level, label, self.section, depth)
        return self.current

    def add(self, line: Line, kind: str = "para") -> None:
        if self.current is None:
            self.start(kind, line)
        else:
            self.current.lines.append(line)


def atx_heading(line: str) -> tuple[int, str] | None:
    """A Markdown ``## Title ##`` heading's level and text, if the line is one.

    The pattern only finds the start; the closing ``#``s are taken off in Python, so no
    backtracking over a long run of spaces or hashes can make a hostile line slow.
    """
    if len(line) > _LONGEST_HEADING or not line.startswith("#"):
        return None
    match = _ATX_RE.match(line)
    if not match:
        return None
    text = match.group(2).rstrip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip()  # a closing sequence, after a space
    return (len(match.group(1)), text) if text else None


def section_from_header(header: str, pattern: re.Pattern[str] | None = None) -> str:
    """The heading a hunk header names (git and GitHub show the nearest one, if any)."""
    if pattern is None:
        found = atx_heading(header)
        return found[1] if found else ""
    match = pattern.match(header) if len(header) <= _LONGEST_HEADING else None
    return match.group(2).strip() if match else ""


def read_markdown(lines: list[Line], in_fence: bool, header: str) -> list[Block]:
    """Markdown (CommonMark, GitHub and Microsoft Learn alerts, mkdocs admonitions)."""
    build = Builder(section_from_header(header))
    fence = ""
    if in_fence:
        build.start("code", Line("", False, lines[0].number if lines else 0), "")
        build.current.lines.clear()  # type: ignore[union-attr]
        fence = "```"
    for index, line in enumerate(lines):
        text = line.text
        if fence:
            match = _FENCE_RE.match(text)
            if match and match.group(1)[0] == fence[0] and not match.group(2):
                fence = ""
                build.close()
            elif build.current is not None:
                build.current.lines.append(line)
            continue
        fence_match = _FENCE_RE.match(text)
        heading = atx_heading(text)
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if fence_match:
            fence = fence_match.group(1)
            build.start("code", line, fence_match.group(2).lower())
        elif heading:
            build.start("heading", line, heading[1], heading[0])
        elif (
            _SETEXT_RE.match(following)
            and text.strip()
            and not ITEM_RE.match(text)
            and (build.current is None or build.current.kind != "para")
        ):
            build.start("heading", line, text.strip(), 1 if following.startswith("=") else 2)
        elif (
            _SETEXT_RE.match(text)
            and build.blocks
            and build.blocks[-1].kind == "heading"
            and build.current is None
        ):
            continue  # the underline of the heading just read
        elif alert := _ALERT_RE.match(text):
            kind = alert.group(1).upper()
            build.start("alert" if kind in ALERT_KINDS else "quote", line, kind)
        elif mk := _MKDOCS_ALERT_RE.match(text):
            build.start("alert", line, _mkdocs_kind(mk.group(1)))
        elif text.lstrip().startswith(">"):
            current = build.current
            if current is None or current.kind not in ("alert", "quote"):
                build.start("quote", line)
            else:
                current.lines.append(line)
        elif item := ITEM_RE.match(text):
            build.start("item", line, depth=len(item.group(1)) // 2)
        elif text.lstrip().startswith("|") and text.count("|") >= 2:
            build.start("row", line)
            build.close()
        elif not text.strip():
            current = build.current
            if current is not None and current.kind == "alert" and current.label.islower():
                current.lines.append(line)  # a mkdocs admonition's body follows a blank line
            else:
                build.close()
        elif text.startswith("[") and re.match(r"^\[[^\]]{1,100}\]:\s", text):
            build.close()  # a link reference definition says where, not what
        else:
            current = build.current
            if (
                current is not None
                and current.kind == "alert"
                and current.label.islower()
                and not text.startswith((" ", "\t"))
            ):
                build.close()
            build.add(line)
    build.close()
    return [tidy(block) for block in build.blocks]


def _mkdocs_kind(word: str) -> str:
    upper = word.upper()
    mapped = {"DANGER": "CAUTION", "HINT": "TIP", "ATTENTION": "IMPORTANT", "INFO": "NOTE"}
    return mapped.get(upper, upper if upper in ALERT_KINDS else "NOTE").lower()


def tidy(block: Block) -> Block:
    """Drop trailing blank lines (kept only while a block could go on)."""
    while block.lines and not block.lines[-1].text.strip():
        block.lines.pop()
    if block.kind == "alert" and block.label.islower():
        block.label = block.label.upper()  # a mkdocs admonition, lowercase while it was read
    return block
