"""Per-area reports: --path globs keep files, and the AREA in the title names the subject."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.areas import area_from_globs, area_from_paths, matches_any
from bot.build import area_for, build_from_change, filter_change
from bot.diff import Change, FileChange, RefInfo
from bot.summarize.heuristic.summarizer import HeuristicSummarizer

EXAMPLE_PATHS = [
    "articles/ai-services/openai/concepts/fine-tuning-considerations.md",
    "articles/ai-services/openai/concepts/model-retirements.md",
]


def change_of(*paths: str, repository: str = "MicrosoftDocs/azure-ai-docs") -> Change:
    files = [FileChange(p, "modified", 2, 1, "@@ -1 +1,2 @@\n-a\n+b\n+c") for p in paths]
    return Change(
        repository=repository,
        host="github.com",
        base=RefInfo("main", "a" * 40),
        head=RefInfo("topic", "b" * 40),
        permalink="https://github.com/o/r/compare/main...topic",
        files=files,
        date="2025-06-12",
    )


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("articles/ai-services/openai/**", EXAMPLE_PATHS[0], True),
        ("articles/ai-services/openai/**", "articles/ai-services/speech/a.md", False),
        ("articles/**/concepts/*.md", EXAMPLE_PATHS[1], True),
        ("articles/**/*.md", "articles/a.md", True),
        ("**/*.md", "README.md", True),
        ("**/*.md", "deep/down/in/here.md", True),
        ("docs/*.md", "docs/a.md", True),
        ("docs/*.md", "docs/sub/a.md", False),  # a single star stays in one folder
        ("docs/?.md", "docs/a.md", True),
        ("docs/?.md", "docs/ab.md", False),
        ("docs", "docs/sub/a.md", True),  # a folder covers everything below it
        ("docs/", "docs/a.md", True),
        ("./docs/**", "docs/a.md", True),
        ("docs", "docsite/a.md", False),
        ("src/app.py", "src/app.py", True),
        ("src/app.py", "src/app.pyc", False),
    ],
)
def test_globs(glob: str, path: str, expected: bool) -> None:
    assert matches_any(path, [glob]) is expected


def test_any_of_several_globs_and_blank_globs() -> None:
    globs = ["docs/**", "src/*.py", "  "]
    assert matches_any("src/a.py", globs)
    assert matches_any("docs/x/y.md", globs)
    assert not matches_any("tests/test_a.py", globs)
    assert not matches_any("a.py", ["  "])


@pytest.mark.parametrize(
    ("globs", "area"),
    [
        (["articles/ai-services/openai/**"], "openai"),
        (["articles/ai-services/openai/"], "openai"),
        (["articles/ai-services/openai/**", "docs/**"], "openai"),
        (["services/billing/*.py"], "billing"),
        (["services/billing/api.py"], "billing"),  # a file names its folder
        (["**/*.md", "services/payments/**"], "payments"),  # first glob with a folder
        (["**/*.md"], None),
    ],
)
def test_area_from_globs(globs: list[str], area: str | None) -> None:
    assert area_from_globs(globs) == area


@pytest.mark.parametrize(
    ("paths", "area"),
    [
        (EXAMPLE_PATHS, "openai"),
        (EXAMPLE_PATHS[:1], "openai"),
        (
            [
                "articles/ai-services/openai/includes/a.md",
                "articles/ai-services/openai/how-to/b.md",
                "articles/ai-services/openai/media/c.png",
            ],
            "openai",
        ),
        (["src/lib/a.py", "src/lib/b.py"], "azure-ai-docs"),  # all generic: the repository
        (["billing/src/a.py", "billing/tests/b.py"], "billing"),
        (["a/x.md", "b/y.md"], "azure-ai-docs"),  # nothing in common
        (["README.md"], "azure-ai-docs"),
        ([".github/workflows/ci.yml"], "workflows"),
        ([], "azure-ai-docs"),
    ],
)
def test_area_from_paths(paths: list[str], area: str) -> None:
    assert area_from_paths(paths, "MicrosoftDocs/azure-ai-docs") == area


def test_filter_keeps_matching_files_and_notes_the_rest() -> None:
    change = change_of(*EXAMPLE_PATHS, "articles/ai-services/speech/a.md", "README.md")
    kept = filter_change(change, ("articles/ai-services/openai/**",))
    assert [f.filename for f in kept.files] == EXAMPLE_PATHS
    assert kept.notes == (  # the change model is immutable: notes are a tuple
        "2 of 4 changed files are outside articles/ai-services/openai/** and are left out of "
        "this per-area report.",
    )
    assert filter_change(change, ()) is change


def test_a_rename_into_the_area_counts() -> None:
    moved = replace(
        change_of("elsewhere/new.md").files[0],
        status="renamed",
        previous_filename="articles/ai-services/openai/old.md",
    )
    change = replace(change_of(), files=(moved,))  # the model is frozen: a new value
    assert len(filter_change(change, ("articles/ai-services/openai/**",)).files) == 1


def test_report_totals_area_and_title_follow_the_globs() -> None:
    change = change_of(*EXAMPLE_PATHS, "articles/ai-services/speech/a.md")
    globs = ("articles/ai-services/speech/**",)
    report = build_from_change(change, globs=globs, lang="en_US", summarizer=HeuristicSummarizer())
    assert report.title == "[en_US] Diff Insight Report - speech"
    assert [f.filename for f in report.files] == ["articles/ai-services/speech/a.md"]
    assert (report.totals.files, report.totals.additions, report.totals.deletions) == (1, 2, 1)
    assert area_for(change, ()) == "ai-services"


def test_globs_matching_nothing_give_an_empty_report_that_says_so() -> None:
    report = build_from_change(
        change_of(*EXAMPLE_PATHS),
        globs=("nothing/here/**",),
        lang="en_US",
        summarizer=HeuristicSummarizer(),
    )
    assert report.files == []
    assert report.area == "here"
    assert any("under the given paths" in note for note in report.notes)
