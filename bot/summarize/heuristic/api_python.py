"""Python API changes from whole files, read by griffe (the mkdocstrings project's API loader).

Both sides of each touched package are loaded from their text and compared: griffe's own
breakage finder says what was removed or changed in an incompatible way; additions, new
optional parameters and deprecations are found here by walking the same trees. Public follows
Python's conventions as griffe applies them (``__all__``, leading underscores, private modules
unless a public module re-exports their names), and a name is shown by its public spelling
(``flask.Flask.run``, not ``flask.app.Flask.run``). Annotation-only edits are no breakage.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import posixpath
import tempfile
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import griffe

from bot.summarize.heuristic.api_changes import ApiChange

Obj = Any  # a griffe Object or Alias: griffe's own unions do not narrow on is_alias
_UNRESOLVED = (griffe.AliasResolutionError, griffe.CyclicAliasError, KeyError)
logger = logging.getLogger(__name__)

# Breakage kinds that mostly come from annotation or value edits, not from broken callers.
_NOT_BREAKING = {
    griffe.BreakageKind.RETURN_CHANGED_TYPE,
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE,
    griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE,
}
_KINDS = {"class": "class", "function": "function", "attribute": "attribute", "module": "module"}


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
        loader.resolve_aliases(implicit=False, external=False)
        yield found


def _public_module(obj: Obj) -> bool:
    module = obj if obj.is_module else obj.module
    return not any(
        part.startswith("_") and not part.startswith("__") for part in module.path.split(".")
    )


def _walk(obj: Obj, inside: bool = False) -> Iterator[Obj]:
    """Public objects, depth first; aliases are yielded but not entered."""
    for member in list(obj.members.values()):
        if member.is_alias:
            if _alias_public(obj, member) and _public_module(obj) and not inside:
                yield member
            continue
        if member.is_module:
            if _public_module(member):
                yield from _walk(member)
            continue
        if not member.is_public or not _public_module(member):
            continue
        yield member
        if member.is_class:
            yield from _walk(member, inside=True)


def _alias_public(module: Obj, alias: Obj) -> bool:
    """A re-export is public when ``__all__`` lists it, or, without ``__all__``, when it names
    an object of the same package without a leading underscore."""
    exports = getattr(module, "exports", None)
    if exports is not None:
        return alias.name in exports
    target = str(getattr(alias, "target_path", ""))
    return not alias.name.startswith("_") and target.startswith(module.path.split(".")[0] + ".")


def _public_names(root: griffe.Module) -> dict[str, str]:
    """Canonical path -> public spelling, from re-exports in public modules."""
    names: dict[str, str] = {}
    for member in _walk(root):
        if not member.is_alias or member.parent is None or not _is_init(member.parent):
            continue
        target, path = str(member.target_path), str(member.path)
        if not target.startswith(root.name + ".") or path.count(".") >= target.count("."):
            continue
        if target not in names or path.count(".") < names[target].count("."):
            names[target] = path
    return names


def _is_init(module: Obj) -> bool:
    return str(getattr(module, "filepath", "")).endswith(("__init__.py", "__init__.pyi"))


def _display(path: str, names: dict[str, str]) -> str:
    head, tail = path, ""
    while head:
        if head in names:
            return names[head] + tail
        head, _, last = head.rpartition(".")
        tail = f".{last}{tail}"
    return path


def _file(obj: Obj, package: Package) -> str:
    try:
        relative = obj.relative_package_filepath
    except Exception:  # an alias whose target is not loaded
        relative = obj.parent.relative_package_filepath if obj.parent else None
    inner = str(relative or "__init__.py").split("/", 1)[-1]
    return f"{package.folder}/{inner}"


def _warns(source: str) -> list[str]:
    """Messages of deprecation warnings a function's source raises (``warnings.warn``,
    ``@deprecated``); an empty string stands for a warning without a literal message."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            names = [ast.unparse(a) for a in [*node.args, *[k.value for k in node.keywords]]]
            func = ast.unparse(node.func)
            if func.endswith("deprecated") or any("DeprecationWarning" in n for n in names):
                text = next((ast.unparse(a) for a in node.args[:1]), "")
                found.append(text if func.endswith("warn") or func.endswith("deprecated") else text)
    return found


