"""API changes of a file that was not read whole, from its hunks (the fallback).

Each side of the change is rebuilt from the hunks alone (context and removed lines, context
and added lines; a hunk that starts inside a class gets its section line back) and parsed
with tree-sitter, which tolerates the gaps. Declarations cut by a hunk edge are missed, so
the report's notes name the files read this way. Python's rule of public is its naming one.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from bot.summarize.heuristic.api_syntax import Decl, Param, header, text
from bot.summarize.heuristic.patchwalk import iter_runs


def hunk_sides(patch: str | None) -> tuple[str, str, set[int], set[int]]:
    """The old and the new side of a patch's hunks, as two pieces of source, with the
    (1-based) lines of each piece that the change removed and added."""
    old: list[str] = []
    new: list[str] = []
    removed: set[int] = set()
    added: set[int] = set()
    for run in iter_runs(patch):
        if run.hunk_start:
            old.append("")
            new.append("")
            first = next((x for x in [*run.before, *run.removed, *run.added] if x.strip()), "")
            if run.section and first[:1] in (" ", "\t"):
                old.append(run.section)
                new.append(run.section)
        old.extend(run.before)
        new.extend(run.before)
        removed.update(range(len(old) + 1, len(old) + 1 + len(run.removed)))
        added.update(range(len(new) + 1, len(new) + 1 + len(run.added)))
        old.extend(run.removed)
        new.extend(run.added)
    return "\n".join(old), "\n".join(new), removed, added


def changed_lines(patch: str | None) -> tuple[set[int], set[int]]:
    """Lines of the old file the patch removed and of the new file it added (1-based)."""
    removed: set[int] = set()
    added: set[int] = set()
    for run in iter_runs(patch):
        removed.update(range(run.old_line, run.old_line + len(run.removed)))
        added.update(range(run.new_line, run.new_line + len(run.added)))
        if not run.added and run.removed:  # a deletion touches the definition around it
            added.add(run.new_line)
    return removed, added


def _python_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    for child in node.named_children if node is not None else []:
        if child.type == "identifier":
            params.append(Param(text(child), "", False))
        elif child.type in ("default_parameter", "typed_default_parameter"):
            name = text(child.child_by_field_name("name"))
            params.append(Param(name, text(child.child_by_field_name("type")), True))
        elif child.type == "typed_parameter":
            ident = next((c for c in child.named_children if c.type == "identifier"), None)
            params.append(Param(text(ident), text(child.child_by_field_name("type")), False))
        elif child.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            params.append(Param(text(child).lstrip("*"), "", True))
    # A hunk that cuts a parameter list leaves error nodes whose "name" is a run of source
    # (``(\n    inst: Any, ...``): only real names are parameters.
    return tuple(p for p in params if p.name.isidentifier() and p.name not in ("self", "cls"))


def python_declarations(root: ts.Node, _dts: bool, owner: str = "") -> Iterator[Decl]:
    """Public classes, functions and methods (no leading underscore; ``__init__`` is the
    class's constructor)."""
    for node in root.named_children:
        if node.type == "decorated_definition":
            node = node.child_by_field_name("definition") or node
        if node.type == "ERROR":
            yield from python_declarations(node, _dts, owner)
            continue
        name = text(node.child_by_field_name("name"))
        public = not name.startswith("_") or name == "__init__"
        if node.type == "class_definition" and public and not owner:
            yield Decl("class", name, None, header(node))
            body = node.child_by_field_name("body")
            if body is not None:
                yield from python_declarations(body, _dts, name)
        elif node.type == "function_definition" and public:
            params = _python_params(node.child_by_field_name("parameters"))
            qualified = f"{owner}.{name}" if owner else name
            yield Decl("method" if owner else "function", qualified, params, header(node))
