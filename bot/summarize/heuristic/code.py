"""Which files are source code, and which code is nobody's API (tests, tooling).

What a code change does to an API is read from whole files by griffe and tree-sitter
(:mod:`bot.summarize.heuristic.api_facts`); this module only sorts paths.
"""

from __future__ import annotations

import re

_LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".js": "js", ".jsx": "js", ".mjs": "js", ".cjs": "js", ".ts": "js", ".tsx": "js",
    ".go": "go",
    ".java": "java", ".kt": "java", ".cs": "java", ".scala": "java",
    ".rs": "rust",
}  # fmt: skip
_TEST_RE = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec)/|(^|/)test_[^/]*$|_test\.\w+$|\.(test|spec)\.\w+$"
)
# Code nobody imports: tooling, examples, docs and CI scripts.
_TOOLING_RE = re.compile(
    r"(^|/)(scripts?|tools?|examples?|docs?|benchmarks?|bench|\.github|ci|\.ci)/"
    r"|(^|/)(setup|conftest|noxfile|tasks|fabfile|manage)\.py$"
    r"|(^|/)[^/]*\.config\.(js|cjs|mjs|ts)$|(^|/)(Gruntfile|Gulpfile|gulpfile)\.js$"
)


def language_of(filename: str) -> str | None:
    dot = filename.rfind(".")
    return _LANGUAGES.get(filename[dot:].lower()) if dot >= 0 else None


def is_test_path(filename: str) -> bool:
    return bool(_TEST_RE.search(filename))


def is_internal_path(filename: str) -> bool:
    """Tests and tooling: their names are nobody's API, so their removal breaks no one."""
    return bool(_TEST_RE.search(filename) or _TOOLING_RE.search(filename))
