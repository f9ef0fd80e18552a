"""griffe-based Python API rules that real releases rely on (private modules, shims, types)."""

from __future__ import annotations

from bot.summarize.heuristic.api_public import Package
from bot.summarize.heuristic.api_python import compare

OLD = {
    "src/pkg/__init__.py": "from ._client import Client as Client\nfrom .util import helper\n"
    "__all__ = ['Client', 'helper', 'old_name']\nfrom ._client import old_name\n",
    "src/pkg/_client.py": "from typing import Optional\n\nclass Client:\n"
    "    def __init__(self, url: Optional[str] = None):\n        pass\n"
    "    def send(self, data, timeout=5):\n        pass\n\n"
    "def old_name():\n    pass\n",
    "src/pkg/util.py": "def helper(a):\n    pass\n",
}
NEW = {
    "src/pkg/__init__.py": "from ._client import Client as Client\nfrom .util import helper\n"
    "__all__ = ['Client', 'helper']\n\ndef __getattr__(name):\n"
    "    if name == 'old_name':\n        import warnings\n"
    "        warnings.warn('old_name is deprecated', DeprecationWarning)\n"
    "        from ._client import old_name\n        return old_name\n"
    "    raise AttributeError(name)\n",
    "src/pkg/_client.py": "class Client:\n"
    "    def __init__(self, url: str | None = None, *, retries=3):\n"
    "        pass\n    def send(self, data):\n        pass\n    def close(self):\n        pass\n\n"
    "def old_name():\n    pass\n",
    "src/pkg/util.py": "def helper(a, b):\n    pass\n",
}


def _changes() -> set[tuple[str, str, str]]:
    package = Package("src/pkg", "pkg")
    found = compare([package], OLD, NEW)[package]
    return {(c.what, c.name, c.detail) for c in found}


def test_re_exports_from_private_modules_are_api_by_their_public_name() -> None:
    """A new keyword on a class defined in a private module was missed (httpx's layout)."""
    changes = _changes()
    assert ("param-optional", "pkg.Client.__init__", "retries=3") in changes
    assert ("added", "pkg.Client.close", "") in changes
    assert ("param-removed", "pkg.Client.send", "timeout") in changes
    assert ("param-required", "pkg.helper", "b") in changes  # its shortest public spelling


def test_a_name_moved_behind_a_getattr_shim_is_deprecated_not_removed() -> None:
    changes = _changes()
    assert ("deprecated", "pkg.old_name", "") in changes
    assert not any(what == "removed" and "old_name" in name for what, name, _ in changes)


def test_annotation_only_edits_are_not_changes() -> None:
    """Optional[str] -> str | None filled the Breaking group once."""
    assert not any("url" in detail for _, _, detail in _changes())


def test_dropped_future_imports_neither_fail_the_package_nor_count_as_removed() -> None:
    """attrs 21.4.0 -> 23.1.0: ``from __future__ import absolute_import`` dropped from a module
    that a second package re-exports raised AliasResolutionError in the TypeVar check, so the
    whole Python analysis was lost (the report fell back to hunks); dropped ``__future__``
    imports are not API either."""
    packages = [Package("attr", "attr"), Package("attrs", "attrs")]
    old = {
        "attr/__init__.py": "from . import setters\n",
        "attr/setters.py": "from __future__ import absolute_import, division\n\n"
        "def pipe(*setters):\n    pass\n\ndef gone():\n    pass\n",
        "attrs/__init__.py": "from attr import setters\n",
        "attrs/setters.py": "from attr.setters import *\n",
    }
    new = {
        "attr/__init__.py": "from . import setters\n",
        "attr/setters.py": "def pipe(*setters):\n    pass\n",
        "attrs/__init__.py": "from attr import setters\n",
        "attrs/setters.py": "from attr.setters import *\n",
    }
    result = compare(packages, old, new)
    found = {(c.what, c.name) for changes in result.values() for c in changes}
    assert any(what == "removed" and name.endswith("setters.gone") for what, name in found)
    assert not any("absolute_import" in name or "division" in name for _, name in found)


def test_functions_and_classes_defined_in_a_package_init_are_compared_themselves() -> None:
    """griffe's find_breaking_changes compares the members of what it is given: handed a
    function at a package's top level (or a one-module package), its removed parameter went
    unseen and the report said only "Code changed inside a" (a class's methods were seen)."""
    package = Package("pkg", "pkg")
    method = "class B:\n    def m(self, q):\n        pass\n"
    old = {"pkg/__init__.py": "def a(x, y):\n    pass\n\n" + method}
    new = {"pkg/__init__.py": "def a(x):\n    pass\n\n" + method.replace(", q", "")}
    found = {(c.what, c.name, c.detail) for c in compare([package], old, new)[package]}
    assert ("param-removed", "pkg.a", "y") in found
    assert ("param-removed", "pkg.B.m", "q") in found


def test_a_removed_base_class_is_named_not_shown_as_griffe_expressions() -> None:
    """The detail was ``str()`` of griffe's list of expressions: the bullet read "Base
    classes removed: `[ExprName(name='int', parent=Module(PosixPath('/tmp/diffinsight-api-…"."""
    package = Package("pkg", "pkg")
    old = {"pkg/__init__.py": "import abc\n\nclass B(int, abc.ABC):\n    pass\n"}
    new = {"pkg/__init__.py": "import abc\n\nclass B(abc.ABC):\n    pass\n"}
    found = [c for c in compare([package], old, new)[package] if c.what == "base-removed"]
    assert [(c.name, c.detail) for c in found] == [("pkg.B", "int")]


def test_a_source_too_deep_for_the_parser_costs_only_its_own_package() -> None:
    """200,000 unary minus signs make CPython's parser raise MemoryError; uncaught, it ended
    the whole Python step, so every other package lost its API analysis too."""
    good, bad = Package("good", "good"), Package("bad", "bad")
    old = {
        "good/__init__.py": "def a(x, y):\n    pass\n",
        "bad/__init__.py": "def z():\n    pass\n",
    }
    new = {
        "good/__init__.py": "def a(x):\n    pass\n",
        "bad/__init__.py": "x = " + "-" * 200_000 + "1\n",
    }
    found = compare([good, bad], old, new)
    assert [(c.what, c.name) for c in found[good]] == [("param-removed", "good.a")]
