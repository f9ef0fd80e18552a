"""Facts about dependency manifests: versions bumped, dependencies added or dropped.

A requirement line removed and added again for the same name is a bump (old spec -> new
spec); a name only added or only removed is a new or dropped dependency. The project's own
``version`` field is reported as a release bump.
"""

from __future__ import annotations

import re

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import code, iter_runs, listing

# "name>=1.0" (requirements, pyproject arrays), name = "1.0" (TOML tables), "name": "^1.0".
_PEP508_RE = re.compile(
    r"^\s*[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*"
    r"((?:[<>=!~^]=?|===?)\s*[^\s\"',;#]+(?:\s*,\s*[<>=!~]=?\s*[^\s\"',;#]+)*)?"
    r"\s*(?:;[^\"']*)?[\"']?,?\s*(?:#.*)?$"
)
_TOML_RE = re.compile(
    r"^\s*[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)[\"']?\s*=\s*"
    r"(?:[\"']([^\"']+)[\"']|\{[^}]*version\s*=\s*[\"']([^\"']+)[\"'])"
)
_JSON_RE = re.compile(r"^\s*\"(@?[A-Za-z0-9][\w./@-]*)\"\s*:\s*\"([^\"]+)\"\s*,?\s*$")
# A version or version range: "1.2", "^1.2", ">=1,<2", "~=1.4", "*", "latest", "v1.2.3".
_VERSIONISH_RE = re.compile(r"^\s*(?:\*|latest|(?:[\^~<>=!]=?\s*|v)?\d)")
_GOMOD_RE = re.compile(r"^\s*(?:require\s+)?([a-z0-9][\w.-]*\.[a-z]{2,}/\S+)\s+(v\S+)")

_MANIFESTS = {
    "pyproject.toml": "toml", "Cargo.toml": "toml", "Pipfile": "toml",
    "package.json": "json", "composer.json": "json",
    "go.mod": "gomod", "setup.py": "toml",
}  # fmt: skip
_VERSION_KEYS = {"version"}
_LONGEST_LINE = 400  # longer lines are data, and would make the patterns slow
_NOT_DEPENDENCIES = frozenset(
    """name description license readme homepage repository documentation main module types
    type author private scripts requires-python python_requires keywords edition build-backend
    requires include exclude packages testpaths line-length target-version""".split()
)


def manifest_kind(filename: str) -> str | None:
    base = filename.rsplit("/", 1)[-1]
    if base in _MANIFESTS:
        return _MANIFESTS[base]
    if base.startswith("requirements") and base.endswith((".txt", ".in")):
        return "requirements"
    if base in ("constraints.txt", "setup.cfg"):
        return "requirements"
    return None


def _parse(kind: str, line: str) -> tuple[str, str] | None:
    text = line.strip()
    if not text or text.startswith(("#", "[", "//", "-")):
        return None
    if kind == "json":
        match = _JSON_RE.match(text)
        return (
            (match.group(1), match.group(2))
            if match and _VERSIONISH_RE.match(match.group(2))
            else None
        )
    if kind == "gomod":
        match = _GOMOD_RE.match(text)
        return (match.group(1), match.group(2)) if match else None
    if kind == "toml":
        match = _TOML_RE.match(text)
        value = (match.group(2) or match.group(3) or "") if match else ""
        if match and _VERSIONISH_RE.match(value):
            return match.group(1), value
        if match:
            return None  # a name, URL or path, not a dependency
    match = _PEP508_RE.match(text)
    spec = (match.group(3) or "") if match else ""
    if spec.startswith("=") and not spec.startswith("=="):
        return None  # ``key = value`` (setup.cfg options), not a pin: pip spells it ``==``
    if match and (spec or kind == "requirements" or text.startswith(('"', "'"))):
        return match.group(1), " ".join((match.group(3) or "no version pin").split())
    return None


def _pairs(kind: str, lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        parsed = _parse(kind, line) if len(line) <= _LONGEST_LINE else None
        if parsed and parsed[0].lower() not in _NOT_DEPENDENCIES | _VERSION_KEYS:
            found.setdefault(parsed[0], parsed[1])
        elif parsed and parsed[0].lower() in _VERSION_KEYS:
            found.setdefault("\0version", parsed[1])
    return found


def manifest_keys(filename: str, patch: str | None) -> set[str]:
    """The names :func:`manifest_facts` speaks for (``version`` and dependencies)."""
    kind = manifest_kind(filename)
    if kind is None:
        return set()
    keys: set[str] = set()
    for run in iter_runs(patch):
        keys.update(_pairs(kind, run.removed), _pairs(kind, run.added))
    return {"version" if k == "\0version" else k for k in keys}


def manifest_facts(filename: str, patch: str | None) -> list[Fact]:
    """Version and dependency changes of one manifest file."""
    kind = manifest_kind(filename)
    if kind is None:
        return []
    removed: dict[str, str] = {}
    added: dict[str, str] = {}
    for run in iter_runs(patch):
        for name, spec in _pairs(kind, run.removed).items():
            removed.setdefault(name, spec)
        for name, spec in _pairs(kind, run.added).items():
            added.setdefault(name, spec)
    facts: list[Fact] = []
    version = ("\0version" in removed, "\0version" in added)
    if all(version) and removed["\0version"] != added["\0version"]:
        old, new = removed.pop("\0version"), added.pop("\0version")
        facts.append(Fact(f"Version bumped: {code(old)} -> {code(new)}.", "other", 5, "version"))
    removed.pop("\0version", None)
    added.pop("\0version", None)
    bumps = [
        f"`{name}` {code(removed[name])} -> {code(spec)}"
        for name, spec in added.items()
        if name in removed and removed[name] != spec
    ]
    if bumps:
        facts.append(
            Fact(f"Dependency versions changed: {listing(bumps, 6)}.", "other", 4, "dependencies")
        )
    new_deps = [f"`{n}` {code(s)}" for n, s in added.items() if n not in removed]
    if new_deps:
        text = f"Dependencies added: {listing(new_deps, 6)}."
        facts.append(Fact(text, "other", 3, "dependencies"))
    gone = [f"`{n}`" for n in removed if n not in added]
    if gone:
        text = f"Dependencies removed: {listing(gone, 6)}."
        facts.append(Fact(text, "other", 3, "dependencies"))
    return facts
