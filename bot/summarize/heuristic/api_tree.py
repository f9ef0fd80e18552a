"""Public declarations of JS/TS, Go, Java, Kotlin, C# and Rust files, read with tree-sitter.

A file's syntax tree gives its declarations with their parameters (see :mod:`api_js` and
:mod:`api_langs` for each language's rule of what is public); comparing both sides of a file
then says what was removed, added or changed in a way callers notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import tree_sitter as ts

from bot.summarize.heuristic.api_hunks import python_declarations
from bot.summarize.heuristic.api_js import js_declarations
from bot.summarize.heuristic.api_langs import (
    go_declarations,
    java_declarations,
    kotlin_declarations,
    rust_declarations,
)
from bot.summarize.heuristic.api_syntax import MAX_SOURCE_BYTES, Decl, parser, signature

_EXTENSIONS = {
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".cs": "csharp",
    ".rs": "rust", ".py": "python", ".pyi": "python",
}  # fmt: skip
_WALKERS: dict[str, Callable[[ts.Node, bool], Iterator[Decl]]] = {
    "javascript": js_declarations, "typescript": js_declarations, "tsx": js_declarations,
    "go": go_declarations, "java": java_declarations, "csharp": java_declarations,
    "kotlin": kotlin_declarations, "rust": rust_declarations, "python": python_declarations,
}  # fmt: skip


def grammar_of(filename: str) -> str | None:
    base = filename.rsplit("/", 1)[-1].lower()
    dot = base.rfind(".")
    return _EXTENSIONS.get(base[dot:]) if dot > 0 else None


def declarations(filename: str, source: str) -> dict[str, Decl]:
    """Public declarations of one file by qualified name (``Class.method``, ``Type::fn``)."""
    grammar = grammar_of(filename)
    data = source.encode("utf-8", "replace")
    if grammar is None or not data.strip() or len(data) > MAX_SOURCE_BYTES:
        return {}
    tree = parser(grammar).parse(data)
    found: dict[str, Decl] = {}
    for decl in _WALKERS[grammar](tree.root_node, filename.endswith(".d.ts")):
        if decl.name in found and decl.params is not None:
            # Overloads: a call may match any of them, so parameters are not compared; the
            # set of their signatures is.
            first = found[decl.name]
            known = first.overloads or (signature(first.params),)
            found[decl.name] = replace(
                first, params=None, overloads=(*known, signature(decl.params))
            )
            continue
        found.setdefault(decl.name, decl)
    return found
