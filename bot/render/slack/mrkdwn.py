"""Escaping and splitting of Slack mrkdwn, so long text fits Slack's limits and stays readable.

Slack refuses a section over 3,000 characters and a message over its block budget, so long
explanations are cut into pieces. A piece never ends inside a word, an escape such as
``&amp;``, or an inline formatting span (``*bold*``, ``_italic_``, ``~strike~``,
`` `code` ``, ``<link|label>``); a fenced code block that has to be cut is closed and reopened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FENCE = "```"
_SPAN_RE = re.compile(
    r"<[^<>\n]*>"  # links and mentions we generated
    r"|`[^`\n]+`"  # inline code
    r"|\*[^*\n]+\*"  # bold
    r"|_[^_\n]+_"  # italic
    r"|~[^~\n]+~"  # strike
    r"|&(?:amp|lt|gt);"  # escapes
)
_MD_BOLD_RE = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
_FENCE_RUN_RE = re.compile(r"`{3,}")


def _inside_fence(text: str, cut: int) -> bool:
    """Whether position ``cut`` of ``text`` lies inside a fenced block.

    A run of three or more backticks is one fence mark (counting ``"```"`` substrings would
    take a run of four for one mark and a run of six for two), marks pair up in order, and a
    last mark without a partner opens nothing: Slack shows it as typed, so a cut after it
    must not add a closing fence.
    """
    marks = [m.start() for m in _FENCE_RUN_RE.finditer(text)]
    paired = marks[: len(marks) - len(marks) % 2]
    return sum(1 for pos in paired if pos < cut) % 2 == 1


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn.

    After this, ``<!channel>``, ``<@U123>`` or ``<http://evil|docs>`` in a diff are shown as
    typed and notify or link nobody.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_from_markdown(text: str) -> str:
    """Escape summarizer text and turn Markdown ``**bold**`` into Slack's ``*bold*``.

    Markdown links are left as literal text on purpose: a link label written by an LLM or a
    repository could disguise where it points.
    """
    return _MD_BOLD_RE.sub(r"*\1*", escape_mrkdwn(text))


def _protected(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SPAN_RE.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < pos < end for start, end in spans)


def _cut_point(text: str, limit: int) -> int:
    """Where to end the first piece of ``text`` (at most ``limit`` characters)."""
    spans = _protected(text[: limit + 200])
    window = text[: limit + 1]
    for sep, min_share in (("\n\n", 0.5), ("\n", 0.5), (" ", 0.0)):
        pos = window.rfind(sep, 0, limit + 1)
        while pos > 0:
            if not _inside(pos, spans) and pos >= max(8, limit * min_share):
                return pos
            pos = window.rfind(sep, 0, pos)
    # One word longer than the limit (a very long URL or identifier): no better place.
    pos = limit
    while pos > 1 and _inside(pos, spans):
        pos -= 1
    return pos if pos > 1 else limit


def split_mrkdwn(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, at whitespace between spans."""
    if limit < 16:
        raise ValueError("limit too small to split mrkdwn")
    pieces: list[str] = []
    rest = text.strip()
    reopen = False
    while rest:
        if reopen:
            rest = FENCE + "\n" + rest
        budget = limit - len(FENCE) - 1  # room to close a fence we cut through
        if len(rest) <= limit:
            pieces.append(rest)
            break
        cut = _cut_point(rest, budget)
        reopen = _inside_fence(rest, cut)
        piece, rest = rest[:cut].rstrip(), rest[cut:].strip()
        if reopen:
            piece += "\n" + FENCE
        if piece:
            pieces.append(piece)
    return pieces


def first_piece(text: str, limit: int) -> str:
    """The start of ``text`` within ``limit``, cut between spans, with an ellipsis if cut."""
    pieces = split_mrkdwn(text, limit - 1) if text else [""]
    return pieces[0] + ("…" if len(pieces) > 1 else "")


def mrkdwn(text: str) -> dict[str, object]:
    """A mrkdwn text object that Slack shows as written.

    ``verbatim`` stops Slack's automatic parsing (plain ``@channel``, ``@here``, ``#channel``
    and bare URLs turned into mentions and links); our own ``<url|label>`` and ``<@U…>``
    still work. Escaping handles ``<``, ``>`` and ``&``; this handles the rest.
    """
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def truncate_plain(text: str, limit: int) -> str:
    """Shorten plain text to ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit - 1
    return text[:cut].rstrip() + "…"


# --- Block Kit primitives, sized to Slack's limits (tests/data/LIMITS.md) ---

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
BLOCK_TEXT_BUDGET = 11_000
"""Below the ~12,000 characters that trigger ``msg_blocks_too_long``, with room for containers."""


@dataclass
class SlackMessage:
    """One message to post: blocks plus the plain-text fallback Slack shows in notifications."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def block_text(self) -> int:
        return sum(block_size(b) for b in self.blocks)


def block_size(block: dict[str, Any]) -> int:
    size = len(block.get("text", {}).get("text", ""))
    for el in block.get("elements", []):
        size += len(el.get("text", "") if el.get("type") == "mrkdwn" else "")
        size += len(el.get("text", {}).get("text", "")) if el.get("type") == "button" else 0
    return size


def section_block(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def section_blocks(text: str) -> list[dict[str, Any]]:
    return [section_block(piece) for piece in split_mrkdwn(text, SECTION_LIMIT)]


def context_block(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(first_piece(text, SECTION_LIMIT))]}


def url_in_link(url: str) -> str:
    """A URL made safe to sit inside ``<url|label>``."""
    return escape_mrkdwn(url).replace("|", "%7C")


def link_to(url: str | None, label: str) -> str:
    """``label`` (already escaped) linked to ``url`` when there is one."""
    return f"<{url_in_link(url)}|{label}>" if url else label


def plural(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` (templates taking ``{n}``-style fields) for a count of ``n``."""
    return one if n == 1 else many
