"""A report never drops a file silently: every file whose diff is missing is named in notes."""

from __future__ import annotations

from bot.build import build_from_change
from bot.diff import FileChange, parse_unified_diff, unreadable_note
from bot.reading import local as gitlocal
from bot.reading.github_files import MISSING_FROM_DIFF, complete_files
from bot.reading.local import read_local
from bot.sources import parse_source
from bot.summarize.heuristic.summarizer import HeuristicSummarizer

OK_DIFF = "diff --git a/ok.txt b/ok.txt\n--- a/ok.txt\n+++ b/ok.txt\n@@ -1 +1 @@\n-a\n+b\n"
BROKEN = (
    "diff --git a/bad.txt b/bad.txt\nnew file mode 100644\n--- /dev/null\n+++ b/bad.txt\n"
    "@@ -0,0 +1,5 @@\n+a\n+b\n"
)


def test_a_file_missing_from_githubs_full_diff_too_is_named() -> None:
    listed = [
        FileChange("ok.txt", "modified", 1, 1, None),
        FileChange("ghost.txt", "modified", 3, 0, None),  # GitHub's JSON: no patch
    ]
    files, notes = complete_files(listed, lambda: OK_DIFF, listed_cap=300, what="comparison")
    ghost = next(f for f in files if f.filename == "ghost.txt")
    assert ghost.missing_reason == MISSING_FROM_DIFF
    assert len(notes) == 1 and "ghost.txt" in notes[0] and "1 file(s)" in notes[0]
    assert next(f for f in files if f.filename == "ok.txt").patch


def test_an_unparseable_chunk_keeps_its_status_counts_and_a_note() -> None:
    files = parse_unified_diff(OK_DIFF + BROKEN)
    bad = files[1]
    assert (bad.filename, bad.status, bad.additions, bad.deletions) == ("bad.txt", "added", 2, 0)
    note = unreadable_note(files)
    assert note is not None and "bad.txt" in note and "ok.txt" not in note
    # Binary files and withheld diffs have their own words; they are not "unreadable".
    assert unreadable_note([FileChange("a.png", "added", binary=True)]) is None
    withheld = FileChange("big.txt", "modified", 9, 9, truncated=True, missing_reason="refused")
    assert unreadable_note([withheld]) is None


def test_a_local_report_names_what_it_could_not_read(make_repo, monkeypatch) -> None:
    root, _ = make_repo([{"a.txt": "1\n"}, {"a.txt": "2\n"}])
    source = parse_source("HEAD~1...HEAD", git_path=str(root))
    assert read_local(source).notes == ()  # a clean diff has nothing to confess
    # git's output, as unidiff would fail on it: the reader must say so, not skip it.
    monkeypatch.setattr(gitlocal, "parse_unified_diff", lambda raw: parse_unified_diff(BROKEN))
    change = read_local(source)
    report = build_from_change(change, globs=(), lang="en_US", summarizer=HeuristicSummarizer())
    assert [f.filename for f in report.files] == ["bad.txt"]
    assert len(report.notes) == 1 and "bad.txt" in report.notes[0]
    assert report.totals.additions == 2
