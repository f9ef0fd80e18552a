"""Public declarations of JavaScript and TypeScript files, from their tree-sitter syntax tree.

Public is what a module exports: ``export`` statements and clauses, CommonJS ``exports.X`` and
``module.exports = {...}``, and in a ``.d.ts`` file every declaration; members of exported
classes and interfaces are public unless ``private``, ``#private`` or ``_``-prefixed.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from bot.summarize.heuristic.api_syntax import Decl, Param, header, text


def _js_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    for child in node.named_children if node is not None else []:
        if child.type in ("comment",):
            continue
        pattern = child.child_by_field_name("pattern") or child
        type_node = child.child_by_field_name("type")
        optional = child.type in ("optional_parameter", "assignment_pattern", "rest_pattern")
        optional = optional or child.child_by_field_name("value") is not None
        if pattern.type == "assignment_pattern":
            optional, pattern = True, pattern.child_by_field_name("left") or pattern
        if pattern.type == "rest_pattern" or text(pattern).startswith("..."):
            optional = True
        name = text(pattern).lstrip(".")
        params.append(Param(name, text(type_node).lstrip(": "), optional))
    return tuple(params)


def _js_members(owner: str, body: ts.Node | None) -> Iterator[Decl]:
    for member in body.named_children if body is not None else []:
        name_node = member.child_by_field_name("name")
        name = text(name_node)
        if not name or name.startswith(("_", "#")):
            continue
        modifiers = {text(c) for c in member.children if c.type == "accessibility_modifier"}
        if modifiers & {"private"}:
            continue
        if member.type in ("method_definition", "method_signature", "abstract_method_signature"):
            params = _js_params(member.child_by_field_name("parameters"))
            yield Decl("method", f"{owner}.{name}", params, header(member))
        elif member.type in ("public_field_definition", "property_signature", "field_definition"):
            yield Decl("property", f"{owner}.{name}", None, header(member))


def _js_declaration(node: ts.Node, exported: bool, names: set[str]) -> Iterator[Decl]:
    kind = node.type
    name = text(node.child_by_field_name("name"))
    public = exported or name in names
    if kind in ("class_declaration", "abstract_class_declaration", "class"):
        if public and name:
            yield Decl("class", name, None, header(node))
            yield from _js_members(name, node.child_by_field_name("body"))
    elif kind in ("function_declaration", "function_signature", "generator_function_declaration"):
        if public and name:
            params = _js_params(node.child_by_field_name("parameters"))
            yield Decl("function", name, params, header(node))
    elif kind == "interface_declaration":
        if public and name:
            yield Decl("interface", name, None, header(node))
            yield from _js_members(name, node.child_by_field_name("body"))
    elif kind in ("type_alias_declaration", "enum_declaration"):
        if public and name:
            yield Decl(kind.split("_")[0], name, None, header(node))
    elif kind in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            var = text(declarator.child_by_field_name("name"))
            if not (exported or var in names) or not var:
                continue
            value = declarator.child_by_field_name("value")
            if value is not None and value.type in (
                "arrow_function",
                "function_expression",
                "function",
            ):
                params = _js_params(value.child_by_field_name("parameters"))
                yield Decl("function", var, params, header(declarator))
            else:
                yield Decl("constant", var, None, header(declarator))
    elif kind in ("module", "internal_module"):  # declare module "x" { ... }, namespace N {}
        body = node.child_by_field_name("body")
        yield from _js_statements(body, True) if body is not None else iter(())
    elif kind == "ambient_declaration":
        for child in node.named_children:
            yield from _js_declaration(child, True, names)


def _commonjs_names(root: ts.Node) -> set[str]:
    """Names a CommonJS module exports: ``exports.X = X``, ``module.exports = {X, Y}``."""
    names: set[str] = set()
    for statement in root.named_children:
        if statement.type != "expression_statement":
            continue
        expr = statement.named_children[0] if statement.named_children else None
        if expr is None or expr.type != "assignment_expression":
            continue
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        target = text(left)
        if target.startswith(("exports.", "module.exports.")):
            names.add(target.rsplit(".", 1)[-1])
            if right is not None and right.type == "identifier":
                names.add(text(right))
        elif target == "module.exports" and right is not None:
            if right.type == "identifier":
                names.add(text(right))
            for prop in right.named_children if right.type == "object" else []:
                key = prop.child_by_field_name("key") or prop
                names.add(text(key))
                value = prop.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    names.add(text(value))
    return names


def _js_statements(root: ts.Node, all_public: bool) -> Iterator[Decl]:
    names = _commonjs_names(root)
    for statement in root.named_children:
        if statement.type == "export_statement":
            for clause in statement.named_children:
                if clause.type == "export_clause":
                    names.update(text(s.child_by_field_name("name")) for s in clause.named_children)
    for statement in root.named_children:
        if statement.type == "export_statement":
            declaration = statement.child_by_field_name("declaration")
            if declaration is not None:
                yield from _js_declaration(declaration, True, names)
            value = statement.child_by_field_name("value")
            if value is not None and value.type in (
                "class",
                "function_expression",
                "arrow_function",
            ):
                params = _js_params(value.child_by_field_name("parameters"))
                yield Decl("default export", "default", params, header(value))
        else:
            yield from _js_declaration(statement, all_public, names)


def js_declarations(root: ts.Node, dts: bool) -> Iterator[Decl]:
    yield from _js_statements(root, dts)
