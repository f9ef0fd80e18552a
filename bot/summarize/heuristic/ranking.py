"""What a highlight is worth to a reader: one ranking for code, docs and tooling facts alike.

Every fact belongs to a *group* (Breaking changes, New features, Other updates: its ``kind``)
and has a *tier* that says what it means to a user, most important first:

    break        an API removed or changed incompatibly
    platform     a dropped platform or a raised minimum requirement
    deprecation  still works, but is going away
    api          new public API
    behaviour    what the code does differently (fixes, changed defaults, settings)
    docs         documentation content
    tooling      CI, lint settings, dependabot, test fixtures, generated and vendored files

:func:`worth` orders facts by tier, then by the fact's own ``weight`` (0-99, for finer order
within a tier). A fact says its tier when it knows it (``Fact.tier``); otherwise it is inferred
from its kind, its topic and the file it is about. Files that are tooling by their path
(:func:`tooling_area`) are grouped in one line per area and ranked last.
"""

from __future__ import annotations

import functools
import re
import typing
from typing import Literal

from bot.summarize.heuristic.facts import kind_of

Tier = Literal["break", "platform", "deprecation", "api", "behaviour", "docs", "tooling"]
TIERS: tuple[Tier, ...] = typing.get_args(Tier)
_RANK = {tier: len(TIERS) - i for i, tier in enumerate(TIERS)}
_GROUP = {
    "break": "breaking", "platform": "breaking", "deprecation": "breaking", "api": "feature",
    "behaviour": "other", "docs": "other", "tooling": "other",
}  # fmt: skip
_DOCS_TOPICS = frozenset(
    {"headings", "table", "front matter", "links", "text", "comments", "values", "alerts",
     "lists", "release notes", "toc", "page", "page place", "moves"}
)  # fmt: skip
_DOCS_FILES = re.compile(
    r"\.(md|markdown|mdx|rst|rest|adoc|asciidoc|txt)$|(^|/)(toc|index)\.ya?ml$|(^|/)mkdocs\.ya?ml$"
    r"|(^|/)docfx\.json$|(^|/)nav\.adoc$",
    re.IGNORECASE,
)
"""Documentation pages and their tables of contents: what is said in them is docs content."""
BULLET_LIMIT = 300

# Path rules, first match wins: (area label, pattern). Labels are what a grouped line says.
_AREAS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Dependabot", re.compile(r"(^|/)\.github/dependabot\.ya?ml$|(^|/)renovate\.json5?$")),
    (
        "CI",
        re.compile(
            r"(^|/)\.github/(workflows|actions)/|(^|/)\.(gitlab-ci|travis|appveyor)\.ya?ml$"
            r"|(^|/)\.circleci/|(^|/)azure-pipelines\.ya?ml$|(^|/)\.cirrus\.ya?ml$|(^|/)Jenkinsfile$"
            r"|(^|/)\.buildkite/|(^|/)\.woodpecker"
        ),
    ),
    (
        "Lint and format settings",
        re.compile(
            r"(^|/)\.(pre-commit-config\.yaml|flake8|pylintrc|eslintrc(\.\w+)?|prettierrc(\.\w+)?"
            r"|editorconfig|golangci\.ya?ml|rustfmt\.toml|clang-format|stylelintrc(\.\w+)?"
            r"|markdownlint(\.\w+)?|yamllint(\.\w+)?|isort\.cfg|mypy\.ini|ruff\.toml)$"
            r"|(^|/)(rustfmt|clippy|ruff|\.?eslint\.config|tox|mypy)\.(toml|ini|js|mjs|cjs)$"
            r"|(^|/)\.(codecov|coveragerc|readthedocs)\.?(ya?ml)?$|(^|/)codecov\.ya?ml$"
        ),
    ),
    (
        "Repository settings",
        re.compile(
            r"(^|/)\.github/(ISSUE_TEMPLATE|PULL_REQUEST_TEMPLATE|FUNDING|CODEOWNERS|SECURITY)"
            r"|(^|/)\.(gitignore|gitattributes|mailmap|git-blame-ignore-revs)$|(^|/)(AUTHORS|CONTRIBUTORS)(\.\w+)?$"
        ),
    ),
    (
        "Test fixtures",
        re.compile(
            r"(^|/)(tests?|testing|__tests__|spec)/(.+/)?(fixtures?|data|certs?|snapshots?|__snapshots__|testdata)/"
            r"|(^|/)testdata/|\.(pem|crt|key|der|snap)$"
        ),
    ),
    (
        "Generated files",
        re.compile(
            r"(^|/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Cargo\.lock|go\.sum"
            r"|composer\.lock|Gemfile\.lock|uv\.lock|Pipfile\.lock)$|\.min\.(js|css)$|(^|/)dist/"
            r"|_pb2\.py$|\.pb\.go$|(^|/)generated/"
        ),
    ),
    ("Vendored code", re.compile(r"(^|/)(vendor|third_party|_vendor|vendored)/")),
)


@functools.lru_cache(maxsize=8192)
def tooling_area(path: str) -> str | None:
    """The tooling area a file belongs to by its path (``CI``, ``Dependabot``...), or None."""
    for label, pattern in _AREAS:
        if pattern.search(path):
            return label
    return None


def tier_of(fact: str, path: str = "") -> Tier:
    """A fact's tier: its own when it says one, tooling by path, else from kind and topic."""
    own = getattr(fact, "tier", None)
    if own in _RANK:
        return own
    if path and tooling_area(path):
        return "tooling"
    kind = kind_of(fact)
    if kind == "breaking":
        return "break"
    if path and _DOCS_FILES.search(path):
        return "docs"
    topic = getattr(fact, "topic", "text")
    if kind == "feature":
        return "docs" if topic in _DOCS_TOPICS else "api"
    return "docs" if topic in _DOCS_TOPICS else "behaviour"


def group_of(fact: str, path: str = "") -> str:
    """The highlight group a fact goes to: ``breaking``, ``feature`` or ``other``: its kind,
    except that nothing in a tooling file is a breaking change or a feature to users."""
    if path and tooling_area(path):
        return "other"
    return kind_of(fact)


def group_for(tier: Tier) -> str:
    """The group a fact of ``tier`` belongs to when nothing else says (a new fact's kind)."""
    return _GROUP[tier]


def worth(fact: str, path: str = "") -> int:
    """Sort key, higher first: the tier dominates, the fact's own weight orders within it."""
    weight = max(0, min(int(getattr(fact, "weight", 1)), 99))
    return _RANK[tier_of(fact, path)] * 100 + weight


def shorten(text: str, limit: int = BULLET_LIMIT) -> str:
    """``text`` cut at a word boundary to about ``limit`` characters, never inside a code span
    or a link's markup, with an ellipsis where it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    if cut.count("`") % 2:  # an open code span: end before it
        cut = cut[: cut.rfind("`")].rstrip()
    open_link = max(cut.rfind("["), cut.rfind("]("))
    if open_link > cut.rfind(")") and open_link > 0:
        cut = cut[:open_link].rstrip()
    return cut.rstrip(" ,;:-(") + "…"
