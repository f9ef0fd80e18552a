"""Token counting and patch compression for the LLM summarizer, entirely offline.

No tokenizer is loaded: the exact ones download their tables at run time, which we may not do.
Instead :func:`estimate_tokens` over-estimates on purpose:

* ASCII text counts one token per 3.2 characters. BPE tokenizers of the GPT-4/4o family average
  about 4 characters per token on English prose and 3.3-3.8 on source code and diffs, so 3.2
  leaves a margin of 5-25% on the text we send. (Measured on the example report's largest
  patch: 16,408 characters give 5,132 estimated tokens, against about 3,300 word-and-punctuation
  pieces, the most a BPE tokenizer splits that prose into in practice.)
* every non-ASCII character counts 1.2 tokens: CJK text runs close to one token per character
  and accented Latin text far below that, so Japanese reports and patches stay covered.
* the estimate is never below the number of pieces the GPT tokenizers' own pre-split cuts the
  text into (a run of letters with one leading mark, up to three digits, a run of marks,
  whitespace): no token spans two pieces, so that count is a true floor. It matters where
  characters per token fall far below 3.2: hashes and checksums (lock files, ``go.sum``),
  numbers and dense punctuation, where 3.2 alone under-counts by half.
* each chat message adds 4 tokens of framing and each request 3 for the reply's priming, the
  figures OpenAI documents for its chat format; the JSON schema of ``response_format`` is
  counted as text because the server adds it to the prompt.

Compression happens in a stated order when a patch is over its allowance: unchanged context
lines go first, then whole hunks, largest first, keeping their ``@@`` headers so the model still
sees where the change was; if even the headers do not fit, the last headers go too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# The cl100k pre-split (o200k splits at least as finely): letters with one optional leading
# non-letter (``_`` counts as a mark), 1-3 digits, marks, then whitespace runs.
_PIECE_RE = re.compile(
    r"(?:[^\r\n\w]|_)?[^\W\d_]+|\d{1,3}| ?(?:[^\s\w]|_)+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
ASCII_CHARS_PER_TOKEN = 3.2
NON_ASCII_TOKENS_PER_CHAR = 1.2
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REQUEST = 3
MAX_HEADER_CHARS = 200
ELLIPSIS = "…"


def estimate_tokens(text: str) -> int:
    """A deliberately high estimate of the tokens ``text`` costs (see the module docstring)."""
    if not text:
        return 0
    non_ascii = 0 if text.isascii() else len(text) - len(text.encode("ascii", "ignore"))
    ascii_chars = len(text) - non_ascii
    by_chars = ascii_chars / ASCII_CHARS_PER_TOKEN + non_ascii * NON_ASCII_TOKENS_PER_CHAR
    by_chars = math.ceil(by_chars)
    return max(by_chars, pieces(text))


def pieces(text: str) -> int:
    """How many pre-split pieces ``text`` has: a floor for any GPT tokenizer's count."""
    return sum(1 for _ in _PIECE_RE.finditer(text))


def estimate_request(messages: list[dict[str, Any]], schema: dict[str, Any] | None = None) -> int:
    """Estimated prompt tokens of one chat-completions request (messages plus schema)."""
    total = TOKENS_PER_REQUEST
    for message in messages:
        total += TOKENS_PER_MESSAGE + estimate_tokens(str(message.get("content") or ""))
    if schema is not None:
        total += estimate_tokens(json.dumps(schema, separators=(",", ":")))
    return total


@dataclass(frozen=True)
class CompressedPatch:
    """A patch as sent to the model, and what had to be cut to fit its allowance."""

    text: str
    dropped_context: bool = False
    dropped_hunks: int = 0
    total_hunks: int = 0

    @property
    def cut(self) -> bool:
        return self.dropped_context or self.dropped_hunks > 0


@dataclass
class _Hunk:
    header: str
    lines: list[str]
    dropped: bool = False

    def render(self) -> str:
        if self.dropped:
            added = sum(1 for line in self.lines if line.startswith("+"))
            removed = sum(1 for line in self.lines if line.startswith("-"))
            return f"{self.header}\n[hunk body left out to fit the budget: +{added} -{removed}]"
        return "\n".join([self.header, *self.lines])

    @property
    def body_tokens(self) -> int:
        return estimate_tokens("\n".join(self.lines))


def split_hunks(patch: str) -> tuple[list[str], list[_Hunk]]:
    """Lines before the first ``@@`` header (rare) and the hunks that follow."""
    preamble: list[str] = []
    hunks: list[_Hunk] = []
    for line in patch.split("\n"):
        if line.startswith("@@"):
            hunks.append(_Hunk(line[:MAX_HEADER_CHARS], []))
        elif hunks:
            hunks[-1].lines.append(line)
        else:
            preamble.append(line)
    return preamble, hunks


def _join(preamble: list[str], hunks: list[_Hunk]) -> str:
    return "\n".join([*preamble, *(h.render() for h in hunks)])


def compress_patch(patch: str, max_tokens: int) -> CompressedPatch:
    """Fit ``patch`` into ``max_tokens``: drop context lines, then hunks by size, then headers."""
    if estimate_tokens(patch) <= max_tokens:
        return CompressedPatch(patch, total_hunks=patch.count("\n@@") + patch.startswith("@@"))
    preamble, hunks = split_hunks(patch)
    for hunk in hunks:
        hunk.lines = [line for line in hunk.lines if not line.startswith((" ", "\\"))]
    preamble = [line for line in preamble if not line.startswith(" ")]
    text = _join(preamble, hunks)
    if estimate_tokens(text) <= max_tokens:
        return CompressedPatch(text, dropped_context=True, total_hunks=len(hunks))
    dropped = 0
    for hunk in sorted(hunks, key=lambda h: h.body_tokens, reverse=True):
        hunk.dropped = True
        dropped += 1
        text = _join(preamble, hunks)
        if estimate_tokens(text) <= max_tokens:
            return CompressedPatch(text, True, dropped, len(hunks))
    kept = list(hunks)
    while kept:
        kept.pop()
        marker = f"[{len(hunks) - len(kept)} more hunk headers left out to fit the budget]"
        text = "\n".join([_join([], kept), marker]).lstrip("\n")
        if estimate_tokens(text) <= max_tokens:
            return CompressedPatch(text, True, dropped, len(hunks))
    return CompressedPatch("", True, dropped, len(hunks))


def fit_text(text: str, max_tokens: int) -> str:
    """``text`` cut at a line (or character) boundary so it fits ``max_tokens``."""
    if estimate_tokens(text) <= max_tokens:
        return text
    if estimate_tokens(ELLIPSIS) > max_tokens:
        return ""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        # The ellipsis is counted with the text: alone it rounds up to 2 tokens, not 1.
        if estimate_tokens(text[:mid] + ELLIPSIS) <= max_tokens:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS
