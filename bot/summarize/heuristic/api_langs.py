"""Public declarations of Go, Java, C#, Kotlin and Rust files, from their tree-sitter syntax tree.

Public by each language's rule: a capital letter for Go; ``public``/``protected`` for Java and
C# (interface members are public); for Kotlin anything not ``private``/``internal``; ``pub``
for Rust (``pub(crate)`` is not API), where ``impl Trait for Type`` is a declaration of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from bot.summarize.heuristic.api_syntax import Decl, Param, descendants, header, text

# --- Go ------------------------------------------------------------------------------------


def _go_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    for child in node.named_children if node is not None else []:
        if child.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_text = text(child.child_by_field_name("type"))
        if child.type == "variadic_parameter_declaration":
            type_text = "..." + type_text
        names = [text(c) for c in child.children_by_field_name("name")] or [""]
        params.extend(Param(n, type_text, False) for n in names)
    return tuple(params)


def go_declarations(root: ts.Node, _dts: bool) -> Iterator[Decl]:
    for node in root.named_children:
        if node.type == "function_declaration":
            name = text(node.child_by_field_name("name"))
            if name[:1].isupper():
                yield Decl(
                    "function",
                    name,
                    _go_params(node.child_by_field_name("parameters")),
                    header(node),
                )
        elif node.type == "method_declaration":
            receiver = text(node.child_by_field_name("receiver")).strip("()").split()[-1:]
            owner = receiver[0].lstrip("*").split("[")[0] if receiver else ""
            name = text(node.child_by_field_name("name"))
            if name[:1].isupper() and owner[:1].isupper():
                params = _go_params(node.child_by_field_name("parameters"))
                yield Decl("method", f"{owner}.{name}", params, header(node))
        elif node.type == "type_declaration":
            for spec in node.named_children:
                name = text(spec.child_by_field_name("name"))
                if not name[:1].isupper():
                    continue
                kind_node = spec.child_by_field_name("type")
                kind = {"struct_type": "struct", "interface_type": "interface"}.get(
                    kind_node.type if kind_node is not None else "", "type"
                )
                yield Decl(kind, name, None, header(spec))
                yield from _go_members(name, kind_node)
        elif node.type in ("const_declaration", "var_declaration"):
            for spec in descendants(node, ("const_spec", "var_spec")):
                for name_node in spec.children_by_field_name("name"):
                    if text(name_node)[:1].isupper():
                        kind = "constant" if node.type == "const_declaration" else "variable"
                        yield Decl(kind, text(name_node), None, header(spec))


def _go_members(owner: str, node: ts.Node | None) -> Iterator[Decl]:
    for member in descendants(node, ("field_declaration", "method_elem", "method_spec")):
        for name_node in member.children_by_field_name("name"):
            name = text(name_node)
            if name[:1].isupper():
                params = member.child_by_field_name("parameters")
                kind = "field" if member.type == "field_declaration" else "method"
                yield Decl(
                    kind, f"{owner}.{name}", _go_params(params) if params else None, header(member)
                )


# --- Java, C# and Kotlin -----------------------------------------------------------------------

_TYPES = (
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "struct_declaration",
    "object_declaration",
    "annotation_type_declaration",
)
_MEMBERS = (
    "method_declaration",
    "constructor_declaration",
    "property_declaration",
    "field_declaration",
    "function_declaration",
)


def _modifiers(node: ts.Node) -> set[str]:
    words: set[str] = set()
    for child in node.children:
        if child.type in ("modifiers", "modifier", "visibility_modifier"):
            words.update(text(child).split())
    return words


def _java_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    for child in node.named_children if node is not None else []:
        if child.type not in ("formal_parameter", "parameter", "spread_parameter"):
            continue
        name = text(child.child_by_field_name("name"))
        type_text = text(child.child_by_field_name("type"))
        optional = any(c.type == "equals_value_clause" for c in child.children)
        params.append(Param(name, type_text, optional))
    return tuple(params)


def java_declarations(
    root: ts.Node, _dts: bool, owner: str = "", interface: bool = False
) -> Iterator[Decl]:
    for node in root.named_children:
        if node.type in (
            "namespace_declaration",
            "declaration_list",
            "file_scoped_namespace_declaration",
        ):
            body = node.child_by_field_name("body") or (
                node if node.type == "declaration_list" else None
            )
            if body is not None:
                yield from java_declarations(body, _dts, owner, interface)
            continue
        mods = _modifiers(node)
        public = bool(mods & {"public", "protected"}) or (interface and "private" not in mods)
        name = text(node.child_by_field_name("name"))
        qualified = f"{owner}.{name}" if owner else name
        if node.type in _TYPES:
            if public or not owner and "public" in mods:
                yield Decl(node.type.split("_")[0], qualified, None, header(node))
                body = node.child_by_field_name("body")
                if body is not None:
                    yield from java_declarations(
                        body, _dts, qualified, node.type == "interface_declaration"
                    )
        elif node.type in _MEMBERS and public:
            if node.type == "field_declaration":
                for declarator in descendants(node, ("variable_declarator",)):
                    var = text(declarator.child_by_field_name("name"))
                    yield Decl("field", f"{owner}.{var}", None, header(node))
                continue
            params_node = node.child_by_field_name("parameters")
            params = _java_params(params_node) if params_node is not None else None
            kind = "constructor" if node.type == "constructor_declaration" else "method"
            kind = "property" if node.type == "property_declaration" else kind
            yield Decl(kind, qualified, params, header(node))


def _kotlin_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    children = node.children if node is not None else []
    for i, child in enumerate(children):
        if child.type not in ("parameter", "class_parameter"):
            continue
        ident = next(
            (c for c in child.named_children if c.type in ("identifier", "simple_identifier")), None
        )
        type_node = next((c for c in child.named_children if "type" in c.type), None)
        following = children[i + 1] if i + 1 < len(children) else None
        optional = (following is not None and following.type == "=") or any(
            c.type == "=" for c in child.children
        )
        params.append(Param(text(ident), text(type_node), optional))
    return tuple(params)


def kotlin_declarations(root: ts.Node, _dts: bool, owner: str = "") -> Iterator[Decl]:
    for node in root.named_children:
        mods = _modifiers(node)
        if mods & {"private", "internal"}:
            continue
        name_node = node.child_by_field_name("name") or next(
            (
                c
                for c in node.named_children
                if c.type in ("identifier", "simple_identifier", "type_identifier")
            ),
            None,
        )
        name = text(name_node)
        qualified = f"{owner}.{name}" if owner else name
        if node.type in ("class_declaration", "object_declaration", "interface_declaration"):
            ctor = next((c for c in node.named_children if c.type == "primary_constructor"), None)
            params = _kotlin_params(next((c for c in ctor.named_children), None)) if ctor else None
            yield Decl("class", qualified, params, header(node))
            body = next(
                (c for c in node.named_children if c.type in ("class_body", "enum_class_body")),
                None,
            )
            if body is not None:
                yield from kotlin_declarations(body, _dts, qualified)
        elif node.type == "function_declaration" and name:
            params_node = next(
                (c for c in node.named_children if c.type == "function_value_parameters"), None
            )
            yield Decl("function", qualified, _kotlin_params(params_node), header(node))
        elif node.type == "property_declaration":
            var = next((c for c in descendants(node, ("variable_declaration",))), None)
            if var is not None:
                yield Decl(
                    "property",
                    f"{owner}.{text(var).split(':')[0].strip()}".lstrip("."),
                    None,
                    header(node),
                )


# --- Rust ----------------------------------------------------------------------------------


def _rust_public(node: ts.Node) -> bool:
    vis = next((c for c in node.children if c.type == "visibility_modifier"), None)
    return vis is not None and text(vis) == "pub"


def _rust_params(node: ts.Node | None) -> tuple[Param, ...]:
    params: list[Param] = []
    for child in node.named_children if node is not None else []:
        if child.type == "self_parameter":
            params.append(Param("self", text(child), False))
        elif child.type == "parameter":
            name = text(child.child_by_field_name("pattern"))
            params.append(Param(name, text(child.child_by_field_name("type")), False))
    return tuple(params)


def rust_declarations(root: ts.Node, _dts: bool, prefix: str = "") -> Iterator[Decl]:
    for node in root.named_children:
        name = text(node.child_by_field_name("name"))
        if node.type == "function_item" and _rust_public(node):
            params = _rust_params(node.child_by_field_name("parameters"))
            yield Decl("function", prefix + name, params, header(node))
        elif node.type in (
            "struct_item",
            "enum_item",
            "trait_item",
            "type_item",
            "union_item",
        ) and _rust_public(node):
            yield Decl(node.type.split("_")[0], prefix + name, None, header(node))
        elif node.type in ("const_item", "static_item") and _rust_public(node):
            yield Decl("constant", prefix + name, None, header(node))
        elif node.type == "mod_item" and _rust_public(node):
            body = node.child_by_field_name("body")
            if body is not None:
                yield from rust_declarations(body, _dts, f"{prefix}{name}::")
        elif node.type == "impl_item":
            yield from _rust_impl(node, prefix)
        elif node.type == "macro_definition" and _exported_macro(node):
            yield Decl("macro", prefix + name + "!", None, header(node))


def _exported_macro(node: ts.Node) -> bool:
    before = node.prev_named_sibling
    return before is not None and before.type == "attribute_item" and "macro_export" in text(before)


def _rust_impl(node: ts.Node, prefix: str) -> Iterator[Decl]:
    type_text = " ".join(text(node.child_by_field_name("type")).split())
    trait = node.child_by_field_name("trait")
    if trait is not None:  # impl Trait for Type: callers see the trait's methods on the type
        name = f"impl {' '.join(text(trait).split())} for {type_text}"
        yield Decl("impl", prefix + name, None, header(node))
        return
    body = node.child_by_field_name("body")
    owner = type_text.split("<")[0]
    for item in body.named_children if body is not None else []:
        if item.type in ("function_item", "const_item") and _rust_public(item):
            name = text(item.child_by_field_name("name"))
            params = (
                _rust_params(item.child_by_field_name("parameters"))
                if item.type == "function_item"
                else None
            )
            yield Decl(
                "method" if params is not None else "constant",
                f"{prefix}{owner}::{name}",
                params,
                header(item),
            )
