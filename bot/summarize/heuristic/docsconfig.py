"""Docs-site configuration read by key: docfx.json, OpenPublishing and redirection JSON,
mkdocs.yml, antora.yml, Jekyll's _config.yml, zone pivots.

A line of such a file means something only with the keys above it: ``"ms.date"`` is a site's
default publication date because it sits in ``globalMetadata``. The patch shows a few lines
around each change, so the enclosing keys are read from the hunk's own lines by indentation;
a JSON line that is a whole object (DocFX's ``content`` entries) is parsed and compared member
by member with the removed object it most resembles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import code, iter_runs, listing

_CONFIG_NAMES = frozenset({
    "docfx.json", ".openpublishing.publish.config.json", "mkdocs.yml", "mkdocs.yaml",
    "antora.yml", "antora-playbook.yml", "_config.yml", "zone-pivot-groups.yml", "book.toml",
    "docusaurus.config.js", "conf.py",
})  # fmt: skip
_JSON_MEMBER_RE = re.compile(r'^(\s*)"([^"\n]{1,200})"\s*:(.*)$')
_YAML_MEMBER_RE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w.-]{0,100}):(\s.*)?$")
_PAGE_RE = re.compile(r"\.(?:md|ipynb|html)['\"]?$")
_LONGEST = 2000
_LIMIT = 6


def is_docs_config(filename: str) -> bool:
    base = filename.rsplit("/", 1)[-1].lower()
    if base in ("conf.py", "docusaurus.config.js", "book.toml"):
        return False  # code, read as code elsewhere
    return base in _CONFIG_NAMES or (base.startswith(".openpublishing.") and base.endswith(".json"))


@dataclass
class _Found:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _members(line: str, json_file: bool) -> tuple[int, str, str] | None:
    """(indentation, key, value text) of a ``key: value`` line, if it is one."""
    if len(line) > _LONGEST:
        return None
    match = (_JSON_MEMBER_RE if json_file else _YAML_MEMBER_RE).match(line)
    if not match:
        return None
    value = (match.group(3) or "").strip()  # trimmed here: a lazy pattern would backtrack
    if json_file:
        value = value.removesuffix(",").rstrip()
    return len(match.group(1)), match.group(2), value


def _parents(context: list[str], indent: int, json_file: bool) -> list[str]:
    """The keys enclosing a line of the given indentation, from the lines above it."""
    path: list[str] = []
    level = indent
    for line in reversed(context):
        member = _members(line, json_file)
        if member and member[0] < level and (not member[2] or member[2][:1] in "{["):
            path.append(member[1])
            level = member[0]
    return list(reversed(path))


def _value(text: str) -> str:
    text = text.rstrip(",").strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text


def _objects(lines: list[str]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for line in lines:
        text = line.strip().rstrip(",")
        if text.startswith("{") and text.endswith("}") and len(text) <= _LONGEST:
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
    return found


def _compare_objects(
    removed: list[dict[str, object]], added: list[dict[str, object]], where: str, found: _Found
) -> None:
    """Pair whole-object lines by how many members they share; name what differs."""
    left = list(removed)
    for new in added:
        scored = [(sum(1 for k, v in old.items() if new.get(k) == v), old) for old in left]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        if best[1] is not None and best[0] >= max(1, len(new) // 2):
            old = best[1]
            left.remove(old)
            diffs = [
                f"`{k}` {code(json.dumps(old.get(k)))} -> {code(json.dumps(new.get(k)))}"
                for k in dict.fromkeys([*old, *new])
                if old.get(k) != new.get(k)
            ]
            if diffs:
                found.changed.append(f"{where}entry: {'; '.join(diffs[:3])}")
        else:
            found.added.append(f"{where}entry {code(json.dumps(new))}")
    found.removed.extend(f"{where}entry {code(json.dumps(old))}" for old in left)


def config_facts(filename: str, patch: str | None) -> list[Fact]:
    """Keys of a docs configuration file changed, added and removed, named by their path."""
    json_file = filename.lower().endswith(".json")
    skip_nav = filename.rsplit("/", 1)[-1].lower().startswith("mkdocs")
    found = _Found()
    context: list[str] = []
    for run in iter_runs(patch):
        if run.hunk_start:
            context = []
        context.extend(run.before)
        old = {m[1]: (m[0], m[2]) for line in run.removed if (m := _members(line, json_file))}
        new = {m[1]: (m[0], m[2]) for line in run.added if (m := _members(line, json_file))}
        for name in dict.fromkeys([*new, *old]):
            indent = (new.get(name) or old[name])[0]
            path = ".".join([*_parents(context, indent, json_file), name])
            value = (new.get(name) or old[name])[1]
            if skip_nav and (path.split(".", 1)[0] == "nav" or _PAGE_RE.search(value)):
                continue  # a mkdocs page entry: the TOC reading names it
            before, after = old.get(name), new.get(name)
            if before and after and _value(before[1]) != _value(after[1]):
                if _value(after[1])[:1] not in "{[" or _value(before[1])[:1] not in "{[":
                    found.changed.append(
                        f"`{path}` {code(_value(before[1]))} -> {code(_value(after[1]))}"
                    )
            elif after and not before:
                shown = (
                    f" = {code(_value(after[1]))}"
                    if _value(after[1]) and _value(after[1])[:1] not in "{["
                    else ""
                )
                found.added.append(f"`{path}`{shown}")
            elif before and not after:
                found.removed.append(f"`{path}`")
        if json_file:
            indent = min(
                (len(x) - len(x.lstrip()) for x in run.added + run.removed if x.strip()), default=0
            )
            parents = _parents(context, indent, json_file)
            where = f"`{'.'.join(parents)}` " if parents else ""
            _compare_objects(_objects(run.removed), _objects(run.added), where, found)
        context.extend(run.added)
    facts: list[Fact] = []
    for items, verb, weight in (
        (found.changed, "changed", 4),
        (found.added, "added", 3),
        (found.removed, "removed", 3),
    ):
        unique = list(dict.fromkeys(items))
        if unique:
            facts.append(
                Fact(
                    f"Docs configuration {verb}: {listing(unique, _LIMIT)}.",
                    "other",
                    weight,
                    "settings",
                )
            )
    return facts
