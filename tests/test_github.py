"""The GitHub reader through the real PyGithub client against FakeGitHub (local git repos)."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot import messages
from bot.build import build_report
from bot.config import Config, load_config
from bot.diff import Change
from bot.errors import (
    NetworkError,
    NotAllowedError,
    NotFoundError,
    RateLimitedError,
    SourceReadError,
    UnknownRefError,
)
from bot.reading.github import read_github
from bot.render.markdown import render_markdown
from bot.request import ReportRequest
from bot.sources import parse_source
from tests.fakes.github import FakeGitHub
from tests.support import DATA, free_port, git

TOKEN = "test-token"
GUIDE = "# Guide\n\nIntro.\n\n## Setup\n\nRun it.\n"
BIG_FILES = 305


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=(TOKEN,)) as fake:
        yield fake


def cfg(gh: FakeGitHub, **changes: object) -> Config:
    return replace(load_config({}), github_api_url=gh.api_url, **changes)


def read(gh: FakeGitHub, text: str, config: Config | None = None, progress=None) -> Change:
    config = config or cfg(gh)
    source = parse_source(text, github_web_host=config.github_web_host)
    return read_github(source, config, progress=progress)


@pytest.fixture
def docs(make_repo, gh: FakeGitHub) -> tuple[Path, dict[str, str]]:
    """main: guide, old name, a binary and a file to delete; feature: one of each change."""
    root, shas = make_repo(
        [
            {
                "docs/guide.md": GUIDE,
                "docs/old-name.md": "# Moved\n\nSame text, new place.\n" * 3,
                "img/logo.png": b"\x89PNG\r\n\x1a\n\x00\x01\x02",
                "gone.txt": "bye\n",
            }
        ]
    )
    git(root, "checkout", "-q", "-b", "feature")
    (root / "docs/guide.md").write_text(GUIDE + "\n## Usage\n\nCall it.\n")
    (root / "docs/new.md").write_text("# New page\n")
    (root / "img/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x09\x09\x09")
    git(root, "mv", "docs/old-name.md", "docs/new-name.md")
    git(root, "rm", "-q", "gone.txt")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add usage and a new page")
    shas_by_name = {"main": shas[0], "feature": git(root, "rev-parse", "HEAD")}
    gh.add_repo("octo", "docs", root)
    return root, shas_by_name


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """305 changed files on branch ``big``: over GitHub's 300-file compare cap (built once)."""
    root = tmp_path_factory.mktemp("big") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# Big\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    git(root, "checkout", "-q", "-b", "big")
    for i in range(BIG_FILES):
        (root / "pages" / f"p{i:03d}.md").parent.mkdir(exist_ok=True)
        (root / "pages" / f"p{i:03d}.md").write_text(f"# Page {i}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "many pages")
    return root


def by_name(change: Change) -> dict[str, object]:
    return {f.filename: f for f in change.files}


# --- compare links --------------------------------------------------------------------------


def test_compare_link_reads_every_kind_of_file_change(gh, docs) -> None:
    _, shas = docs
    seen: list[tuple[str, int, int]] = []
    change = read(
        gh,
        f"{gh.web_url}/octo/docs/compare/main...feature",
        progress=lambda *a: seen.append(a),
    )
    assert (change.base.ref, change.base.sha) == ("main", shas["main"])
    assert (change.head.ref, change.head.sha) == ("feature", shas["feature"])
    assert change.repository == "octo/docs"
    assert change.permalink == f"{gh.web_url}/octo/docs/compare/main...feature"
    assert change.web_url == f"{gh.web_url}/octo/docs"
    assert change.date == "2025-06-12"
    assert change.notes == ()
    files = by_name(change)
    assert set(files) == {
        "docs/guide.md",
        "docs/new.md",
        "docs/new-name.md",
        "img/logo.png",
        "gone.txt",
    }
    guide = files["docs/guide.md"]
    assert (guide.status, guide.additions, guide.deletions) == ("modified", 4, 0)
    assert "+## Usage" in guide.patch and guide.patch.startswith("@@ ")
    renamed = files["docs/new-name.md"]
    assert (renamed.status, renamed.previous_filename) == ("renamed", "docs/old-name.md")
    assert files["gone.txt"].status == "removed"
    assert files["docs/new.md"].status == "added"
    logo = files["img/logo.png"]
    assert logo.binary and logo.patch is None and logo.missing_reason is None
    assert seen and all(stage == "reading" for stage, _, _ in seen)
    assert seen[-1][1] == seen[-1][2] == 5


def test_binary_file_is_completed_from_the_diff_media_type(gh, docs) -> None:
    read(gh, f"{gh.web_url}/octo/docs/compare/main...feature")
    diff_requests = [r for r in gh.requests if r.accept == "application/vnd.github.diff"]
    assert len(diff_requests) == 1
    assert "/compare/" in diff_requests[0].path


def test_refs_are_resolved_to_shas_and_the_compare_is_pinned_to_them(gh, docs) -> None:
    _, shas = docs
    read(gh, "octo/docs main...feature")
    compares = gh.requests_to("/compare/")
    assert compares[0].path.endswith(f"/compare/{shas['main']}...{shas['feature']}")
    commits = [(r.path.rsplit("/", 1)[-1], r.accept) for r in gh.requests_to("/commits/")]
    sha_media = "application/vnd.github.sha"
    # Resolving asks for the SHAs alone; reading fetches the head commit (for the date).
    assert commits[:2] == [("main", sha_media), ("feature", sha_media)]
    assert [name for name, accept in commits[2:]] == [shas["feature"]]


def test_cross_fork_spelling_of_the_example_is_kept(gh, docs) -> None:
    _, shas = docs
    base, head = f"octo:{shas['main'][:7]}", f"octo:{shas['feature'][:7]}"
    change = read(gh, f"{gh.web_url}/octo/docs/compare/{base}...{head}")
    assert change.permalink == f"{gh.web_url}/octo/docs/compare/{base}...{head}"
    assert (change.base.ref, change.base.sha) == (base, shas["main"])
    assert change.head.sha == shas["feature"]
    assert len(change.files) == 5
    assert gh.requests_to("/compare/")[0].path.endswith(
        f"/compare/octo%3A{shas['main']}...octo%3A{shas['feature']}"
    )


def test_compare_against_a_fork(gh, docs, tmp_path) -> None:
    root, shas = docs
    fork = tmp_path / "fork"
    git(tmp_path, "clone", "-q", str(root), str(fork))
    git(fork, "checkout", "-q", "-b", "topic", shas["main"])
    (fork / "docs/guide.md").write_text(GUIDE + "Fork text.\n")
    git(fork, "commit", "-q", "-am", "fork change")
    gh.add_repo("forker", "docs", fork)
    change = read(gh, f"{gh.web_url}/octo/docs/compare/main...forker:topic")
    assert change.head.sha == git(fork, "rev-parse", "HEAD")
    assert [f.filename for f in change.files] == ["docs/guide.md"]
    assert "+Fork text." in change.files[0].patch


def test_two_dots_on_diverged_branches_say_what_github_compared(gh, docs) -> None:
    root, shas = docs
    git(root, "checkout", "-q", "main")
    (root / "other.txt").write_text("main moved on\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main moves")
    change = read(gh, "octo/docs main..feature")
    assert len(change.notes) == 2  # what was compared, and what main has that feature lacks
    assert shas["main"][:12] in change.notes[0] and "merge base" in change.notes[0]
    assert "other.txt" in change.notes[1]
    assert "other.txt" not in by_name(change)
    straight = read(gh, f"octo/docs {shas['main']}..feature")
    assert straight.notes == ()


def test_identical_base_and_head_is_an_empty_report_said_plainly(gh, docs) -> None:
    _, shas = docs
    change = read(gh, f"octo/docs feature...{shas['feature']}")
    assert change.files == ()
    assert len(change.notes) == 1 and "identical" in change.notes[0]
    assert "same commit" in change.notes[0]
    assert gh.requests_to("/compare/") == []


# --- pull requests and commits ------------------------------------------------------------


def test_pull_request_link_reports_the_pr_changes_with_its_title(gh, docs) -> None:
    _, shas = docs
    gh.add_pull("octo", "docs", 7, "main", "feature", title="Add usage docs")
    change = read(gh, f"{gh.web_url}/octo/docs/pull/7/files")
    assert change.title == "Add usage docs"
    assert (change.base.ref, change.base.sha) == ("main", shas["main"])
    assert (change.head.ref, change.head.sha) == ("feature", shas["feature"])
    assert change.permalink == f"{gh.web_url}/octo/docs/pull/7"
    assert len(change.files) == 5 and by_name(change)["img/logo.png"].binary
    assert gh.requests_to("/pulls/7/files")


def test_pull_request_files_are_paginated(gh, big_repo) -> None:
    gh.add_repo("octo", "big", big_repo)
    gh.add_pull("octo", "big", 1, "main", "big", title="Many pages")
    change = read(gh, f"{gh.web_url}/octo/big/pull/1")
    assert len(change.files) == BIG_FILES
    pages = gh.requests_to("/pulls/1/files")
    assert len(pages) == 4
    assert all(r.query.get("per_page") == ["100"] for r in pages[1:])
    assert change.notes == ()


def test_unknown_pull_request(gh, docs) -> None:
    with pytest.raises(NotFoundError) as info:
        read(gh, f"{gh.web_url}/octo/docs/pull/99")
    assert str(info.value) == messages.GITHUB_PULL_NOT_FOUND.format(
        repository="octo/docs", number=99
    )


def test_commit_link_is_the_commit_against_its_first_parent(gh, docs) -> None:
    _, shas = docs
    change = read(gh, f"{gh.web_url}/octo/docs/commit/{shas['feature']}")
    assert change.base.sha == shas["main"]
    assert change.head.sha == shas["feature"]
    assert change.title == "Add usage and a new page"
    assert change.permalink == f"{gh.web_url}/octo/docs/commit/{shas['feature']}"
    assert len(change.files) == 5


def test_root_and_merge_commits_say_what_they_are_compared_with(gh, docs) -> None:
    root, shas = docs
    first = read(gh, f"{gh.web_url}/octo/docs/commit/{shas['main']}")
    assert {f.status for f in first.files} == {"added"}
    assert "first commit" in first.notes[0]
    git(root, "checkout", "-q", "main")
    (root / "other.txt").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "other")
    git(root, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = git(root, "rev-parse", "HEAD")
    change = read(gh, f"{gh.web_url}/octo/docs/commit/{merge}")
    assert change.base.sha == git(root, "rev-parse", "HEAD^1")
    assert "merge commit" in change.notes[0]
    assert len(change.files) == 5


# --- GitHub's caps -----------------------------------------------------------------------


def test_over_300_files_fall_back_to_the_full_diff(gh, big_repo) -> None:
    gh.add_repo("octo", "big", big_repo)
    gh.diff_max_files = 3000  # a GitHub that sends diffs this large
    change = read(gh, "octo/big main...big")
    assert len(change.files) == BIG_FILES
    assert change.files[-1].filename == "pages/p304.md" and change.files[-1].patch
    assert change.notes == ()


def test_over_300_files_with_the_diff_refused_says_what_is_missing(gh, big_repo) -> None:
    gh.add_repo("octo", "big", big_repo)
    change = read(gh, "octo/big main...big")
    assert len(change.files) == 300
    assert len(change.notes) == 1
    note = change.notes[0]
    assert "at most 300 files" in note and "HTTP 406: too_large" in note
    assert "maximum number of files (300)" in note and "--git PATH" in note


def test_large_file_without_patch_is_completed_from_the_diff(gh, docs) -> None:
    gh.patch_max_lines = 3
    change = read(gh, "octo/docs main...feature")
    guide = by_name(change)["docs/guide.md"]
    assert "+## Usage" in guide.patch and not guide.truncated
    assert change.notes == ()


def test_large_file_with_the_diff_refused_is_named_in_the_notes(gh, docs) -> None:
    gh.patch_max_lines = 3
    gh.diff_max_lines = 5
    change = read(gh, "octo/docs main...feature")
    guide = by_name(change)["docs/guide.md"]
    assert guide.patch is None and guide.truncated
    assert "refused the full diff" in guide.missing_reason
    assert "maximum number of lines (5)" in guide.missing_reason
    assert len(change.notes) == 1 and "docs/guide.md" in change.notes[0]
    assert "1 file(s)" in change.notes[0]
    assert len(change.files) == 5


def test_a_full_diff_github_cannot_build_still_gives_the_report(gh, docs) -> None:
    """A huge diff times out at GitHub (5xx): the listed files are reported and the missing
    diff named, rather than the whole report failing again on every retry."""
    gh.patch_max_lines = 3
    gh.fail(r"/compare/", 504, "We couldn't respond in time", accept="vnd.github.diff")
    change = read(gh, "octo/docs main...feature")
    assert len(change.files) == 5
    guide = by_name(change)["docs/guide.md"]
    assert guide.patch is None and "HTTP 504" in guide.missing_reason
    assert len(change.notes) == 1 and "docs/guide.md" in change.notes[0]
    diff_calls = [r for r in gh.requests if r.accept == "application/vnd.github.diff"]
    assert len(diff_calls) == 3  # urllib3's two retries first


# --- errors a person can act on -----------------------------------------------------------


def test_unknown_repository(gh) -> None:
    with pytest.raises(NotFoundError) as info:
        read(gh, "octo/nothing main...dev")
    message = str(info.value)
    assert "octo/nothing" in message and "set GITHUB_TOKEN" in message


def test_unknown_ref_names_the_ref(gh, docs) -> None:
    with pytest.raises(UnknownRefError) as info:
        read(gh, "octo/docs main...no-such-branch")
    assert str(info.value) == messages.GITHUB_UNKNOWN_REF.format(
        repository="octo/docs", ref="no-such-branch"
    )


def test_unknown_fork_is_not_found(gh, docs) -> None:
    with pytest.raises(NotFoundError, match="nobody/docs"):
        read(gh, "octo/docs main...nobody:topic")


@pytest.mark.parametrize("status", [403, 429])
def test_rate_limit_gives_the_reset_time(gh, docs, status: int) -> None:
    gh.rate_limit_remaining = 0
    gh.rate_limit_status = status
    gh.rate_limit_reset = 1_900_000_000
    with pytest.raises(RateLimitedError) as info:
        read(gh, "octo/docs main...feature")
    assert info.value.reset == 1_900_000_000 and info.value.transient
    assert "2030-03-17 17:46:40 UTC" in str(info.value)
    assert "Set GITHUB_TOKEN" in str(info.value)
    assert len(gh.requests) == 1  # not retried: the queue decides when to try again


def test_secondary_rate_limit_waits_retry_after(gh, docs) -> None:
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    gh.fail(r"/compare/", 403, message, headers={"retry-after": "120"})
    before = int(time.time())
    with pytest.raises(RateLimitedError) as info:
        read(gh, "octo/docs main...feature", cfg(gh, github_token=TOKEN))
    assert before + 120 <= (info.value.reset or 0) <= int(time.time()) + 120
    assert "Set GITHUB_TOKEN" not in str(info.value)


def test_rate_limit_in_the_middle_of_a_read(gh, docs) -> None:
    gh.rate_limit_remaining = 2
    with pytest.raises(RateLimitedError):
        read(gh, "octo/docs main...feature", cfg(gh, github_token=TOKEN))


def test_network_failure(gh) -> None:
    config = replace(load_config({}), github_api_url=f"http://127.0.0.1:{free_port()}/api/v3")
    with pytest.raises(NetworkError) as info:
        read_github(parse_source("octo/docs main...dev"), config)
    assert "connection refused" in str(info.value) and info.value.transient


def test_server_errors_are_retried_then_reported(gh, docs) -> None:
    gh.fail(r"/repos/octo/docs$", 502, "Server Error")
    with pytest.raises(NetworkError, match="GitHub answered 502"):
        read(gh, "octo/docs main...feature")
    assert len(gh.requests_to("/repos/octo/docs")) == 3


def test_a_passing_server_error_is_retried(gh, docs) -> None:
    gh.fail(r"/repos/octo/docs$", 503, "Unavailable", times=1)
    assert len(read(gh, "octo/docs main...feature").files) == 5


def test_bad_token(gh, docs) -> None:
    with pytest.raises(SourceReadError) as info:
        read(gh, "octo/docs main...feature", cfg(gh, github_token="wrong"))
    assert str(info.value) == messages.GITHUB_BAD_TOKEN


# --- private repositories and the token -----------------------------------------------------


@pytest.fixture
def private(make_repo, gh) -> Path:
    root, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nMore.\n"}], name="secret")
    gh.add_repo("acme", "secret", root, private=True)
    return root


def test_private_repository_is_invisible_without_a_token(gh, private) -> None:
    with pytest.raises(NotFoundError, match="acme/secret"):
        read(gh, "acme/secret main~1...main")


def test_private_repository_needs_allowed_repos(gh, private) -> None:
    with pytest.raises(NotAllowedError) as info:
        read(gh, "acme/secret main~1...main", cfg(gh, github_token=TOKEN))
    assert str(info.value) == messages.GITHUB_NOT_VISIBLE.format(repository="acme/secret")
    assert gh.requests_to("/commits/") == []


@pytest.mark.parametrize("pattern", ["acme/secret", "ACME/*"])
def test_private_repository_allowed(gh, private, pattern: str) -> None:
    config = cfg(gh, github_token=TOKEN, allowed_repos=(pattern.lower(),))
    change = read(gh, "acme/secret main~1...main", config)
    assert [f.filename for f in change.files] == ["a.md"]


def test_token_is_sent_only_when_set_and_never_logged(gh, docs, caplog) -> None:
    read(gh, "octo/docs main...feature")
    assert all(r.authorization is None for r in gh.requests)
    gh.requests.clear()
    with caplog.at_level(logging.DEBUG):
        read(gh, "octo/docs main...feature", cfg(gh, github_token=TOKEN))
    assert gh.requests and all(r.authorization == f"token {TOKEN}" for r in gh.requests)
    assert TOKEN not in caplog.text


# --- end to end ------------------------------------------------------------------------------


def test_build_report_end_to_end(gh, docs) -> None:
    config = cfg(gh)
    request = ReportRequest(source=f"<{gh.web_url}/octo/docs/compare/main...feature|compare>")
    report = build_report(request, config)
    assert report.repository == "octo/docs"
    assert report.totals.files == 5
    assert report.permalink == f"{gh.web_url}/octo/docs/compare/main...feature"
    markdown = render_markdown(report)
    assert markdown.startswith("---\ndate: '2025-06-12'\n")
    assert f"[View Diff on GitHub]({gh.web_url}/octo/docs/compare/main...feature)" in markdown
    assert "## docs/guide.md{#item-" in markdown
    assert "Usage" in markdown


def test_pull_request_over_the_listed_cap_counts_what_is_missing(gh, big_repo) -> None:
    gh.add_repo("octo", "big", big_repo)
    gh.add_pull("octo", "big", 2, "main", "big")
    gh.pull_files_max = 200  # stands in for GitHub's 3000-file cap
    change = read(gh, f"{gh.web_url}/octo/big/pull/2")
    assert len(change.files) == 200
    assert len(change.notes) == 1
    assert "changes 305 files, so 105 of them are missing" in change.notes[0]
    gh.diff_max_files = 1000
    assert len(read(gh, f"{gh.web_url}/octo/big/pull/2").files) == BIG_FILES


def test_unrelated_histories_give_githubs_reason(gh, docs) -> None:
    root, _ = docs
    git(root, "checkout", "-q", "--orphan", "orphan")
    git(root, "commit", "-q", "-m", "unrelated")
    with pytest.raises(NotFoundError, match="No common ancestor between"):
        read(gh, "octo/docs main...orphan")


# --- the fake itself keeps GitHub's shapes ----------------------------------------------------


def _get(url: str, accept: str = "application/vnd.github+json") -> tuple[int, dict, object]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request) as response:
            body = response.read().decode()
            status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        body, status, headers = error.read().decode(), error.code, dict(error.headers)
    is_json = headers.get("Content-Type", "").startswith("application/json")
    return status, headers, json.loads(body) if is_json else body


def _keys(value: dict) -> set[str]:
    return set(value)


def test_fake_compare_and_pull_have_the_recorded_fields(gh, docs) -> None:
    recorded = json.loads((DATA / "github-api/compare.PyGithub.v0.6...v0.7.json").read_text())
    status, headers, body = _get(f"{gh.api_url}/repos/octo/docs/compare/main...feature")
    assert status == 200 and headers["x-ratelimit-remaining"] == "59"
    assert _keys(recorded) <= _keys(body)
    assert _keys(recorded["commits"][0]) - {"author", "committer"} <= _keys(body["commits"][0])
    assert _keys(recorded["commits"][0]["commit"]) <= _keys(body["commits"][0]["commit"])
    modified = next(f for f in body["files"] if f["status"] == "modified" and "patch" in f)
    assert _keys(recorded["files"][0]) <= _keys(modified)
    renamed = next(f for f in body["files"] if f["status"] == "renamed")
    assert renamed["previous_filename"] == "docs/old-name.md"
    binary = next(f for f in body["files"] if f["filename"] == "img/logo.png")
    assert "patch" not in binary
    assert (body["status"], body["ahead_by"], body["behind_by"]) == ("ahead", 1, 0)

    recorded_pull = json.loads((DATA / "github-api/pull.PyGithub.1171.open.json").read_text())
    gh.add_pull("octo", "docs", 3, "main", "feature")
    _, _, pull = _get(f"{gh.api_url}/repos/octo/docs/pulls/3")
    wanted = {"url", "html_url", "number", "state", "title", "head", "base", "merged"}
    wanted |= {"commits", "additions", "deletions", "changed_files", "diff_url"}
    assert wanted <= _keys(recorded_pull) and wanted <= _keys(pull)
    assert _keys(recorded_pull["head"]) <= _keys(pull["head"])


