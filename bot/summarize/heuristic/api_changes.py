"""API changes between two sides of a file, and the sentences that tell them.

:class:`ApiChange` is the common shape of what griffe (Python) and the tree-sitter reader
(other languages) find; :func:`compare_decls` compares tree-sitter declarations, and
:func:`api_facts` turns changes into ranked facts, one per kind of change, names grouped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.summarize.heuristic.api_syntax import Decl, Param, signature

# Languages whose callers pass arguments by position only: a parameter's name is no API,
# and none is optional. JavaScript passes by position too, but may leave trailing ones out.
_POSITIONAL = {"go", "rust", "java"}
_BY_POSITION = {"javascript", "typescript", "tsx"}


@dataclass(frozen=True, slots=True)
class ApiChange:
    """One API change, tied to the file that holds the object."""

    path: str
    what: str  # removed, added, deprecated, deprecated-param, param-removed, param-required,
    # param-optional, param-moved, param-kind, param-default, param-now-required,
    # base-removed, kind-changed, signature, overload-added, overload-removed, types
    name: str
    kind: str
    detail: str = ""


def _signature(params: tuple[Param, ...] | None) -> str:
    return ", ".join(p.type or p.name for p in params or ())


def compare_decls(
    path: str, grammar: str, old: Mapping[str, Decl], new: Mapping[str, Decl]
) -> list[ApiChange]:
    """Declarations removed, added or changed in their parameters."""
    changes: list[ApiChange] = []
    gone = [d for n, d in old.items() if n not in new]
    came = [d for n, d in new.items() if n not in old]
    gone_owners = {d.name for d in gone}
    came_owners = {d.name for d in came}
    for d in gone:
        if _owner(d.name) not in gone_owners:
            changes.append(ApiChange(path, "removed", d.name, d.kind))
    for d in came:
        if _owner(d.name) not in came_owners:
            changes.append(ApiChange(path, "added", d.name, d.kind))
    for name, before in old.items():
        after = new.get(name)
        if after is not None and _marked(after) and not _marked(before):
            changes.append(ApiChange(path, "deprecated", after.name, after.kind))
        if after is not None and (before.overloads or after.overloads):
            changes.extend(_overload_changes(path, grammar, before, after))
            continue
        if after is None or before.params is None or after.params is None:
            continue
        changes.extend(_param_changes(path, grammar, before, after))
    return changes


def _arity(sig: str) -> int:
    """Parameters in ``(a, Map<K, V>)``: commas outside brackets, plus one."""
    depth, commas = 0, 0
    for char in sig[1:-1]:
        if char in "<([{":
            depth += 1
        elif char in ">)]}":
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
    return commas + (sig != "()")


def _overload_changes(path: str, grammar: str, before: Decl, after: Decl) -> list[ApiChange]:
    """A new overload is a feature (not an "added" function); a dropped one breaks callers.

    In TypeScript an overload whose types were only respelled (same number of parameters)
    is an annotation edit, as for any other declaration."""
    old = set(before.overloads or (signature(before.params),))
    new = set(after.overloads or (signature(after.params),))
    added, gone = sorted(new - old), sorted(old - new)
    if grammar in _BY_POSITION:
        for sig in list(added):
            twin = next((g for g in gone if _arity(g) == _arity(sig)), None)
            if twin is not None:
                added.remove(sig)
                gone.remove(twin)
        if not added and not gone and old != new:
            return [ApiChange(path, "types", after.name, after.kind)]
    changes = [ApiChange(path, "overload-added", after.name, after.kind, s) for s in added]
    changes += [ApiChange(path, "overload-removed", after.name, after.kind, s) for s in gone]
    return changes


def _marked(decl: Decl) -> bool:
    return bool(getattr(decl.header, "deprecated", False))


def _owner(name: str) -> str:
    for sep in ("::", "."):
        if sep in name:
            return name.rsplit(sep, 1)[0]
    return ""


def _param_changes(path: str, grammar: str, before: Decl, after: Decl) -> list[ApiChange]:
    old, new = before.params or (), after.params or ()
    if old == new:
        return []
    if grammar in _POSITIONAL:
        if [p.type for p in old] != [p.type for p in new] or len(old) != len(new):
            if all(p.optional for p in new[len(old) :]) and [p.type for p in old] == [
                p.type for p in new[: len(old)]
            ]:
                added = ", ".join(p.name for p in new[len(old) :])
                return [ApiChange(path, "param-optional", after.name, after.kind, added)]
            detail = f"{before.header} -> {after.header}"
            return [ApiChange(path, "signature", after.name, after.kind, detail)]
        return []  # only names changed: callers do not see them
    if grammar in _BY_POSITION:
        return _js_param_changes(path, before, after, grammar != "javascript")
    changes: list[ApiChange] = []
    old_names = {p.name: p for p in old}
    new_names = {p.name: p for p in new}
    for p in old:
        if p.name not in new_names:
            changes.append(ApiChange(path, "param-removed", after.name, after.kind, p.name))
    for p in new:
        if p.name in old_names:
            if old_names[p.name].optional and not p.optional:
                changes.append(
                    ApiChange(path, "param-now-required", after.name, after.kind, p.name)
                )
            continue
        what = "param-optional" if p.optional else "param-required"
        changes.append(ApiChange(path, what, after.name, after.kind, p.name))
    if not changes and [p.type for p in old] != [p.type for p in new]:
        changes.append(ApiChange(path, "types", after.name, after.kind))
    return changes


def _js_param_changes(path: str, before: Decl, after: Decl, typed: bool) -> list[ApiChange]:
    """By position; in plain JavaScript any argument may be left out, so a new parameter is
    optional to callers; TypeScript says which are required."""
    old, new = before.params or (), after.params or ()
    changes: list[ApiChange] = []
    for i, p in enumerate(new):
        if i >= len(old):
            what = "param-optional" if p.optional or not typed else "param-required"
            changes.append(ApiChange(path, what, after.name, after.kind, p.name))
        elif typed and old[i].optional and not p.optional:
            changes.append(ApiChange(path, "param-now-required", after.name, after.kind, p.name))
    for p in old[len(new) :]:
        if not p.name.startswith("..."):
            changes.append(ApiChange(path, "param-removed", after.name, after.kind, p.name))
    if not changes and [(p.type, p.name) for p in old] != [(p.type, p.name) for p in new]:
        changes.append(ApiChange(path, "types", after.name, after.kind))
    return changes
