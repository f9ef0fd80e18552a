"""Deprecations in Python source: warnings raised, ``@deprecated``, module ``__getattr__`` shims.

A function that starts warning with ``DeprecationWarning`` (or is decorated ``@deprecated``)
still works; a name moved behind a module ``__getattr__`` that warns is still importable. Both
are "Deprecated X (still works)", never "Removed".
"""

from __future__ import annotations

import ast
import textwrap

from bot.summarize.heuristic.api_public import Obj, submodules


def deprecation_warnings(source: str) -> list[str]:
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


def getattr_names(module: Obj) -> set[str]:
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


def shim_names(root: Obj) -> dict[str, str]:
    """Dotted name -> module path for every name answered by a module ``__getattr__``."""
    found: dict[str, str] = {}
    for module in submodules(root):
        for name in getattr_names(module):
            found[f"{module.path}.{name}"] = module.path
    return found


def newly_warns(init: Obj | None, old_init: Obj | None) -> bool:
    """A class whose constructor warns of deprecation now, and did not before."""
    if init is None or init.is_alias or (old_init is not None and old_init.is_alias):
        return False
    return bool(deprecation_warnings(init.source)) and (
        old_init is None or not deprecation_warnings(old_init.source)
    )
