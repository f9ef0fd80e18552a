"""What a reader sees of a sentence or a command, and which few words of it changed.

A version bumped in a sentence is worth "`2.88.0` -> `2.89.0`", not "1 line added and 1
removed": the old and the new text are compared word by word (markup taken off first, so a
link's address or an emphasis never counts as the change), and when only a few words differ
those words are the fact. Inputs are bounded before the comparison, so its cost stays small.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

_IMAGE_RE = re.compile(r"!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)")
_LINK_RE = re.compile(r"\[([^\]\n]{0,300})\](?:\([^)\n]{0,2000}\)|\[[^\]\n]{0,100}\])")
_RST_LINK_RE = re.compile(r"`([^`<\n]{1,300}?)\s*<[^>\n]{1,2000}>`_{1,2}")
_RST_ROLE_RE = re.compile(r":[\w:+-]{1,40}:`([^`\n]{1,300})`")
_ADOC_LINK_RE = re.compile(r"\b(?:xref|link|https?)[:][^\[\s]{0,2000}\[([^\]\n]{0,300})\]")
_TAG_RE = re.compile(r"</?[A-Za-z][^>\n]{0,300}>")
_EMPHASIS_RE = re.compile(r"(\*{1,3}|_{2,3}|`{1,2}|~~)(?=\S)(.{1,500}?)(?<=\S)\1")
_TOKEN_RE = re.compile(r"-{1,2}\w[\w.-]*|\w[\w.+/:@%-]*[\w%]|\w|[^\w\s]")
_MAX_TOKENS = 400
PLAIN_LIMIT = 4000
_FEW = 6  # at most this many words on a side make a "value" change


@functools.lru_cache(maxsize=16384)
def plain(text: str) -> str:
    """The words of a line as a reader sees them: link text kept whole, markup dropped.

    Cached: one block's text is asked for by the section pairing, the edit finder and the
    quotes of its facts (10,000 calls for a 250-file release).

    Only the first ``PLAIN_LIMIT`` characters are read: a fact quotes a sentence, and words
    enough to pair blocks are there, so a hostile megabyte line costs no more than that.
    """
    text = text[:PLAIN_LIMIT]
    text = _IMAGE_RE.sub(lambda m: m.group(1), text)
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    text = _RST_LINK_RE.sub(lambda m: m.group(1), text)
    text = _RST_ROLE_RE.sub(lambda m: m.group(1), text)
    text = _ADOC_LINK_RE.sub(lambda m: m.group(1), text)
    text = _TAG_RE.sub("", text)
    for _ in range(2):
        text = _EMPHASIS_RE.sub(lambda m: m.group(2), text)
    text = re.sub(r"^\s*(?:>\s*)+", "", text)  # quote markers
    text = re.sub(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", "", text)  # list markers
    return " ".join(text.split())


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Shared words over the longer side's words: 1.0 for the same text, 0 for nothing shared."""
    total_a, total_b = a.total(), b.total()
    if not max(total_a, total_b):
        return 1.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = sum(min(count, large[word]) for word, count in small.items() if word in large)
    return shared / max(total_a, total_b)


def value_changes(old: str, new: str, few: int = _FEW) -> list[tuple[str, str]] | None:
    """The spans that differ between two texts, when only a few words do; else None.

    Each span is widened to whole tokens (``2.88.0``, ``--password=``), so a fact names the
    value, not a fragment of it.
    """
    a = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(old)][:_MAX_TOKENS]
    b = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(new)][:_MAX_TOKENS]
    ta = [old[s:e] for s, e in a]
    tb = [new[s:e] for s, e in b]
    if ta == tb:
        return None
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    changes: list[tuple[str, str]] = []
    changed_a = changed_b = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        changed_a += i2 - i1
        changed_b += j2 - j1
        before = old[a[i1][0] : a[i2 - 1][1]] if i2 > i1 else ""
        after = new[b[j1][0] : b[j2 - 1][1]] if j2 > j1 else ""
        if not before or not after:  # a pure insertion or deletion: show the word it follows
            if (
                max(i2 - i1, j2 - j1) > 3
                or i1 == 0
                or j1 == 0
                or not any(c.isalnum() for c in ta[i1 - 1])
            ):
                return None  # words added or dropped, not a value changed
            before = old[a[i1 - 1][0] : a[i2 - 1][1]] if i2 > i1 else ta[i1 - 1]
            after = new[b[j1 - 1][0] : b[j2 - 1][1]] if j2 > j1 else tb[j1 - 1]
        if (before, after) not in changes:
            changes.append((before, after))
    worded = [(a, b) for a, b in changes if any(ch.isalnum() for ch in a + b)]
    changes = worded or changes  # a full stop that became a colon is not worth saying
    longest = max(len(ta), len(tb))
    if changed_a > few or changed_b > few or len(changes) > 3:
        return None
    if (changed_a + changed_b) > max(4, longest):  # most of the text is new: not a value
        return None
    return changes


def pair_by_words(
    olds: list[T],
    news: list[T],
    words_of: Callable[[T], Counter[str]],
    threshold: float,
    same_kind: Callable[[T, T], bool] = lambda old, new: True,
    window: int = 24,
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair old and new items by shared words; the rest were added or removed.

    A diff keeps order, so an item's counterpart is near its place: each new item is compared
    with at most ``2 * window + 1`` old ones around its proportional position, which keeps the
    cost linear in the number of items (every item is compared with every other in short lists).
    """
    old_words = [words_of(old) for old in olds]
    old_totals = [counted.total() for counted in old_words]
    used = [False] * len(olds)
    pairs: list[tuple[T, T]] = []
    added: list[T] = []
    for j, new in enumerate(news):
        new_words = words_of(new)
        new_total = new_words.total()
        center = j * len(olds) // max(len(news), 1)
        best, best_score = -1, 0.0
        for i in range(max(0, center - window), min(len(olds), center + window + 1)):
            if used[i] or not same_kind(olds[i], new):
                continue
            longest = max(old_totals[i], new_total)
            if longest and min(old_totals[i], new_total) < max(threshold, best_score) * longest:
                continue  # too different in length to reach the threshold (or beat the best)
            score = similarity(old_words[i], new_words)
            if score > best_score:
                best, best_score = i, score
        if best >= 0 and best_score >= threshold:
            used[best] = True
            pairs.append((olds[best], new))
        else:
            added.append(new)
    return pairs, added, [old for i, old in enumerate(olds) if not used[i]]
