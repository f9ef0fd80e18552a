"""Odd changes still give a report, never a crash: binary, CRLF, bad bytes, huge, empty...

Each case is a real git repository diffed by git itself, summarized by the heuristic and
rendered to Markdown and JSON, as ``diffinsight report --git`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.build import build_report
from bot.config import load_config
from bot.diff import parse_unified_diff
from bot.render.json import render_json
from bot.render.markdown import render_markdown
from bot.report import Report
from bot.request import ReportRequest
from bot.summarize import MODIFICATION_TYPES
from bot.summarize.heuristic.overall import HIGHLIGHT_LIMIT
from tests.support import DATA, git

CONFIG = load_config({})


def report_of(root: Path, spec: str = "HEAD~1...HEAD") -> Report:
    report = build_report(ReportRequest(source=spec, git_path=str(root)), CONFIG)
    markdown = render_markdown(report)
    assert markdown.startswith("---\n") and "# Modified Contents\n" in markdown
    assert json.loads(render_json(report))["totals"]["files"] == len(report.files)
    for f in report.files:
        assert f.modification_type in MODIFICATION_TYPES
        assert f.explanation and f.modification_title
    return report


def by_name(report: Report):
    return {f.filename: f for f in report.files}


def test_binary_files_added_changed_and_removed(make_repo) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    root, _ = make_repo(
        [
            {"README.md": "# r\n"},
            {"img/a.png": png, "img/b.png": png},
            {"img/a.png": png[::-1], "img/b.png": None},
        ]
    )
    files = by_name(report_of(root))
    assert files["img/a.png"].status == "modified"
    assert files["img/b.png"].status == "removed"
    assert "Binary content changed" in files["img/a.png"].explanation
    added = by_name(report_of(root, "HEAD~2..HEAD~1"))
    assert {name: f.status for name, f in added.items()} == {
        "img/a.png": "added",
        "img/b.png": "added",
    }
    assert "New binary file." in added["img/a.png"].explanation


def test_no_trailing_newline_crlf_and_non_utf8_bytes(make_repo) -> None:
    root, _ = make_repo(
        [
            {"a.txt": "one\ntwo", "win.md": "# Title\r\nline\r\n", "latin.txt": b"caf\xe9\n"},
            {
                "a.txt": "one\nthree",
                "win.md": "# New title\r\nline\r\n",
                "latin.txt": b"na\xefve\n",
            },
        ]
    )
    files = by_name(report_of(root))
    assert (files["a.txt"].additions, files["a.txt"].deletions) == (1, 1)
    assert "No newline" not in files["a.txt"].explanation
    assert 'Heading renamed (H1): "Title" -> "New title".' in files["win.md"].explanation
    assert "\r" not in (files["win.md"].patch or "")
    assert "\ufffd" in (files["latin.txt"].patch or "")  # replaced, not a crash


def test_identical_refs_give_an_empty_report_that_says_so(make_repo) -> None:
    root, _ = make_repo([{"a.txt": "x\n"}])
    report = report_of(root, "HEAD...HEAD")
    assert report.files == []
    sha = git(root, "rev-parse", "HEAD")[:12]
    assert report.notes == [
        f"Base and head are identical: both are the same commit ({sha}), so there are no "
        "changes to report."
    ]  # said as plainly as for a GitHub compare
    assert report.summary == "This change has no file differences to describe."
    assert "the two sides of this change are identical" in report.insights
    assert "- None." in render_markdown(report)


def test_a_range_with_no_net_change_is_not_called_identical(make_repo) -> None:
    root, _ = make_repo([{"a.txt": "x\n"}, {"a.txt": "y\n"}, {"a.txt": "x\n"}])
    report = report_of(root, "HEAD~2...HEAD")
    assert report.files == []
    assert report.notes == ["No files changed in this range."]
    assert "identical" not in report.insights


def test_submodule_pointer_moves(make_repo) -> None:
    root, _ = make_repo([{"README.md": "# r\n"}])
    first, second = "1" * 40, "2" * 40
    for sha in (first, second):
        git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
        git(root, "commit", "-q", "-m", f"pin {sha[:1]}")
    report = report_of(root)
    [sub] = report.files
    assert sub.filename == "vendor/lib"
    assert "Submodule moved from `1111111` to `2222222`." in sub.explanation


def test_renames_with_and_without_edits(make_repo) -> None:
    body = "".join(f"line {i}\n" for i in range(40))
    root, _ = make_repo(
        [
            {"docs/old.md": body, "pkg/old.py": "def run():\n    pass\n" + body},
        ]
    )
    git(root, "mv", "docs/old.md", "docs/new.md")
    git(root, "mv", "pkg/old.py", "pkg/new.py")
    (root / "pkg/new.py").write_text("def run():\n    pass\n" + body + "tail\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "move")
    files = by_name(report_of(root))
    assert files["docs/new.md"].status == "renamed"
    assert files["docs/new.md"].previous_filename == "docs/old.md"
    assert files["docs/new.md"].modification_type == "renamed"
    assert files["docs/new.md"].changes == 0
    assert files["pkg/new.py"].status == "renamed"
    assert (files["pkg/new.py"].additions, files["pkg/new.py"].deletions) == (1, 0)
    assert files["pkg/new.py"].modification_type == "breaking change"


def test_mode_change_only(make_repo) -> None:
    root, _ = make_repo([{"run.sh": "echo hi\n"}])
    git(root, "update-index", "--chmod=+x", "run.sh")
    git(root, "commit", "-q", "-m", "executable")
    [f] = report_of(root).files
    assert f.status == "changed"
    assert "File mode changed from 100644 to 100755 (now executable)." in f.explanation


def test_more_than_three_hundred_files(make_repo) -> None:
    root, _ = make_repo([{"README.md": "# r\n"}])
    (root / "docs").mkdir()
    for text in ("text", "new text"):  # two commits of 320 pages, added in one git call each
        for i in range(320):
            (root / f"docs/p{i:03}.md").write_text(f"# Page {i}\n\n{text}\n", encoding="utf-8")
        git(root, "add", "docs")
        git(root, "commit", "-q", "-m", text)
    report = report_of(root)
    assert report.totals.files == 320
    assert report.totals.changes == 640
    assert len(report.highlights.other_updates) <= HIGHLIGHT_LIMIT + 1  # the cap and "And N more"
    assert report.highlights.other_updates[-1].startswith("And ")


def test_a_single_ten_megabyte_file(make_repo) -> None:
    line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\n"
    big = line * (10 * 1024 * 1024 // len(line) + 1)
    root, _ = make_repo([{"small.txt": "a\n"}, {"data/big.csv": big}])
    [f] = report_of(root).files
    assert f.status == "added"
    assert f.additions == big.count("\n")
    assert f.modification_type == "new content"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("git.diff", [("added_file", "added", 4, 0), ("modified_file", "modified", 3, 1),
                      ("removed_file", "removed", 0, 3)]),
        ("sample3.diff", [("added_file", "added", 4, 0), ("modified_file", "modified", 4, 2),
                          ("removed_file", "removed", 0, 3)]),
        ("sample0.diff", [("/path/to/new", "modified", 12, 8),
                          ("/path/to/another_new", "added", 9, 0),
                          ("/path/to/existing", "removed", 0, 9)]),
        ("git_rename.diff", [("moved", "renamed", 1, 1), ("newfile", "renamed", 1, 1),
                             ("sub/otherfile", "renamed", 0, 0)]),
        ("binary.diff", [("1x1.png", "added", 0, 0)]),
        ("sample8.diff", [("boo.bin", "added", 0, 0), ("foo.bin", "added", 0, 0),
                          ("bar.bin", "modified", 0, 0), ("baz.bin", "removed", 0, 0),
                          ("fuz.bin", "added", 0, 0)]),
    ],
)  # fmt: skip
def test_real_diffs_parse_with_statuses_and_counts(name: str, expected: list) -> None:
    files = parse_unified_diff((DATA / "diffs" / name).read_bytes())
    assert [(f.filename, f.status, f.additions, f.deletions) for f in files] == expected


def test_real_diff_details_binary_and_renames() -> None:
    binary = {f.filename: f for f in parse_unified_diff((DATA / "diffs/sample8.diff").read_bytes())}
    assert [n for n, f in binary.items() if f.binary] == ["foo.bin", "bar.bin", "baz.bin"]
    renames = parse_unified_diff((DATA / "diffs/git_rename.diff").read_bytes())
    assert [f.previous_filename for f in renames] == ["added", "oldfile", "sub/onefile"]
    png = parse_unified_diff((DATA / "diffs/binary.diff").read_bytes())[0]
    assert png.binary and png.patch is None


def test_garbage_and_a_chunk_unidiff_rejects() -> None:
    assert parse_unified_diff(b"") == []
    assert parse_unified_diff(b"\xff\xfe not a diff at all \x00") == []
    broken = (
        "diff --git a/ok.txt b/ok.txt\n--- a/ok.txt\n+++ b/ok.txt\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --git a/bad.txt b/bad.txt\n--- a/bad.txt\n+++ b/bad.txt\n@@ -1,5 +1,5 @@\n-a\n"
    )
    files = parse_unified_diff(broken)
    assert [f.filename for f in files] == ["ok.txt", "bad.txt"]
    assert files[1].missing_reason and "could not be parsed" in files[1].missing_reason


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "name", ["app.min.js", "config.yaml", "notes.md", "data.toml", "Main.java", "page.rst"]
)
def test_pathological_lines_stay_fast(name: str) -> None:
    """Megabyte lines (minified code, whitespace runs) must not make any pattern slow."""
    from bot.diff import FileChange
    from bot.summarize.heuristic.summarizer import summarize_file

    long_lines = [
        "function a(){" + "var x=1;" * 200_000 + "}",
        "key: a" + " " * 500_000 + "b",
        "# " + " " * 500_000 + "x",
        "| a " * 100_000 + "|",
        "public " + "a " * 300_000 + "(",
        "[x](" * 100_000,
    ]
    patch = "@@ -1,6 +1,6 @@\n" + "\n".join(f"-{line}\n+{line} " for line in long_lines)
    summary = summarize_file(FileChange(name, "modified", 6, 6, patch))
    assert summary.modification_type in MODIFICATION_TYPES


_TOKENS = [*"ab #|:=()[]{}-`'\"<>/.\t\r", "def ", "class ", "func ", "---", "## ", "| x |"]
_PATCH_LINES = st.lists(
    st.tuples(
        st.sampled_from([" ", "+", "-", "@@ -1,3 +1,3 @@ ", "\\ ", ""]),
        st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    lines=_PATCH_LINES,
    name=st.sampled_from(
        ["a.md", "a.py", "a.ts", "a.go", "A.java", "lib.rs", "package.json", "pyproject.toml",
         "requirements.txt", "c.yaml", "d.rst", "e.txt", "go.mod"]
    ),
    status=st.sampled_from(["added", "removed", "modified", "renamed", "changed"]),
)  # fmt: skip
def test_no_patch_text_crashes_the_summarizer(lines, name: str, status: str) -> None:
    from bot.diff import FileChange
    from bot.summarize.heuristic.summarizer import file_facts, summarize_file

    patch = "@@ -1,3 +1,3 @@\n" + "\n".join(tag + text for tag, text in lines)
    f = FileChange(name, status, 3, 3, patch, previous_filename="old/" + name)
    assert summarize_file(f).modification_type in MODIFICATION_TYPES
    assert all(isinstance(fact, str) and fact for fact in file_facts(f))


def test_unusual_file_names_come_out_as_written(make_repo) -> None:
    names = ["my file.txt", "héllo wörld.md", 'quote"d.txt', "back\\slash.txt"]
    root, _ = make_repo([dict.fromkeys(names, "a\n"), dict.fromkeys(names, "a\nb\n")])
    assert sorted(by_name(report_of(root))) == sorted(names)
    octal = b'diff --git "a/h\\303\\251.md" "b/h\\303\\251.md"\n--- "a/h\\303\\251.md"\n'
    octal += b'+++ "b/h\\303\\251.md"\n@@ -1 +1 @@\n-a\n+b\n'
    assert [f.filename for f in parse_unified_diff(octal)] == ["hé.md"]
