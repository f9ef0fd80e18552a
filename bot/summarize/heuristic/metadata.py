"""Project metadata read as API: supported platforms and runtime dependencies.

The whole manifest on both sides is parsed (TOML, JSON, INI, ``go.mod``, MSBuild XML,
``setup.py`` by its syntax tree), so a raised ``requires-python`` reads "drops Python 3.7",
not "setting changed". A raised platform minimum or dependency minimum is a breaking change
for whoever is below it; a new or dropped runtime dependency is worth a line; development
dependencies are tooling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.manifest_readers import (
    Manifest,
)
from bot.summarize.heuristic.patchwalk import clip, code, listing

_VERSION_RE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_MIN_OPS = (">=", "~=", "==", ">", "^", "~", "")


@dataclass(frozen=True, slots=True)
class MetaChange:
    what: str  # platform-raised, platform-lowered, dep-raised, dep-added, dep-removed, dev
    subject: str
    old: str = ""
    new: str = ""
    detail: str = ""


def _minimum(spec: str) -> tuple[int, ...] | None:
    """The lowest version a spec allows: ``>=3.8`` -> (3, 8); ``^14`` -> (14,)."""
    for part in spec.replace(" ", "").split(","):
        part = part.split("||")[0]
        for op in _MIN_OPS:
            if part.startswith(op) and not part.startswith(("<", "!=")):
                match = _VERSION_RE.match(part[len(op) :].lstrip("v="))
                if match:
                    return tuple(int(g) for g in match.groups() if g is not None)
    return None


def _dropped(platform: str, old: tuple[int, ...], new: tuple[int, ...]) -> str:
    """The platforms no longer supported, in words: ``Python 3.7``, ``Node.js 14 and 16``."""
    if platform in ("Python", "Go") and len(old) >= 2 and len(new) >= 2 and old[0] == new[0]:
        gone = [f"{platform} {old[0]}.{m}" for m in range(old[1], new[1])]
        if 0 < len(gone) <= 4:
            return " and ".join([", ".join(gone[:-1]), gone[-1]] if len(gone) > 1 else gone)
    if platform == "Node.js" and new[0] > old[0]:
        gone = [f"{platform} {v}" for v in range(old[0], new[0]) if v % 2 == 0]
        if 0 < len(gone) <= 4:
            return " and ".join([", ".join(gone[:-1]), gone[-1]] if len(gone) > 1 else gone)
    return f"{platform} below {'.'.join(map(str, new))}"


def compare_manifests(old: Manifest | None, new: Manifest | None) -> list[MetaChange]:
    """Platform and dependency changes between two sides of one manifest."""
    if old is None or new is None:
        return []
    changes: list[MetaChange] = []
    for platform, spec in new.platforms.items():
        before = old.platforms.get(platform)
        if before is None or before == spec:
            continue
        low_old, low_new = _minimum(before), _minimum(spec)
        if low_old and low_new and low_new > low_old:
            changes.append(
                MetaChange(
                    "platform-raised", platform, before, spec, _dropped(platform, low_old, low_new)
                )
            )
        else:
            changes.append(MetaChange("platform-changed", platform, before, spec))
    for name, spec in new.runtime.items():
        if name not in old.runtime:
            changes.append(MetaChange("dep-added", name, "", spec))
            continue
        before = old.runtime[name]
        low_old, low_new = _minimum(before), _minimum(spec)
        if before != spec and low_old and low_new and low_new > low_old:
            changes.append(MetaChange("dep-raised", name, before, spec))
        elif before != spec:
            changes.append(MetaChange("dep-changed", name, before, spec))
    changes.extend(
        MetaChange("dep-removed", n, s) for n, s in old.runtime.items() if n not in new.runtime
    )
    dev = [n for n, s in new.dev.items() if old.dev.get(n) != s]
    dev += [n for n in old.dev if n not in new.dev]
    if dev:
        changes.append(MetaChange("dev", "development dependencies", detail=", ".join(dev)))
    return changes


def facts(changes: list[MetaChange]) -> list[Fact]:
    """Sentences for platform and dependency changes: dropped platforms first."""
    out: list[Fact] = []
    raised = [c for c in changes if c.what == "dep-raised"]
    added = [c for c in changes if c.what == "dep-added"]
    removed = [c for c in changes if c.what == "dep-removed"]
    changed = [c for c in changes if c.what == "dep-changed"]
    for c in changes:
        if c.what == "platform-raised":
            text = f"Drops {c.detail}: requires {c.subject} {code(c.new)} (was {code(c.old)})."
            platform = Fact(text, "breaking", 9, "dependencies", tier="platform", key="platform")
            platform.subject = f"`{c.subject}`"
            out.append(platform)
        elif c.what == "platform-changed":
            text = f"Supported {c.subject} changed: {code(c.old)} -> {code(c.new)}."
            out.append(Fact(text, "other", 6, "dependencies", tier="behaviour", subject=c.subject))
        elif c.what == "dev":
            text = f"Development dependencies changed: {clip(c.detail, 120)}."
            out.append(Fact(text, "other", 1, "dependencies", tier="tooling"))
    if raised:
        items = [f"`{c.subject}` {code(c.old)} -> {code(c.new)}" for c in raised]
        text = f"Minimum versions of dependencies raised: {listing(items, 6)}."
        dropped = next((f for f in out if f.key == "platform"), None)
        if dropped is not None:  # one highlight for what a user must upgrade
            joined = Fact(f"{dropped} {text}", "breaking", 9, "dependencies", tier="platform")
            joined.subject, joined.key = dropped.subject, "platform"
            out[out.index(dropped)] = joined
        else:
            out.append(Fact(text, "breaking", 6, "dependencies", tier="platform"))
    if removed:
        items = [f"`{c.subject}`" for c in removed]
        out.append(
            Fact(
                f"Dependencies dropped: {listing(items, 6)}.",
                "other",
                6,
                "dependencies",
                tier="behaviour",
                subject="\n".join(c.subject for c in removed),
            )
        )
    if added:
        items = [f"`{c.subject}` {code(c.new)}" if c.new else f"`{c.subject}`" for c in added]
        out.append(
            Fact(
                f"New dependencies: {listing(items, 6)}.",
                "other",
                5,
                "dependencies",
                tier="behaviour",
                subject="\n".join(c.subject for c in added),
            )
        )
    if changed:
        items = [f"`{c.subject}` {code(c.old)} -> {code(c.new)}" for c in changed]
        out.append(
            Fact(
                f"Dependency versions changed: {listing(items, 6)}.",
                "other",
                3,
                "dependencies",
                tier="behaviour",
            )
        )
    return out