def test_fake_compare_commits_paginate_and_files_come_on_the_first_page(gh, docs) -> None:
    root, _ = docs
    for i in range(2):
        (root / f"more{i}.txt").write_text(f"{i}\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"more {i}")
    url = f"{gh.api_url}/repos/octo/docs/compare/main...feature"
    _, _, whole = _get(url)
    assert whole["total_commits"] == 3 and len(whole["commits"]) == 3
    assert whole["commits"][-1]["commit"]["message"] == "more 1"
    _, headers, second = _get(f"{url}?per_page=2&page=2")
    assert [c["commit"]["message"] for c in second["commits"]] == ["more 1"]
    assert "files" not in second and 'rel="prev"' in headers["Link"]
    _, headers, first = _get(f"{url}?per_page=2&page=1")
    assert len(first["commits"]) == 2 and len(first["files"]) == 7
    assert 'rel="next"' in headers["Link"]


def test_fake_refuses_unknown_refs_and_large_diffs_like_github(gh, docs, big_repo) -> None:
    status, _, body = _get(f"{gh.api_url}/repos/octo/docs/commits/nope")
    assert (status, body["message"]) == (422, "No commit found for SHA: nope")
    status, _, body = _get(f"{gh.api_url}/repos/octo/missing")
    assert (status, body["message"]) == (404, "Not Found") and "documentation_url" in body
    gh.add_repo("octo", "big", big_repo)
    status, _, body = _get(
        f"{gh.api_url}/repos/octo/big/compare/main...big", "application/vnd.github.diff"
    )
    assert status == 406 and body["errors"][0]["code"] == "too_large"
    status, _, diff = _get(
        f"{gh.api_url}/repos/octo/docs/compare/main...feature", "application/vnd.github.diff"
    )
    assert status == 200 and diff.startswith("diff --git ")
    gh.rate_limit_remaining = 0
    status, headers, body = _get(f"{gh.api_url}/repos/octo/docs")
    assert status == 403 and headers["x-ratelimit-remaining"] == "0"
    assert body["message"].startswith("API rate limit exceeded")


def test_not_allowed_and_missing_read_alike_to_the_asker(gh, private) -> None:
    """Issue 11 #18: the two answers told any member which private repositories exist."""
    config = cfg(gh, github_token=TOKEN)
    with pytest.raises(NotAllowedError) as hidden:
        read(gh, "acme/secret main~1...main", config)
    with pytest.raises(NotFoundError) as missing:
        read(gh, "acme/nothing-here main~1...main", config)
    assert str(hidden.value) == str(missing.value).replace("nothing-here", "secret")


def test_a_rewound_branch_reports_what_it_lost(gh, make_repo) -> None:
    """Issue 11 #8: a force-push that rewinds (after is an ancestor of before) was "0 files"
    (GitHub compares from the merge base, which is after itself)."""
    root, shas = make_repo(
        [
            {"docs/keep.md": "# Keep\n"},
            {"docs/keep.md": "# Keep\n\nMore.\n", "docs/new.md": "# New\n"},
        ],
        name="rewound",
    )
    gh.add_repo("octo", "rewound", root)
    before, after = shas[1], shas[0]
    change = read(gh, f"{gh.web_url}/octo/rewound/compare/{before}..{after}")
    files = {f.filename: f for f in change.files}
    assert set(files) == {"docs/keep.md", "docs/new.md"}
    assert files["docs/new.md"].status == "removed"  # the branch lost it
    assert (files["docs/keep.md"].additions, files["docs/keep.md"].deletions) == (0, 2)
    assert "-More." in (files["docs/keep.md"].patch or "")
    assert messages.NOTE_REWOUND.format(base=before, head=after, count=1) in change.notes


def test_a_rewritten_branch_says_what_its_old_history_had(gh, make_repo) -> None:
    """Issue 11 #8, the rewrite case: before and after share only an older ancestor."""
    root, shas = make_repo([{"a.md": "# A\n"}, {"old.md": "# Old\n"}], name="rewritten")
    git(root, "checkout", "-q", "-b", "redo", shas[0])
    (root / "new.md").write_text("# New\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "redo")
    after = git(root, "rev-parse", "HEAD")
    gh.add_repo("octo", "rewritten", root)
    change = read(gh, f"{gh.web_url}/octo/rewritten/compare/{shas[1]}..{after}")
    assert [f.filename for f in change.files] == ["new.md"]
    note = messages.NOTE_REWRITTEN.format(base=shas[1], head=after, count=1, files="old.md")
    assert note in change.notes
