"""Syntax-tree primitives shared by the per-language declaration readers (tree-sitter).

Each language's grammar comes from its PyPI wheel (compiled in, nothing fetched at run time).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tree_sitter as ts
import tree_sitter_c_sharp
import tree_sitter_go
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_kotlin
import tree_sitter_python
import tree_sitter_rust
import tree_sitter_typescript

_GRAMMARS: dict[str, Callable[[], object]] = {
    "javascript": tree_sitter_javascript.language,
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
    "go": tree_sitter_go.language,
    "java": tree_sitter_java.language,
    "kotlin": tree_sitter_kotlin.language,
    "csharp": tree_sitter_c_sharp.language,
    "rust": tree_sitter_rust.language,
    "python": tree_sitter_python.language,
}
_MAX_HEADER = 120
MAX_SOURCE_BYTES = 2_000_000  # a larger "source" file is generated; it is not parsed


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    optional: bool


@dataclass(frozen=True, slots=True)
class Decl:
    """One public declaration: ``params`` is ``None`` for what takes no arguments."""

    kind: str
    name: str
    params: tuple[Param, ...] | None
    header: str
    overloads: tuple[str, ...] = ()  # each overload's parameter types, when there are several


def signature(params: tuple[Param, ...] | None) -> str:
    """``(int, String)``: what tells overloads apart."""
    return "(" + ", ".join(p.type or p.name for p in params or ()) + ")"


@functools.cache
def parser(grammar: str) -> ts.Parser:
    return ts.Parser(ts.Language(_GRAMMARS[grammar]()))


def text(node: ts.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


class Header(str):
    """A declaration's first words, carrying the 1-based lines the declaration spans and
    whether it is marked deprecated."""

    start: int
    end: int
    deprecated: bool

    def __new__(cls, words: str, start: int = 0, end: int = 0, deprecated: bool = False) -> Header:
        made = super().__new__(cls, words)
        made.start, made.end, made.deprecated = start, end, deprecated
        return made


_DEPRECATED_MARKS = (b"@deprecated", b"Deprecated:", b"#[deprecated", b"[Obsolete", b"@Deprecated")
_MARK_NODES = ("comment", "line_comment", "block_comment", "attribute_item", "attribute_list",
               "annotation", "marker_annotation", "decorator")  # fmt: skip


def _deprecated(node: ts.Node) -> bool:
    """JSDoc ``@deprecated``, Go's ``// Deprecated:``, Rust ``#[deprecated]``, Java and
    Kotlin ``@Deprecated``, C# ``[Obsolete]``: above the declaration or among its modifiers."""
    marks: list[bytes] = []
    before = node.prev_named_sibling
    while before is not None and before.type in _MARK_NODES and len(marks) < 8:
        marks.append((before.text or b"")[:2000])
        before = before.prev_named_sibling
    for child in node.children[:6]:
        if child.type in ("modifiers", "modifier", "attribute_list", *_MARK_NODES):
            marks.append((child.text or b"")[:2000])
    parent = node.parent
    if parent is not None and parent.type in ("export_statement", "decorated_definition"):
        before = parent.prev_named_sibling
        if before is not None and before.type in _MARK_NODES:
            marks.append((before.text or b"")[:2000])
    return any(mark in text for text in marks for mark in _DEPRECATED_MARKS)


def header(node: ts.Node) -> Header:
    """The declaration up to its body, on one line, cut to a readable length."""
    body = node.child_by_field_name("body")
    if body is None:
        raw = (node.text or b"")[:400].decode("utf-8", "replace")
    else:  # the children before the body: never copy a whole class's text for its first line
        parts: list[bytes] = []
        last = node.start_byte
        for child in node.children:
            if child.start_byte >= body.start_byte:
                break
            parts.append((b" " if child.start_byte > last else b"") + (child.text or b""))
            last = child.end_byte
        raw = b"".join(parts).decode("utf-8", "replace")
    line = " ".join(raw.split()).rstrip("{; ")
    if len(line) > _MAX_HEADER:
        line = line[: _MAX_HEADER - 1].rsplit(" ", 1)[0] + "…"
    return Header(line, node.start_point[0] + 1, node.end_point[0] + 1, _deprecated(node))


def enclosing(decls: dict[str, Decl], lines: set[int]) -> list[str]:
    """Names of the innermost declarations holding any of ``lines``, in file order."""
    spans = [
        (d.header.start, d.header.end, d.name)
        for d in decls.values()
        if isinstance(d.header, Header) and d.header.start
    ]
    found: list[tuple[int, str]] = []
    for line in sorted(lines):
        inside = [(end - start, start, name) for start, end, name in spans if start <= line <= end]
        if inside:
            _, start, name = min(inside)
            found.append((start, name))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def descendants(node: ts.Node | None, types: tuple[str, ...]) -> Iterator[ts.Node]:
    """Nodes of ``types`` under ``node``, not looking inside a match."""
    for child in node.named_children if node is not None else []:
        if child.type in types:
            yield child
        else:
            yield from descendants(child, types)
