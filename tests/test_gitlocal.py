"""Reports from a local repository (``--git PATH``), read with git itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.build import build_report
from bot.config import load_config
from bot.errors import SourceReadError
from bot.reading.local import github_origin, read_local
from bot.request import ReportRequest
from bot.sources import parse_source
from tests.support import git

CONFIG = load_config({})


def local(root: Path, spec: str):
    return read_local(parse_source(spec, git_path=str(root)))


@pytest.fixture
def branched(make_repo) -> tuple[Path, dict[str, str]]:
    """main: A (base.txt) -> C (main.txt); topic from A: B (docs/topic.md)."""
    root, shas = make_repo([{"base.txt": "one\n"}])
    git(root, "checkout", "-q", "-b", "topic")
    (root / "docs").mkdir()
    (root / "docs/topic.md").write_text("# Topic\n\nWords.\n", encoding="utf-8")
    git(root, "add", "docs/topic.md")
    git(root, "commit", "-q", "-m", "topic work")
    git(root, "checkout", "-q", "main")
    (root / "main.txt").write_text("main only\n", encoding="utf-8")
    git(root, "add", "main.txt")
    git(root, "commit", "-q", "-m", "main moves on")
    refs = {name: git(root, "rev-parse", name) for name in ("main", "topic")}
    return root, refs


def test_three_dots_diff_from_the_merge_base(branched) -> None:
    root, refs = branched
    change = local(root, "main...topic")
    assert [(f.filename, f.status) for f in change.files] == [("docs/topic.md", "added")]
    assert change.base.sha == refs["main"] and change.head.sha == refs["topic"]
    assert change.base.ref == "main" and change.head.ref == "topic"
    assert change.date == "2025-06-12"


def test_two_dots_diff_base_to_head_directly(branched) -> None:
    root, _ = branched
    change = local(root, "main..topic")
    assert sorted((f.filename, f.status) for f in change.files) == [
        ("docs/topic.md", "added"),
        ("main.txt", "removed"),
    ]


def test_permalink_is_the_range_without_a_github_origin(branched) -> None:
    root, _ = branched
    change = local(root, "main...topic")
    assert change.permalink == "main...topic"
    assert change.repository == root.name
    assert change.web_url is None
    assert github_origin(str(root)) is None
    from bot.build import build_report
    from bot.config import load_config
    from bot.render.markdown import render_markdown
    from bot.request import ReportRequest

    report = build_report(ReportRequest("main...topic", git_path=str(root)), load_config({}))
    markdown = render_markdown(report)
    assert "[View Diff on GitHub]" not in markdown  # no link to a page that does not exist
    assert "\nRange: `main...topic` (a local repository without a GitHub origin)\n" in markdown


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/octo/widgets.git",
        "git@github.com:octo/widgets.git",
        "ssh://git@github.com/octo/widgets",
    ],
)
def test_permalink_is_a_github_compare_link_with_a_github_origin(branched, url: str) -> None:
    root, refs = branched
    git(root, "remote", "add", "origin", url)
    change = local(root, "main...topic")
    assert change.repository == "octo/widgets"
    assert change.permalink == (
        f"https://github.com/octo/widgets/compare/{refs['main'][:7]}...{refs['topic'][:7]}"
    )
    assert local(root, "main..topic").permalink.endswith(f"{refs['main'][:7]}..{refs['topic'][:7]}")


def test_origin_elsewhere_keeps_the_range(branched) -> None:
    root, _ = branched
    git(root, "remote", "add", "origin", "https://gitlab.com/octo/widgets.git")
    assert local(root, "main...topic").permalink == "main...topic"


def test_a_whole_report_from_a_subfolder_and_relative_refs(branched) -> None:
    root, _ = branched
    git(root, "checkout", "-q", "topic")
    request = ReportRequest(source="HEAD~1...HEAD", git_path=str(root / "docs"))
    report = build_report(request, CONFIG)
    assert [f.filename for f in report.files] == ["docs/topic.md"]
    assert report.title == f"[en_US] Diff Insight Report - {root.name}"
    assert report.files[0].modification_type == "new content"
    assert any("Topic" in item for item in report.highlights.new_features)


@pytest.mark.parametrize(
    ("spec", "needle"),
    [("main...nosuchbranch", "unknown ref 'nosuchbranch'"), ("nope..main", "unknown ref 'nope'")],
)
def test_unknown_refs_are_a_read_error(branched, spec: str, needle: str) -> None:
    root, _ = branched
    with pytest.raises(SourceReadError, match=needle):
        local(root, spec)


def test_missing_path_and_non_repository_are_read_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceReadError, match="does not exist"):
        local(tmp_path / "absent", "a...b")
    with pytest.raises(SourceReadError, match="is not a git repository"):
        local(tmp_path, "a...b")


def test_unrelated_histories_suggest_two_dots(branched) -> None:
    root, _ = branched
    git(root, "checkout", "-q", "--orphan", "lonely")
    (root / "lonely.txt").write_text("alone\n", encoding="utf-8")
    git(root, "add", "lonely.txt")
    git(root, "commit", "-q", "-m", "no parents")
    with pytest.raises(SourceReadError, match=r"share no history.*\(main\.\.lonely\)"):
        local(root, "main...lonely")
    assert local(root, "main..lonely").files  # two dots still work
