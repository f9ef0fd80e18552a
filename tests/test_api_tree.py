"""tree-sitter declarations: deprecation marks in each language's own spelling."""

from __future__ import annotations

import pytest

from bot.diff import FileChange
from bot.summarize.heuristic.api_changes import compare_decls
from bot.summarize.heuristic.api_facts import analyse
from bot.summarize.heuristic.api_tree import declarations, grammar_of

CASES = [
    ("a.ts", "export function f() {}\n",
     "/** @deprecated use g */\nexport function f() {}\n", "f"),
    ("a.go", "package x\nfunc Old() {}\n",
     "package x\n// Deprecated: use New.\nfunc Old() {}\n", "Old"),
    ("a.rs", "pub fn old() {}\n", '#[deprecated(since = "1.2")]\npub fn old() {}\n', "old"),
    ("A.java", "public class A { public void m() {} }",
     "public class A { @Deprecated public void m() {} }", "A.m"),
    ("A.cs", "public class A { public void M() {} }",
     'public class A { [Obsolete("x")] public void M() {} }', "A.M"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "old", "new", "name"), CASES)
def test_a_newly_deprecated_declaration_is_said_so(path, old, new, name) -> None:
    """Deprecations were not seen at all: a name moved behind a shim read as 'Removed'."""
    grammar = grammar_of(path)
    assert grammar is not None
    changes = compare_decls(path, grammar, declarations(path, old), declarations(path, new))
    assert [(c.what, c.name) for c in changes] == [("deprecated", name)]


def test_typescript_overloads_are_not_taken_for_new_required_parameters() -> None:
    old = "export declare class C {\n  add(x?: string): this;\n}\n"
    new = "export declare class C {\n  add(cmd: C): this;\n  add(x?: string): this;\n}\n"
    path = "index.d.ts"
    changes = compare_decls(path, "typescript", declarations(path, old), declarations(path, new))
    assert [(c.what, c.name, c.detail) for c in changes] == [("overload-added", "C.add", "(C)")]


def test_a_new_overload_is_a_feature_and_a_dropped_one_breaks() -> None:
    """A new overload of an existing method was reported as a new method."""
    old = "public class W { public W value(long v) {} public W value(double v) {} }"
    new = "public class W { public W value(long v) {} public W value(float v) {} }"
    changes = compare_decls(
        "W.java", "java", declarations("W.java", old), declarations("W.java", new)
    )
    assert [(c.what, c.detail) for c in changes] == [
        ("overload-added", "(float)"),
        ("overload-removed", "(double)"),
    ]


def test_classes_nested_thousands_deep_cost_only_their_own_file() -> None:
    """The walkers recurse per nesting level: 3,000 nested Java classes raised RecursionError,
    which ended the whole tree-sitter step, so no other file of the report had API facts."""
    deep = "public class A {" + "public class B {" * 3000 + "}" * 3001
    files = [
        FileChange("src/Deep.java", "modified", 1, 1, "@@ -1 +1 @@\n-class A {}\n+" + deep),
        FileChange("lib/api.ts", "modified", 1, 1, "@@ -1 +1 @@\n-x\n+y"),
    ]
    ts_old = "export function f(a: number, b: number) {}\n"
    ts_new = ts_old.replace(", b: number", "")
    old = {"src/Deep.java": "public class A {}", "lib/api.ts": ts_old}
    new = {"src/Deep.java": deep, "lib/api.ts": ts_new}
    found = analyse(files, old, new)
    assert any("`b`" in fact for fact in found.by_file.get("lib/api.ts", []))


def test_a_parameter_list_cut_by_a_hunk_gives_no_parameter_named_by_its_source() -> None:
    """attrs 21.4 -> 23.1 read from hunks (as every anonymous GitHub read is): the cut list
    of ``asdict(`` came out as a parameter named "(\\n    inst: Any,\\n ..." both removed and
    added, a raw newline in the Breaking changes and the Insights."""
    patch = (  # two neighbouring hunks of the real diff
        "@@ -449,7 +536,7 @@ def make_class(\n"
        " # https://github.com/python/typing/issues/253\n"
        " # XXX: remember to fix attrs.asdict/astuple too!\n"
        " def asdict(\n"
        "-    inst: Any,\n"
        "+    inst: AttrsInstance,\n"
        "     recurse: bool = ...,\n"
        "     filter: Optional[_FilterType[Any]] = ...,\n"
        "     dict_factory: Type[Mapping[Any, Any]] = ...,\n"
        "@@ -462,13 +549,13 @@ def asdict(\n"
        " \n"
        " # TODO: add support for returning NamedTuple from the mypy plugin\n"
        " def astuple(\n"
        "-    inst: Any,\n"
        "+    inst: AttrsInstance,\n"
        "     recurse: bool = ...,\n"
        "     filter: Optional[_FilterType[Any]] = ...,\n"
        "     tuple_factory: Type[Sequence[Any]] = ...,\n"
        "     retain_collection_types: bool = ...,\n"
        " ) -> Tuple[Any, ...]: ...\n"
        "-def has(cls: type) -> bool: ...\n"
        "+def has(cls: type) -> TypeGuard[Type[AttrsInstance]]: ...\n"
        " def assoc(inst: _T, **changes: Any) -> _T: ...\n"
        " def evolve(inst: _T, **changes: Any) -> _T: ...\n"
        " \n"
    )
    found = analyse([FileChange("src/attr/__init__.pyi", "modified", 1, 1, patch)], {}, {})
    facts = found.by_file.get("src/attr/__init__.pyi", [])
    assert facts and not any("\n" in fact or "Parameters removed" in fact for fact in facts)
