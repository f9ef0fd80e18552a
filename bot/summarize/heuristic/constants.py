"""Facts about module-level constants: ``NAME = value`` in Python, ``export const NAME =`` in
JavaScript and TypeScript.

Settings, messages and limits often live in such constants; without this a change to one
reads only as "lines added near ...". A constant is an UPPER_CASE name assigned at the top
level; a value that spans lines is compared by its first line.
"""

from __future__ import annotations

import re

from bot.summarize.heuristic.code import is_internal_path, language_of
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import code, iter_runs, listing

_PATTERNS = {
    "python": re.compile(r"^([A-Z][A-Z0-9_]*[A-Z0-9])\s*(?::[^=]{1,80})?=\s*(\S.*)$"),
    "js": re.compile(
        r"^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*[A-Z0-9])\s*(?::[^=]{1,80})?=\s*(\S.*)$"
    ),
}
_LONGEST_LINE = 400
_LIMIT = 5


def _constants(pattern: re.Pattern[str], lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = pattern.match(line) if len(line) <= _LONGEST_LINE else None
        if match is None or "=>" in line or match.group(2).startswith(("async", "function")):
            continue  # an arrow function or function expression is a definition, not a value
        found.setdefault(match.group(1), match.group(2).rstrip(";").strip())
    return found


def constant_facts(filename: str, patch: str | None) -> list[Fact]:
    """Constants added, removed, or given another value."""
    pattern = _PATTERNS.get(language_of(filename) or "")
    if pattern is None:
        return []
    removed: dict[str, str] = {}
    added: dict[str, str] = {}
    for run in iter_runs(patch):
        for name, value in _constants(pattern, run.removed).items():
            removed.setdefault(name, value)
        for name, value in _constants(pattern, run.added).items():
            added.setdefault(name, value)
    changed = [
        f"`{n}` {code(removed[n])} -> {code(v)}"
        for n, v in added.items()
        if n in removed and removed[n] != v
    ]
    new = [f"`{n}`" for n in added if n not in removed]
    gone = [f"`{n}`" for n in removed if n not in added]
    facts: list[Fact] = []
    if changed:
        text = f"Constants changed: {listing(changed, _LIMIT)}."
        facts.append(Fact(text, "other", 3, "code"))
    if new:
        facts.append(Fact(f"Constants added: {listing(new, _LIMIT)}.", "other", 2, "code"))
    if gone:
        breaking = not is_internal_path(filename)
        text = f"Constants removed: {listing(gone, _LIMIT)}."
        facts.append(Fact(text, "breaking" if breaking else "other", 6 if breaking else 2, "code"))
    return facts
