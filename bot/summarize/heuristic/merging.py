"""One highlight per kind of API change, and written entries folded into the code facts.

The same kind of change in several files ("Removed public ..." in six modules) becomes one
highlight naming them all, so the cap on highlights does not hide real breaks. An entry the
maintainers wrote (a changelog line, a commit message) about a name a code fact already
covers joins that fact's highlight, quoted when there is room, instead of repeating it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.summarize.heuristic.facts import Fact, kind_of
from bot.summarize.heuristic.patchwalk import listing
from bot.summarize.heuristic.ranking import BULLET_LIMIT, shorten, worth

_CODE_SPAN_RE = re.compile(r"`([^`\n]{2,80})`")
_WRITTEN_TOPICS = ("changelog", "commit")
_WORD_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


@dataclass
class Merged:
    """Cross-file highlights, and which (file index, fact index) pairs they consumed."""

    items: list[tuple[str, int, str]]  # kind, worth, text
    used: set[tuple[int, int]]


def _last(name: str) -> str:
    return re.split(r"::|\.", name.strip("`()"))[-1]


def _mentions(entry: str) -> set[str]:
    """Names an entry puts in code spans, by their last part (``app.env`` -> ``env``)."""
    return {_last(span) for span in _CODE_SPAN_RE.findall(entry) if _last(span)}


def _gist(text: str) -> str:
    """An entry's words without its attribution, references and punctuation, to find repeats."""
    body = text.split(": ", 1)[-1]
    body = re.sub(r"\(#?\d+\)|\([0-9a-f]{7,40}\)|#\d+", "", body)
    return " ".join(re.findall(r"[a-z0-9_]+", body.lower()))


def _platform(name: str) -> str:
    return name.replace(".js", "")


def merge(facts: list[list[str]], names: list[str], extra: list[Fact] | None = None) -> Merged:
    """Cross-file highlights of keyed API facts, with matching written entries folded in.

    ``facts`` are each file's facts, ``names`` each file's display name; ``extra`` are facts
    of the whole range (commit messages), which may fold in too.
    """
    keyed: dict[tuple[str, str], list[tuple[int, int, Fact]]] = {}
    for i, file_facts in enumerate(facts):
        for j, fact in enumerate(file_facts):
            key = getattr(fact, "key", "")
            if key:
                keyed.setdefault((kind_of(fact), key), []).append((i, j, fact))  # type: ignore[arg-type]
    subjects: dict[str, tuple[str, str]] = {}  # last name -> (kind, key)
    for (kind, key), members in keyed.items():
        for _, _, fact in members:
            for item in fact.subject.splitlines():
                if key == "platform":
                    subjects.setdefault(_platform(item.strip("`")), (kind, key))
                    continue
                for name in _mentions(item):
                    subjects.setdefault(name, (kind, key))
    quotes: dict[tuple[str, str], list[str]] = {}
    used: set[tuple[int, int]] = set()
    written = [(i, j, f) for i, ff in enumerate(facts) for j, f in enumerate(ff)]
    written += [(-1, j, f) for j, f in enumerate(extra or [])]
    said: set[str] = set()
    for i, j, fact in written:
        if getattr(fact, "topic", "") not in _WRITTEN_TOPICS:
            continue
        gist = _gist(str(fact))
        if gist in said:  # the changelog and a pull request title, or two releases' lines
            used.add((i, j))
            continue
        said.add(gist)
        hits = {subjects[n] for n in _mentions(str(fact)) if n in subjects}
        hits |= {subjects[w] for w in _WORD_RE.findall(str(fact)) if len(w) >= 5 and w in subjects}
        if getattr(fact, "tier", None) == "platform":
            words = set(re.findall(r"[A-Za-z#.]+", str(fact).replace(".js", "")))
            hits |= {subjects[n] for n in words if n in subjects and subjects[n][1] == "platform"}
        same_group = [h for h in hits if h[0] == kind_of(fact)]
        if same_group:
            quotes.setdefault(same_group[0], []).append(str(fact))
            used.add((i, j))
    items: list[tuple[str, int, str]] = []
    for (kind, key), members in keyed.items():
        files = list(dict.fromkeys(names[i] for i, _, _ in members))
        if len(members) < 2 and (kind, key) not in quotes:
            continue  # one file, nothing written about it: the file's own highlight
        first = members[0][2]
        listed = list(dict.fromkeys(x for _, _, f in members for x in f.subject.splitlines()))
        text = str(first) if key == "platform" else _sentence(str(first), listed)
        where = f" ({listing(files, 3)})" if len(files) > 1 else ""
        text = f"{files[0]}: {text}" if len(files) == 1 else text.rstrip(".") + where + "."
        for quote in quotes.get((kind, key), [])[:1]:
            joined = f"{text} {quote}"
            if len(joined) <= BULLET_LIMIT:
                text = joined
        items.append((kind, max(worth(f) for _, _, f in members), shorten(text)))
        used.update((i, j) for i, j, _ in members)
    return Merged(items, used)


def _sentence(first: str, listed: list[str]) -> str:
    """``first``'s sentence with its listing replaced by every file's items."""
    body = first.rstrip(".")
    lead = body.split(": ", 1)[0] + ": " if ": " in body else ""
    if not lead:
        for verb in ("Removed deprecated ", "Removed public ", "Added public ", "Deprecated "):
            if body.startswith(verb):
                lead = verb
                break
    tail = ""
    for suffix in (" (still works)", " (they warned)"):
        if body.endswith(suffix):
            tail = suffix
    return f"{lead}{listing(listed, 10)}{tail}."
