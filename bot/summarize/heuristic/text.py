"""Facts about settings files (YAML, TOML, INI, package metadata).

A ``key: value`` or ``key = value`` line removed and added again with another value in the
same run is a changed setting. (reStructuredText pages are read with the other docs formats,
in :mod:`bot.summarize.heuristic.docblocks`.)
"""

from __future__ import annotations

import re

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import code, iter_runs, listing

_SETTINGS_EXTENSIONS = (".yml", ".yaml", ".toml", ".ini", ".cfg", ".properties", ".env", ".conf")
_SETTINGS_NAMES = frozenset({"PKG-INFO", "METADATA", ".editorconfig", "Dockerfile"})
_SETTING_RE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*(?::|=)\s*(\S.*?)\s*$")
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
