"""Python API changes from whole files, read by griffe (the mkdocstrings project's API loader).

Both sides of each touched package are loaded from their text and compared: griffe's own
breakage finder says what was removed or changed in an incompatible way; additions, new
optional parameters and deprecations are found here by walking the same trees. Public follows
Python's conventions as griffe applies them (``__all__``, leading underscores, private modules
unless a public module re-exports their names), and a name is shown by its public spelling
(``flask.Flask.run``, not ``flask.app.Flask.run``). Annotation-only edits are no breakage.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import griffe

from bot.summarize.heuristic.api_changes import ApiChange
from bot.summarize.heuristic.api_deprecations import deprecation_warnings, newly_warns, shim_names
from bot.summarize.heuristic.api_public import (
    UNRESOLVED,
    Obj,
    Package,
    display_name,
    file_of,
    future_import,
    in_all,
    is_callable,
    is_init,
    lookup,
    public_module,
    public_names,
    reexported,
    type_variable,
    walk,
)

logger = logging.getLogger(__name__)

# Breakage kinds that mostly come from annotation or value edits, not from broken callers.
_NOT_BREAKING = {
    griffe.BreakageKind.RETURN_CHANGED_TYPE,
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE,
    griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE,
}
_KINDS = {"class": "class", "function": "function", "attribute": "attribute", "module": "module"}


@contextlib.contextmanager
def _loaded(parent: str, files: Mapping[str, str]) -> Iterator[dict[str, Obj]]:
    """One side of every top-level package under ``parent``, loaded by griffe into one
    collection, so re-exports between sibling packages resolve (``pytest`` re-exports
    ``_pytest``). Package name -> module."""
    prefix = f"{parent}/" if parent else ""
    modules = {
        path[len(prefix) :]: text
        for path, text in files.items()
        if path.startswith(prefix) and path.endswith((".py", ".pyi"))
    }
    with tempfile.TemporaryDirectory(prefix="diffinsight-api-") as tmp:
        root = Path(tmp).resolve()
        for rel, text in modules.items():
            target = (root / rel).resolve()
            if not target.is_relative_to(root):
                continue  # a hostile path: never write outside the scratch folder
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        loader = griffe.GriffeLoader(search_paths=[root], allow_inspection=False)
        found: dict[str, Obj] = {}
        for name in sorted({rel.split("/", 1)[0] for rel in modules if "/" in rel}):
            if not name.isidentifier() or not (root / name / "__init__.py").exists():
                continue
            try:
                found[name] = loader.load(name)
            except (griffe.GriffeError, OSError, SyntaxError, ValueError):
                continue
            except (MemoryError, RecursionError):  # CPython's parser on a hostile nesting
                logger.warning("python package too deep to parse", extra={"package": name})
                continue
        loader.resolve_aliases(implicit=False, external=False)
        yield found


def _quiet() -> None:
    """griffe logs every alias it cannot resolve in a partial package; those are expected."""
    logging.getLogger("griffe").setLevel(logging.ERROR)


def compare(
    packages: list[Package], old_files: Mapping[str, str], new_files: Mapping[str, str]
) -> dict[Package, list[ApiChange]]:
    """Every API change between the two sides of each package (all in one folder)."""
    _quiet()
    parent = posixpath.dirname(packages[0].folder) if packages else ""
    found: dict[Package, list[ApiChange]] = {}
    with _loaded(parent, old_files) as old, _loaded(parent, new_files) as new:
        for package in packages:
            if package.name in old and package.name in new:
                found[package] = _compare(package, old[package.name], new[package.name])
    return found


class _Only:
    """A stand-in parent holding one member: griffe's ``find_breaking_changes`` compares the
    *members* of what it is given, so a function handed to it directly (one defined in a
    package's ``__init__``) never had its parameters compared, nor a class its bases; handed
    inside this, the member itself is."""

    def __init__(self, parent: Obj, name: str, member: Obj) -> None:
        self.path = f"{parent.path}.{name}"
        self.all_members = {name: member}


def _breakages(old: Obj, new: Obj) -> Iterator[griffe.Breakage]:
    """griffe's breakages, member by member, so one alias that cannot be resolved (a name
    from a module not read) costs that member only, not the whole package."""
    for name, member in list(old.members.items()):
        counterpart = new.members.get(name)
        try:
            if not member.is_public:
                continue  # a private module's or name's changes break no one
            if counterpart is None:
                removed: Obj = member
                yield griffe.ObjectRemovedBreakage(removed, removed, None)
                continue
            before: Any = _Only(old, name, member)
            after: Any = _Only(new, name, counterpart)
            yield from list(griffe.find_breaking_changes(before, after))
        except UNRESOLVED:
            continue


def _param_text(p: griffe.Parameter) -> str:
    return f"{p.name}={p.default}" if p.default is not None else p.name


def _compare(package: Package, old: griffe.Module, new: griffe.Module) -> list[ApiChange]:
    names = {**public_names(old), **public_names(new)}
    old_shims, new_shims = shim_names(old), shim_names(new)
    changes: list[ApiChange] = []
    broken: set[str] = set()
    for breakage in _breakages(old, new):
        obj = breakage.obj
        path = str(obj.path)
        if breakage.kind in _NOT_BREAKING:
            continue
        shown = display_name(path, names)
        if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
            if type_variable(obj):
                continue  # a TypeVar is typing plumbing, not something callers use
            if future_import(obj):
                continue  # a compiler directive, not a name anyone imports from here
            if path in new_shims or shown in new_shims:
                continue  # moved behind a module __getattr__: reported as deprecated below
            kind = _KINDS.get(obj.kind.value, obj.kind.value) if not obj.is_alias else "name"
            changes.append(ApiChange(file_of(obj, package), "removed", shown, kind))
            broken.add(path)
            continue
        old_value, new_value = breakage.old_value, breakage.new_value
        param = getattr(new_value, "name", None) or getattr(old_value, "name", None) or ""
        what = {
            griffe.BreakageKind.PARAMETER_REMOVED: "param-removed",
            griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: "param-required",
            griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: "param-now-required",
            griffe.BreakageKind.PARAMETER_MOVED: "param-moved",
            griffe.BreakageKind.PARAMETER_CHANGED_KIND: "param-kind",
            griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT: "param-default",
            griffe.BreakageKind.CLASS_REMOVED_BASE: "base-removed",
            griffe.BreakageKind.OBJECT_CHANGED_KIND: "kind-changed",
        }.get(breakage.kind, "changed")
        if what == "param-default":
            detail = f"{param}: {getattr(old_value, 'default', old_value)} -> "
            detail += str(getattr(new_value, "default", new_value))
        elif what == "base-removed":  # the values are lists of griffe expressions
            kept = {str(b) for b in new_value or ()}
            detail = ", ".join(str(b) for b in old_value or () if str(b) not in kept)
        else:
            detail = param
        target = lookup(new, path) or obj
        changes.append(ApiChange(file_of(target, package), what, shown, "function", detail))
    # Re-exports griffe does not count as public (no __all__): names a package's __init__
    # imported from its own modules and no longer offers.
    for alias in walk(old):
        if not alias.is_alias or not alias.parent or not is_init(alias.parent):
            continue
        path = str(alias.path)
        if path in broken or lookup(new, path) is not None or path in new_shims:
            continue
        if str(alias.target_path).startswith(old.name + "."):
            changes.append(ApiChange(file_of(alias.parent, package), "removed", path, "name"))
            broken.add(path)
    # Shims: names a module __getattr__ now answers for, and names it stopped answering for.
    for name, module in new_shims.items():
        if name not in old_shims:
            shown = display_name(name, names)
            where = lookup(new, module)
            changes.append(ApiChange(file_of(where or new, package), "deprecated", shown, "name"))
    for name, module in old_shims.items():
        if name not in new_shims and lookup(new, name) is None:
            where = lookup(new, module) or lookup(old, module)
            shown = display_name(name, names)
            changes.append(
                ApiChange(file_of(where or new, package), "removed", shown, "name", "deprecated")
            )
    changes.extend(_additions(package, old, new, names, broken, new_shims))
    return changes


def _additions(
    package: Package,
    old: griffe.Module,
    new: griffe.Module,
    names: dict[str, str],
    broken: set[str],
    shims: dict[str, str],
) -> list[ApiChange]:
    changes: list[ApiChange] = []
    added_parents: set[str] = set()
    deprecated: set[str] = set()
    for obj in [*walk(new), *reexported(new)]:
        path = str(obj.path)
        if obj.name.startswith("__") and obj.name != "__init__":
            continue  # dunders (a module __getattr__, __repr__) are protocol, not new API
        if obj.name == "__init__" and obj.parent and str(obj.parent.path) in deprecated:
            continue
        if any(path.startswith(p + ".") for p in added_parents):
            continue  # a new class's methods are part of "added class X"
        before = lookup(old, path)
        shown = display_name(path, names)
        if before is None and path not in shims:
            if obj.is_alias:
                target = str(obj.target_path)
                if (
                    not target.startswith(new.name + ".")
                    or not obj.parent
                    or not is_init(obj.parent)
                ):
                    continue  # an import, not a re-export from a package's __init__
                if (
                    lookup(old, target) is None
                    and not public_module(lookup(new, target) or obj)
                    or lookup(old, target) is not None
                ):
                    kind = "name"
                else:
                    continue  # the new object itself is reported where it is defined
                if target in names and names[target] == path and lookup(old, target) is None:
                    pass
                kind = "name"
            else:
                kind = _KINDS.get(obj.kind.value, obj.kind.value)
                if kind == "attribute" and (not in_all(obj) or type_variable(obj)):
                    continue
            changes.append(ApiChange(file_of(obj, package), "added", shown, kind))
            added_parents.add(path)
            continue
        if obj.is_alias or before is None or before.is_alias:
            continue
        if is_callable(obj) and is_callable(before):
            changes.extend(_function_changes(package, obj, before, shown))
        elif (
            obj.is_class
            and before.is_class
            and newly_warns(obj.members.get("__init__"), before.members.get("__init__"))
        ):
            changes.append(ApiChange(file_of(obj, package), "deprecated", shown, "class"))
            deprecated.add(path)
    return changes


def _function_changes(package: Package, new: Obj, old: Obj, shown: str) -> list[ApiChange]:
    changes: list[ApiChange] = []
    where = file_of(new, package)
    old_params = {p.name for p in getattr(old, "parameters", [])}
    for p in getattr(new, "parameters", []):
        optional = p.default is not None or p.kind in (
            griffe.ParameterKind.var_positional,
            griffe.ParameterKind.var_keyword,
        )
        if p.name not in old_params and optional and p.name not in ("self", "cls"):
            changes.append(ApiChange(where, "param-optional", shown, "function", _param_text(p)))
    old_warns, new_warns = deprecation_warnings(old.source), deprecation_warnings(new.source)
    if new_warns and not old_warns:
        params = [p.name for p in getattr(new, "parameters", []) if p.name not in ("self", "cls")]
        message = " ".join(new_warns)
        named = [
            p for p in params if f"'{p}'" in message or f"`{p}`" in message or f'"{p}"' in message
        ]
        if named:
            changes.extend(
                ApiChange(where, "deprecated-param", shown, "function", p) for p in named
            )
        else:
            changes.append(ApiChange(where, "deprecated", shown, "function"))
    return changes
