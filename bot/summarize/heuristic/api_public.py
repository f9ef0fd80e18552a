"""What is public in a griffe tree of a package, and how a reader spells it.

Public follows Python's conventions as griffe applies them: ``__all__``, leading underscores,
private modules unless a public package's ``__init__`` re-exports their names; a name is shown
by its shortest public spelling (``flask.Flask``, not ``flask.app.Flask``).
"""

from __future__ import annotations
import __future__

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import griffe

Obj = Any  # a griffe Object or Alias: griffe's own unions do not narrow on is_alias


UNRESOLVED = (griffe.AliasResolutionError, griffe.CyclicAliasError, KeyError)


@dataclass(frozen=True, slots=True)
class Package:
    """One importable package: its folder in the repository and its name."""

    folder: str
    name: str


def package_of(path: str, paths: set[str]) -> tuple[Package, str] | None:
    """The top package holding ``path`` and the module's path inside it, by ``__init__.py``."""
    if not path.endswith((".py", ".pyi")):
        return None
    folder = posixpath.dirname(path)
    top = ""
    while folder and (f"{folder}/__init__.py" in paths or f"{folder}/__init__.pyi" in paths):
        top = folder
        folder = posixpath.dirname(folder)
    if not top:
        return None
    return Package(top, posixpath.basename(top)), path[len(top) + 1 :]


def module_name(path: str, paths: set[str]) -> str | None:
    """The dotted import name of a module file (``src/flask/app.py`` -> ``flask.app``)."""
    found = package_of(path, paths)
    if found is None:
        return None
    package, inner = found
    stem = inner.rsplit(".", 1)[0].removesuffix("/__init__").replace("/", ".")
    return package.name if stem == "__init__" else f"{package.name}.{stem}"


def public_module(obj: Obj) -> bool:
    module = obj if obj.is_module else obj.module
    return not any(
        part.startswith("_") and not part.startswith("__") for part in module.path.split(".")
    )


def walk(obj: Obj, inside: bool = False) -> Iterator[Obj]:
    """Public objects, depth first; aliases are yielded but not entered."""
    for member in list(obj.members.values()):
        if member.is_alias:
            if alias_public(obj, member) and public_module(obj) and not inside:
                yield member
            continue
        if member.is_module:
            if public_module(member):
                yield from walk(member)
            continue
        if not member.is_public or not public_module(member):
            continue
        yield member
        if member.is_class:
            yield from walk(member, inside=True)


def alias_public(module: Obj, alias: Obj) -> bool:
    """A re-export is public when ``__all__`` lists it, or, without ``__all__``, when it names
    an object of the same package without a leading underscore."""
    exports = getattr(module, "exports", None)
    if exports is not None:
        return alias.name in exports
    target = str(getattr(alias, "target_path", ""))
    return not alias.name.startswith("_") and target.startswith(module.path.split(".")[0] + ".")


def public_names(root: griffe.Module) -> dict[str, str]:
    """Canonical path -> public spelling, from re-exports in public modules."""
    names: dict[str, str] = {}
    for member in walk(root):
        if not member.is_alias or member.parent is None or not is_init(member.parent):
            continue
        target, path = str(member.target_path), str(member.path)
        if not target.startswith(root.name + ".") or path.count(".") >= target.count("."):
            continue
        if target not in names or path.count(".") < names[target].count("."):
            names[target] = path
    return names


def is_init(module: Obj) -> bool:
    return str(getattr(module, "filepath", "")).endswith(("__init__.py", "__init__.pyi"))


def display_name(path: str, names: dict[str, str]) -> str:
    head, tail = path, ""
    while head:
        if head in names:
            return names[head] + tail
        head, _, last = head.rpartition(".")
        tail = f".{last}{tail}"
    return path


def file_of(obj: Obj, package: Package) -> str:
    try:
        relative = obj.relative_package_filepath
    except Exception:  # an alias whose target is not loaded
        relative = obj.parent.relative_package_filepath if obj.parent else None
    inner = str(relative or "__init__.py").split("/", 1)[-1]
    return f"{package.folder}/{inner}"


def submodules(root: Obj) -> Iterator[griffe.Object]:
    yield root
    for member in root.members.values():
        if not member.is_alias and member.is_module:
            yield from submodules(member)


def lookup(root: griffe.Module, path: str) -> Obj | None:
    try:
        return root[path.removeprefix(root.name + ".")] if path != root.name else root
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def type_variable(obj: Any) -> bool:
    try:
        value = str(getattr(obj, "value", "") or "") if obj.is_attribute else ""
    except UNRESOLVED:  # an alias to a module not read (``from __future__ import ...``)
        return False
    return value.split("(", 1)[0].rsplit(".", 1)[-1] in ("TypeVar", "ParamSpec", "TypeVarTuple")


def future_import(obj: Any) -> bool:
    """``from __future__ import division`` (or a re-export of one): no one's API."""
    if not obj.is_alias or obj.name not in __future__.all_feature_names:
        return False
    try:
        return str(obj.final_target.path).startswith("__future__.")
    except UNRESOLVED:  # the chain ends in __future__, which is never read
        return True


def in_all(obj: Obj) -> bool:
    parent = obj.parent
    exports = getattr(parent, "exports", None)
    return bool(exports and obj.name in exports)


def is_callable(obj: Obj) -> bool:
    return obj.is_function or (obj.is_attribute and "property" in obj.labels)


def reexported(root: Obj) -> Iterator[Obj]:
    """Objects defined in private modules that a public ``__init__`` re-exports, with their
    public members: their changes are API under the re-exported name (``httpx.Client`` is
    ``httpx._client.Client``)."""
    seen: set[str] = set()
    for alias in list(walk(root)):
        if not alias.is_alias or not alias.parent or not is_init(alias.parent):
            continue
        try:
            target = alias.final_target
        except UNRESOLVED:
            continue
        path = str(target.path)
        if path in seen or not path.startswith(root.name + ".") or public_module(target):
            continue  # a public module's objects are walked where they are
        seen.add(path)
        yield target
        if target.is_class:
            for member in list(target.members.values()):
                if not member.is_alias and (member.is_public or member.name == "__init__"):
                    yield member
