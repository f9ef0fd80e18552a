"""The layout holds: imports point down the data's way, never round in a cycle.

Regression pinned: two cycles (config <-> build, jobs <-> jobrun <-> unfurl) were hidden by
16 imports inside functions; a new one would only show as an ImportError in production.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGES: tuple[tuple[str, ...], ...] = (
    ("bot.messages", "bot.errors", "bot.names"),
    ("bot.sources",),
    ("bot.request",),
    ("bot.config",),
    # The single flight is infrastructure too (it needs only messages, errors and keepalive):
    # reading asks for a GitHub App's installation token once under concurrency with it.
    ("bot.store.connection", "bot.store.keys", "bot.store.keepalive", "bot.store.singleflight"),
    ("bot.diff",),
    ("bot.report",),
    ("bot.reading",),
    ("bot.areas",),
    ("bot.summarize",),
    ("bot.build",),
    ("bot.render",),
    ("bot.store",),
    ("bot.slack",),
    ("bot.webhooks",),
    ("bot.jobs", "bot.webhook_jobs", "bot.unfurl"),
    ("handlers",),
)
"""The stages in order (README, "Architecture"); a module may import its own stage and earlier."""

LAZY_MARK = "# lazy:"
"""An import inside a function must say why on its line (start-up cost, an optional tool)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("bot", "handlers"):
        for path in sorted((ROOT / top).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _target(name: str) -> str | None:
    """The project module an imported dotted name lives in (a module, or a name in one)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """(project modules imported at module level, function-level imports without a reason)."""
    tree = ast.parse(path.read_text(), str(path))
    lines = path.read_text().splitlines()
    top: set[str] = set()
    hidden: list[str] = []

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = node.module or ""
        return [f"{base}.{a.name}" for a in node.names]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = {t for n in names(child) if (t := _target(n))}
                if in_function:
                    if targets and LAZY_MARK not in lines[child.lineno - 1]:
                        hidden.append(f"{path.name}:{child.lineno}")
                else:
                    top.update(targets)
            visit(child, nested)

    visit(tree, False)
    return top, hidden


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _stage(module: str) -> int:
    if module == "bot":
        return 0  # the package itself: a docstring
    best, rank = -1, -1
    for i, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank >= 0, f"{module} belongs to no stage: add it to STAGES and the README"
    return rank


def test_no_import_hides_inside_a_function() -> None:
    hidden = [where for _, (_, inside) in GRAPH.items() for where in inside]
    assert hidden == []


def test_imports_point_down_the_stages() -> None:
    upward = [
        f"{module} -> {dep}"
        for module, (deps, _) in GRAPH.items()
        for dep in deps
        if _stage(dep) > _stage(module)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components over module-level imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v][0] - {v}:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            connect(v)
    assert cycles == []


def test_the_core_never_imports_the_entry_points() -> None:
    wrong = [
        m
        for m, (deps, _) in GRAPH.items()
        if m.startswith("bot") and any(d.startswith("handlers") for d in deps)
    ]
    assert wrong == []


def test_messages_import_nothing_of_the_bot() -> None:
    assert GRAPH["bot.messages"][0] == set()


def test_the_top_of_bot_stays_small() -> None:
    """At most a dozen modules beside the packages, so the tree shows the stages."""
    top = [p.name for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= 12, sorted(top)


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """The checks above can fail: a module importing a later stage is caught."""
    assert _stage("bot.jobs.run") > _stage("bot.sources")
    assert _target("bot.jobs.queue.ReportJob") == "bot.jobs.queue"
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from bot.config import Config\n    return Config\n")
    assert _imports(sample)[1] == ["sample.py:2"]


def _fixture_only_problems(path: Path) -> list[str]:
    """What in a conftest-style module is not a pytest fixture, and who imports from one."""
    problems: list[str] = []
    tree = ast.parse(path.read_text(), str(path))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            marks = [ast.unparse(d) for d in getattr(node, "decorator_list", [])]
            if not any(m.startswith("pytest.fixture") for m in marks):
                problems.append(f"{path.name}:{node.lineno} {node.name} is not a fixture")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            problems.append(f"{path.name}:{node.lineno} a module-level value")
    return problems


def _conftest_importers(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            if any(m.rpartition(".")[2] == "conftest" for m in modules):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_conftest_holds_fixtures_and_helpers_live_in_support() -> None:
    """Plain helpers are imported from tests/support.py; conftest is pytest's, fixtures only."""
    tests = ROOT / "tests"
    assert _fixture_only_problems(tests / "conftest.py") == []
    sources = [*tests.rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    assert _conftest_importers(sources) == []


def test_the_test_layout_checks_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "conftest.py"
    sample.write_text("import pytest\n\nLIMIT = 3\n\n\ndef helper():\n    return 1\n")
    assert _fixture_only_problems(sample) == [
        "conftest.py:3 a module-level value",
        "conftest.py:6 helper is not a fixture",
    ]
    user = tmp_path / "test_x.py"
    user.write_text("from tests.conftest import helper\n")
    assert _conftest_importers([user]) == ["test_x.py:1"]