def _getattr_names(module: Obj) -> set[str]:
    """Names a module's ``__getattr__`` answers for (a deprecation shim's moved names)."""
    hook = module.members.get("__getattr__")
    if hook is None or hook.is_alias or not hook.is_function:
        return set()
    try:
        tree = ast.parse(textwrap.dedent(hook.source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for value in [node.left, *node.comparators]:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    names.add(value.value)
                if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
                    names.update(
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    )
        if isinstance(node, ast.Dict):
            names.update(
                k.value
                for k in node.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            )
    return {n for n in names if n.isidentifier()}


def _modules(root: Obj) -> Iterator[griffe.Object]:
    yield root
    for member in root.members.values():
        if not member.is_alias and member.is_module:
            yield from _modules(member)


def _lookup(root: griffe.Module, path: str) -> Obj | None:
    try:
        return root[path.removeprefix(root.name + ".")] if path != root.name else root
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _shims(root: griffe.Module) -> dict[str, str]:
    """Dotted name -> module path for every name answered by a module ``__getattr__``."""
    found: dict[str, str] = {}
    for module in _modules(root):
        for name in _getattr_names(module):
            found[f"{module.path}.{name}"] = module.path
    return found


def _type_variable(obj: Any) -> bool:
    value = str(getattr(obj, "value", "") or "") if obj.is_attribute else ""
    return value.split("(", 1)[0].rsplit(".", 1)[-1] in ("TypeVar", "ParamSpec", "TypeVarTuple")


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


def _breakages(old: Obj, new: Obj) -> Iterator[griffe.Breakage]:
    """griffe's breakages, member by member, so one alias that cannot be resolved (a name
    from a module not read) costs that member only, not the whole package."""
    for name, member in list(old.members.items()):
        counterpart = new.members.get(name)
        if counterpart is None:
            try:
                if member.is_public:
                    removed: Obj = member
                    yield griffe.ObjectRemovedBreakage(removed, removed, None)
            except _UNRESOLVED:
                continue
            continue
        try:
            yield from list(griffe.find_breaking_changes(member, counterpart))
        except _UNRESOLVED:
            continue


def _param_text(p: griffe.Parameter) -> str:
    return f"{p.name}={p.default}" if p.default is not None else p.name


def _compare(package: Package, old: griffe.Module, new: griffe.Module) -> list[ApiChange]:
    names = {**_public_names(old), **_public_names(new)}
    old_shims, new_shims = _shims(old), _shims(new)
    changes: list[ApiChange] = []
    broken: set[str] = set()
    for breakage in _breakages(old, new):
        obj = breakage.obj
        path = str(obj.path)
        if breakage.kind in _NOT_BREAKING:
            continue
        shown = _display(path, names)
        if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
            if _type_variable(obj):
                continue  # a TypeVar is typing plumbing, not something callers use
            if path in new_shims or shown in new_shims:
                continue  # moved behind a module __getattr__: reported as deprecated below
            kind = _KINDS.get(obj.kind.value, obj.kind.value) if not obj.is_alias else "name"
            changes.append(ApiChange(_file(obj, package), "removed", shown, kind))
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
        elif what == "base-removed":
            detail = str(old_value)
        else:
            detail = param
        target = _lookup(new, path) or obj
        changes.append(ApiChange(_file(target, package), what, shown, "function", detail))
    # Re-exports griffe does not count as public (no __all__): names a package's __init__
    # imported from its own modules and no longer offers.
    for alias in _walk(old):
        if not alias.is_alias or not alias.parent or not _is_init(alias.parent):
            continue
        path = str(alias.path)
        if path in broken or _lookup(new, path) is not None or path in new_shims:
            continue
        if str(alias.target_path).startswith(old.name + "."):
            changes.append(ApiChange(_file(alias.parent, package), "removed", path, "name"))
            broken.add(path)
    # Shims: names a module __getattr__ now answers for, and names it stopped answering for.
    for name, module in new_shims.items():
        if name not in old_shims:
            shown = _display(name, names)
            where = _lookup(new, module)
            changes.append(ApiChange(_file(where or new, package), "deprecated", shown, "name"))
    for name, module in old_shims.items():
        if name not in new_shims and _lookup(new, name) is None:
            where = _lookup(new, module) or _lookup(old, module)
            shown = _display(name, names)
            changes.append(
                ApiChange(_file(where or new, package), "removed", shown, "name", "deprecated")
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
    for obj in [*_walk(new), *_reexported(new)]:
        path = str(obj.path)
        if obj.name.startswith("__") and obj.name != "__init__":
            continue  # dunders (a module __getattr__, __repr__) are protocol, not new API
        if obj.name == "__init__" and obj.parent and str(obj.parent.path) in deprecated:
            continue
        if any(path.startswith(p + ".") for p in added_parents):
            continue  # a new class's methods are part of "added class X"
        before = _lookup(old, path)
        shown = _display(path, names)
        if before is None and path not in shims:
            if obj.is_alias:
                target = str(obj.target_path)
                if (
                    not target.startswith(new.name + ".")
                    or not obj.parent
                    or not _is_init(obj.parent)
                ):
                    continue  # an import, not a re-export from a package's __init__
                if (
                    _lookup(old, target) is None
                    and not _public_module(_lookup(new, target) or obj)
                    or _lookup(old, target) is not None
                ):
                    kind = "name"
                else:
                    continue  # the new object itself is reported where it is defined
                if target in names and names[target] == path and _lookup(old, target) is None:
                    pass
                kind = "name"
            else:
                kind = _KINDS.get(obj.kind.value, obj.kind.value)
                if kind == "attribute" and (not _exported(obj) or _type_variable(obj)):
                    continue
            changes.append(ApiChange(_file(obj, package), "added", shown, kind))
            added_parents.add(path)
            continue
        if obj.is_alias or before is None or before.is_alias:
            continue
        if _callable(obj) and _callable(before):
            changes.extend(_function_changes(package, obj, before, shown))
        elif (
            obj.is_class
            and before.is_class
            and _newly_warns(obj.members.get("__init__"), before.members.get("__init__"))
        ):
            changes.append(ApiChange(_file(obj, package), "deprecated", shown, "class"))
            deprecated.add(path)
    return changes


def _reexported(root: Obj) -> Iterator[Obj]:
    """Objects defined in private modules that a public ``__init__`` re-exports, with their
    public members: their changes are API under the re-exported name (``httpx.Client`` is
    ``httpx._client.Client``)."""
    seen: set[str] = set()
    for alias in list(_walk(root)):
        if not alias.is_alias or not alias.parent or not _is_init(alias.parent):
            continue
        try:
            target = alias.final_target
        except _UNRESOLVED:
            continue
        path = str(target.path)
        if path in seen or not path.startswith(root.name + ".") or _public_module(target):
            continue  # a public module's objects are walked where they are
        seen.add(path)
        yield target
        if target.is_class:
            for member in list(target.members.values()):
                if not member.is_alias and (member.is_public or member.name == "__init__"):
                    yield member


def _newly_warns(init: Obj | None, old_init: Obj | None) -> bool:
    """A class whose constructor warns of deprecation now, and did not before."""
    if init is None or init.is_alias or (old_init is not None and old_init.is_alias):
        return False
    return bool(_warns(init.source)) and (old_init is None or not _warns(old_init.source))


def _callable(obj: Obj) -> bool:
    return obj.is_function or (obj.is_attribute and "property" in obj.labels)


def _exported(obj: Obj) -> bool:
    parent = obj.parent
    exports = getattr(parent, "exports", None)
    return bool(exports and obj.name in exports)


def _function_changes(package: Package, new: Obj, old: Obj, shown: str) -> list[ApiChange]:
    changes: list[ApiChange] = []
    where = _file(new, package)
    old_params = {p.name for p in getattr(old, "parameters", [])}
    for p in getattr(new, "parameters", []):
        optional = p.default is not None or p.kind in (
            griffe.ParameterKind.var_positional,
            griffe.ParameterKind.var_keyword,
        )
        if p.name not in old_params and optional and p.name not in ("self", "cls"):
            changes.append(ApiChange(where, "param-optional", shown, "function", _param_text(p)))
    old_warns, new_warns = _warns(old.source), _warns(new.source)
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
