"""Facts about settings files (YAML, TOML, INI, package metadata) and reStructuredText.

A ``key: value`` or ``key = value`` line removed and added again with another value in the
same run is a changed setting; reStructuredText headings are a text line underlined by a row
of ``=``, ``-``, ``~`` (or similar) of at least its length.
"""

from __future__ import annotations

import re

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import clip, code, iter_runs, listing

_SETTINGS_EXTENSIONS = (".yml", ".yaml", ".toml", ".ini", ".cfg", ".properties", ".env", ".conf")
_SETTINGS_NAMES = frozenset({"PKG-INFO", "METADATA", ".editorconfig", "Dockerfile"})
_SETTING_RE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*(?::|=)\s*(\S.*?)\s*$")
_UNDERLINE_RE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_LIMIT = 6
_LONGEST_SETTING = 400  # longer lines are data, and would make the pattern slow


def is_settings(filename: str) -> bool:
    base = filename.rsplit("/", 1)[-1]
    return base in _SETTINGS_NAMES or base.lower().endswith(_SETTINGS_EXTENSIONS)


def _settings(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = _SETTING_RE.match(line) if len(line) <= _LONGEST_SETTING else None
        if match and not line.lstrip().startswith(("#", ";", "//")):
            value = match.group(2).rstrip(",")
            if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]  # TOML and YAML quotes are syntax, not the value
            found.setdefault(match.group(1), value)
    return found


def settings_facts(patch: str | None, skip: frozenset[str] | set[str] = frozenset()) -> list[Fact]:
    """Settings whose value changed, were added or were removed (but not those in ``skip``,
    which another extractor has described already)."""
    changed: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    for run in iter_runs(patch):
        old = {k: v for k, v in _settings(run.removed).items() if k not in skip}
        new = {k: v for k, v in _settings(run.added).items() if k not in skip}
        for key, value in new.items():
            if key in old and old[key] != value:
                changed.append(f"`{key}` {code(old[key])} -> {code(value)}")
            elif key not in old:
                added.append(f"`{key}`")
        removed.extend(f"`{key}`" for key in old if key not in new)
    facts: list[Fact] = []
    if changed:
        text = f"Settings changed: {listing(list(dict.fromkeys(changed)), _LIMIT)}."
        facts.append(Fact(text, "other", 3, "settings"))
    if added:
        text = f"Settings added: {listing(list(dict.fromkeys(added)), _LIMIT)}."
        facts.append(Fact(text, "other", 2, "settings"))
    if removed:
        text = f"Settings removed: {listing(list(dict.fromkeys(removed)), _LIMIT)}."
        facts.append(Fact(text, "other", 2, "settings"))
    return facts


def _rst_headings(side: list[tuple[str, bool]]) -> list[str]:
    """Headings on one side of a hunk (its lines in order, each marked changed or not) whose
    title or underline changed: a retitled section keeps its underline as context."""
    found: list[str] = []
    for i in range(1, len(side)):
        (title, title_changed), (line, line_changed) = side[i - 1], side[i]
        if (
            (title_changed or line_changed)
            and _UNDERLINE_RE.match(line)
            and title.strip()
            and len(line.rstrip()) >= len(title.rstrip())
            and not _UNDERLINE_RE.match(title)
        ):
            found.append(clip(title.strip(), 70))
    return found


def _sides(patch: str | None) -> list[tuple[list[tuple[str, bool]], list[tuple[str, bool]]]]:
    """Per hunk: the old side (context and removed lines) and the new side (context and added)."""
    hunks: list[tuple[list[tuple[str, bool]], list[tuple[str, bool]]]] = []
    for line in (patch or "").split("\n"):
        tag = line[:1]
        if line.startswith("@@"):
            hunks.append(([], []))
        elif hunks and tag in (" ", ""):
            hunks[-1][0].append((line[1:], False))
            hunks[-1][1].append((line[1:], False))
        elif hunks and tag == "-":
            hunks[-1][0].append((line[1:], True))
        elif hunks and tag == "+":
            hunks[-1][1].append((line[1:], True))
    return hunks


def rst_facts(patch: str | None) -> list[Fact]:
    """reStructuredText sections added and removed (headings moved in place are ignored)."""
    added: list[str] = []
    removed: list[str] = []
    for old_side, new_side in _sides(patch):
        removed.extend(_rst_headings(old_side))
        added.extend(_rst_headings(new_side))
    new = [f'"{h}"' for h in added if h not in removed]
    gone = [f'"{h}"' for h in removed if h not in added]
    facts: list[Fact] = []
    if new:
        text = f"New sections added: {listing(new, _LIMIT)}."
        facts.append(Fact(text, "feature", 5, "headings"))
    if gone:
        facts.append(Fact(f"Sections removed: {listing(gone, _LIMIT)}.", "other", 4, "headings"))
    return facts
