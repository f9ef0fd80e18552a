"""Window arithmetic: WHEN parsing and the first-parent walk over a local repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.build import build_digest, resolve_window
from bot.reading.window import LineCommit, walk_line
from bot.request import (
    DigestInputError,
    DigestRequest,
    iso_utc,
    parse_digest_source,
    parse_when,
    parse_window,
)
from tests.digest_history import SINCE, UNTIL, History, commit_file, make_history

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return make_history(tmp_path / "repo")


def local(history: History, since: str = SINCE, until: str = UNTIL, **kw) -> DigestRequest:
    return DigestRequest(source="main", since=since, until=until, git_path=str(history.root), **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", "2026-11-23T09:30:00Z"),
        ("24h", "2026-11-29T09:30:00Z"),
        ("2w", "2026-11-16T09:30:00Z"),
        ("2026-11-23", "2026-11-23T00:00:00Z"),
        ("2026-11-23T09:00", "2026-11-23T09:00:00Z"),
        ("2026-11-23 09:00:00", "2026-11-23T09:00:00Z"),
        ("2026-11-23T09:00:00Z", "2026-11-23T09:00:00Z"),
        ("2026-11-23T11:00:00+02:00", "2026-11-23T09:00:00Z"),
        ("2026-11-23T03:30:00-05:30", "2026-11-23T09:00:00Z"),
        ("2026-11-23T09:00:00.999Z", "2026-11-23T09:00:00Z"),
    ],
)
def test_when_forms_become_utc(text: str, expected: str) -> None:
    assert iso_utc(parse_when(text, NOW)) == expected


@pytest.mark.parametrize("text", ["yesterday", "7x", "", "-7d", "2026-13-01", "9999999w", "7 d"])
def test_an_unreadable_when_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(DigestInputError) as caught:
        parse_when(text, NOW)
    assert "24h, 7d, 2w" in str(caught.value) and "ISO 8601" in str(caught.value)


def test_since_must_come_before_until() -> None:
    with pytest.raises(DigestInputError, match="must be before"):
        parse_window("2026-11-30", "2026-11-23", NOW)
    with pytest.raises(DigestInputError, match="must be before"):
        parse_window("2026-11-30T09:30:00Z", None, NOW)  # equal to now: an empty span
    since, until = parse_window("7d", None, NOW)
    assert (iso_utc(since), iso_utc(until)) == ("2026-11-23T09:30:00Z", "2026-11-30T09:30:00Z")


@pytest.mark.parametrize("text", ["octo", "octo/", "-x/y", "octo/docs@", "octo/docs@a..b", "a/b/c"])
def test_a_digest_source_is_owner_repo_and_an_optional_branch(text: str) -> None:
    with pytest.raises(DigestInputError, match="OWNER/REPO"):
        parse_digest_source(text)
    assert parse_digest_source("octo/docs@release/1.x").branch == "release/1.x"
    assert parse_digest_source("octo/docs").branch is None


def test_commits_exactly_at_the_edges(history: History) -> None:
    """At ``since`` is inside, one second before is the base; at ``until`` is the head, one
    second after is outside."""
    window = resolve_window(local(history), config_for_local())
    assert window.base == history.c1
    assert window.head == history.c3
    assert [c.sha for c in window.landed] == [history.c2, history.m1, history.c3]


def test_a_merge_counts_once_at_its_merge_time_not_its_branch_commits(history: History) -> None:
    window = resolve_window(local(history), config_for_local())
    titles = [m.title for m in window.merged]
    assert titles == ["At since", "Merge pull request #5 from octo/feature", "At until"]
    assert history.f1 not in {c.sha for c in window.landed}
    merge = window.merged[1]
    assert merge.date == "2026-11-26T10:00:00Z"  # +02:00 committer time, told in UTC
    assert merge.number is None and merge.url is None and merge.author == "Ada"


def test_time_zones_name_the_same_window(history: History) -> None:
    shifted = local(
        history,
        since=iso_utc(parse_when("2026-11-23T11:00:00+02:00", NOW)),
        until=iso_utc(parse_when("2026-11-30T04:00:00-05:00", NOW)),
    )
    assert (
        resolve_window(shifted, config_for_local()).landed
        == resolve_window(local(history), config_for_local()).landed
    )
    # The merge at 12:00+02:00 is 10:00Z: a window ending at 11:00+02:00 that day excludes it.
    before_merge = local(history, until="2026-11-26T09:59:59Z")
    window = resolve_window(before_merge, config_for_local())
    assert window.head == history.c2


def test_an_empty_window_builds_nothing_and_says_so(history: History) -> None:
    outcome = build_digest(
        local(history, since="2026-11-21T00:00:00Z", until="2026-11-22T00:00:00Z"),
        config_for_local(),
    )
    assert outcome.report is None
    assert outcome.empty == (
        f"No change on main of {history.root.name} between 2026-11-21T00:00:00Z and "
        "2026-11-22T00:00:00Z."
    )


def test_a_window_before_the_first_commit_is_empty(history: History) -> None:
    window = resolve_window(
        local(history, since="2026-01-01T00:00:00Z", until="2026-02-01T00:00:00Z"),
        config_for_local(),
    )
    assert window.head is None and window.empty


def test_history_starting_inside_the_window_is_noted(history: History) -> None:
    window = resolve_window(
        local(history, since="2026-11-01T00:00:00Z", until="2026-11-24T00:00:00Z"),
        config_for_local(),
    )
    assert window.base is None and window.compare_base == history.c0
    assert [c.sha for c in window.landed] == [history.c0, history.c1, history.c2]
    assert "first commit" in window.notes[0]


def test_the_digest_report_is_the_net_change_titled_with_its_window(history: History) -> None:
    outcome = build_digest(local(history, summarizer="heuristic"), config_for_local())
    report = outcome.report
    assert report is not None
    assert (
        report.title
        == f"[en_US] Diff Insight Digest - {history.root.name} (2026-11-23 to 2026-11-30)"
    )
    assert (report.base.sha, report.head.sha) == (history.c1, history.c3)
    assert sorted(f.filename for f in report.files) == ["docs/b.md", "src/app.py"]
    assert report.period is not None and report.period.since == SINCE
    assert [m.sha for m in report.merged] == [history.c2, history.m1, history.c3]


def test_paths_keep_one_area_and_an_untouched_area_is_empty(history: History) -> None:
    docs = build_digest(local(history, paths=("docs/**",)), config_for_local())
    assert docs.report is not None and [f.filename for f in docs.report.files] == ["docs/b.md"]
    assert docs.report.title.startswith("[en_US] Diff Insight Digest - docs (")
    none = build_digest(local(history, paths=("tools/**",)), config_for_local())
    assert none.report is None and none.empty is not None and "tools/**" in none.empty


def test_the_walk_reads_no_further_than_the_base() -> None:
    """A stream of first-parent commits is consumed only down to the base."""

    def at(day: int) -> LineCommit:
        return LineCommit(f"{day:040x}", datetime(2026, 11, day, tzinfo=UTC), (), "a", str(day))

    read: list[int] = []

    def stream():
        for day in (30, 29, 25, 24, 22, 21, 20, 19):
            read.append(day)
            yield at(day)

    since, until = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC)
    head, landed, base = walk_line(stream(), since, until)
    assert head == at(29) and [c.subject for c in landed] == ["29", "25", "24"]
    assert base == at(22) and read == [30, 29, 25, 24, 22]


def test_a_tip_committed_with_an_older_clock_is_the_head_and_the_walk_goes_on_to_the_base(
    tmp_path: Path,
) -> None:
    history = make_history(tmp_path / "repo")
    extra = commit_file(history.root, SINCE, "c.md", "c\n", "Also at since")
    window = resolve_window(local(history, until="2026-11-23T09:00:00Z"), config_for_local())
    assert window.head == extra and window.base == history.c1


def config_for_local():
    from bot.config import load_config

    return load_config({})
