"""The digest's GitHub path through FakeGitHub: the commit listing walked, pulls merged, pages."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github import Github

from bot.build import build_digest, resolve_window
from bot.config import Config
from bot.errors import NotAllowedError, NotFoundError, SourceReadError
from bot.reading import window_github
from bot.request import DigestRequest
from bot.store.cache import cached_build
from tests.digest_history import SINCE, UNTIL, History, make_history
from tests.fakes.github import FakeGitHub


@pytest.fixture
def history(tmp_path: Path) -> History:
    return make_history(tmp_path / "repo")


@pytest.fixture
def gh(history: History) -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=("tok",)) as fake:
        fake.add_repo("octo", "docs", history.root)
        fake.add_pull("octo", "docs", 5, "main", "feature", title="Add page B")
        fake.merge_pull(
            "octo", "docs", 5, history.m1, base_sha=history.c2, merged_at="2026-11-26T10:00:00Z"
        )
        # Merged before the window, closed unmerged, and merged into another branch: not listed.
        fake.add_pull("octo", "docs", 4, "main", history.c1, title="Old")
        fake.merge_pull("octo", "docs", 4, history.c1, base_sha=history.c0,
                        merged_at="2026-11-23T08:59:59Z")  # fmt: skip
        fake.add_pull("octo", "docs", 6, "main", history.f1, title="Abandoned")
        fake.pulls[(1, 6)].state = "closed"
        fake.pulls[(1, 6)].updated_at = "2026-11-27T00:00:00Z"
        fake.add_pull("octo", "docs", 7, "release", history.f2, title="Backport")
        fake.merge_pull("octo", "docs", 7, history.f2, base_sha=history.c2,
                        merged_at="2026-11-27T00:00:00Z")  # fmt: skip
        yield fake


@pytest.fixture
def ghcfg(config: Config, gh: FakeGitHub) -> Config:
    return replace(config, github_api_url=gh.api_url, summarizer="heuristic")


def request(source: str = "octo/docs", **kw) -> DigestRequest:
    return DigestRequest(source=source, since=SINCE, until=UNTIL, **kw)


def test_the_github_window_matches_the_local_one(history: History, gh: FakeGitHub, ghcfg) -> None:
    window = resolve_window(request(), ghcfg)
    local = resolve_window(
        DigestRequest(source="main", since=SINCE, until=UNTIL, git_path=str(history.root)), ghcfg
    )
    assert (window.base, window.head) == (local.base, local.head) == (history.c1, history.c3)
    assert [c.sha for c in window.landed] == [c.sha for c in local.landed]


def test_pulls_merged_in_the_window_are_listed_with_the_direct_pushes(
    history: History, gh: FakeGitHub, ghcfg
) -> None:
    window = resolve_window(request(), ghcfg)
    listed = [(m.number, m.title, m.sha) for m in window.merged]
    assert listed == [
        (None, "At since", history.c2),
        (5, "Add page B", history.m1),
        (None, "At until", history.c3),
    ]
    pr = window.merged[1]
    assert pr.url == f"{gh.web_url}/octo/docs/pull/5" and pr.author == "octo"
    assert pr.date == "2026-11-26T10:00:00Z"
    assert window.merged[0].url == f"{gh.web_url}/octo/docs/commit/{history.c2}"
    [pulls] = [r for r in gh.requests_to("/pulls") if r.path.endswith("/pulls")]
    assert pulls.query["state"] == ["closed"] and pulls.query["base"] == ["main"]
    assert pulls.query["sort"] == ["updated"] and pulls.query["direction"] == ["desc"]


def test_the_calls_a_window_costs(history: History, gh: FakeGitHub, ghcfg) -> None:
    """Repository, the tip's SHA, one listing page, the base alone, one pulls page."""
    resolve_window(request(), ghcfg)
    paths = [r.path.removeprefix("/api/v3/repos/octo/docs") for r in gh.requests]
    assert paths == ["", "/commits/main", "/commits", f"/git/commits/{history.c1}", "/pulls"]
    listing = gh.requests_to("/commits")[1]
    assert listing.query["sha"] == [history.c4] and listing.query["since"] == [SINCE]


def test_a_named_branch_and_the_default_branch(history: History, gh: FakeGitHub, ghcfg) -> None:
    window = resolve_window(request("octo/docs@feature"), ghcfg)
    assert window.branch == "feature" and window.head == history.f2
    assert [m.title for m in window.merged] == ["At since", "Feature one", "Feature two"]


def test_the_digest_report_through_the_cache(history: History, gh: FakeGitHub, ghcfg) -> None:
    def through_cache(r):
        return cached_build(r, ghcfg).report

    first = build_digest(request(), ghcfg, build=through_cache)
    assert first.report is not None
    assert first.report.title == "[en_US] Diff Insight Digest - docs (2026-11-23 to 2026-11-30)"
    assert first.report.permalink.endswith(f"/compare/{history.c1}...{history.c3}")
    compares = len(gh.requests_to("/compare/"))
    again = build_digest(request(), ghcfg, build=through_cache)
    assert again.report == first.report
    assert len(gh.requests_to("/compare/")) == compares  # the same window's SHAs: a cache hit


def test_an_empty_window_reads_no_pulls_and_builds_nothing(gh: FakeGitHub, ghcfg) -> None:
    outcome = build_digest(
        DigestRequest("octo/docs", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"), ghcfg
    )
    assert outcome.report is None and outcome.empty is not None
    assert "No change on main of octo/docs" in outcome.empty
    assert not [r for r in gh.requests if r.path.endswith("/pulls")]
    assert not gh.requests_to("/compare/")


def test_private_repositories_follow_the_allowance_rules(
    history: History, gh: FakeGitHub, ghcfg
) -> None:
    gh.add_repo("octo", "secret", history.root, private=True)
    with pytest.raises(NotFoundError):
        resolve_window(request("octo/secret"), ghcfg)
    with pytest.raises(NotAllowedError, match="DIFFINSIGHT_ALLOWED_REPOS"):
        resolve_window(request("octo/secret"), replace(ghcfg, github_token="tok"))
    allowed = replace(ghcfg, github_token="tok", allowed_repos=("octo/*",))
    assert resolve_window(request("octo/secret"), allowed).head == history.c3


def test_an_unknown_branch_is_a_read_error(gh: FakeGitHub, ghcfg) -> None:
    with pytest.raises(SourceReadError, match="nope"):
        resolve_window(request("octo/docs@nope"), ghcfg)


@pytest.fixture(scope="module")
def busy_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]], str]:
    """250 squash-merged pull requests in the window (built once: 750 git calls)."""
    root = tmp_path_factory.mktemp("busy") / "repo"
    history = make_history(root)
    start = datetime(2026, 11, 24, tzinfo=UTC)
    stamps = [start + timedelta(minutes=15 * i) for i in range(250)]
    stream = []  # one git fast-import run instead of 750 git calls
    for i, when in enumerate(stamps):
        text = f"# {i}\n".encode()
        stream += [
            b"commit refs/heads/main",
            f"mark :{i + 1}".encode(),
            f"committer Ada <ada@example.com> {int(when.timestamp())} +0000".encode(),
            f"data {len(f'Page {i}')}".encode(),
            f"Page {i}".encode(),
            *([f"from {history.c4}".encode()] if i == 0 else []),
            f"M 100644 inline pages/p{i}.md".encode(),
            f"data {len(text)}".encode(),
            text.rstrip(b"\n"),
            b"",
        ]
    subprocess.run(
        ["git", "-C", str(root), "fast-import", "--quiet", "--force"],
        input=b"\n".join(stream) + b"\n",
        check=True,
    )
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", "main"], check=True)
    log = subprocess.run(
        ["git", "-C", str(root), "rev-list", "--reverse", "--first-parent", f"{history.c4}..main"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()
    merges = [
        (sha, when.strftime("%Y-%m-%dT%H:%M:%SZ")) for sha, when in zip(log, stamps, strict=True)
    ]
    return root, merges, history.c1


@pytest.fixture
def busy(busy_repo) -> Iterator[tuple[FakeGitHub, list[str]]]:
    """The busy repository served with its pulls: the listing and the pulls span pages."""
    root, merges, base = busy_repo
    with FakeGitHub() as fake:
        fake.add_repo("octo", "busy", root)
        for i, (sha, when) in enumerate(merges):
            fake.add_pull("octo", "busy", 100 + i, "main", sha, title=f"Page {i}")
            fake.merge_pull("octo", "busy", 100 + i, sha, base_sha=base, merged_at=when)
        yield fake, [base, *(sha for sha, _ in merges)]


def test_pagination_of_the_listing_and_the_pulls(busy, config: Config) -> None:
    fake, shas = busy
    cfg = replace(config, github_api_url=fake.api_url)
    window = resolve_window(DigestRequest("octo/busy", SINCE, "2026-12-31T00:00:00Z"), cfg)
    assert window.base == shas[0] and window.head == shas[-1]
    numbers = [m.number for m in window.merged if m.number is not None]
    assert numbers == list(range(100, 350))  # every page read, oldest first, none twice
    listing_pages = [
        r.query.get("page", ["1"]) for r in fake.requests if r.path.endswith("/commits")
    ]
    pulls_pages = [r.query.get("page", ["1"]) for r in fake.requests if r.path.endswith("/pulls")]
    assert listing_pages == [["1"], ["2"], ["3"]]  # 250 + 6 commits since SINCE, 100 a page
    assert pulls_pages == [["1"], ["2"], ["3"]]


def test_the_pulls_stop_at_the_first_one_updated_before_since(busy, config: Config) -> None:
    fake, _ = busy
    cfg = replace(config, github_api_url=fake.api_url)
    window = resolve_window(
        DigestRequest("octo/busy", "2026-11-26T00:00:00Z", "2026-12-31T00:00:00Z"), cfg
    )
    numbers = [m.number for m in window.merged if m.number is not None]
    assert numbers == list(range(292, 350))  # merged from 2026-11-26T00:00Z on
    pulls_pages = [r for r in fake.requests if r.path.endswith("/pulls")]
    assert len(pulls_pages) == 1  # page 1 holds 349..250; #291 was updated before since


def test_a_window_longer_than_the_cap_is_refused_not_cut(busy, config: Config, monkeypatch) -> None:
    fake, _ = busy
    monkeypatch.setattr(window_github, "MAX_LINE_COMMITS", 120)
    cfg = replace(config, github_api_url=fake.api_url)
    with pytest.raises(SourceReadError, match="more than 120 commits"):
        resolve_window(DigestRequest("octo/busy", SINCE, "2026-12-31T00:00:00Z"), cfg)


def test_fake_commit_listing_honours_since_until_and_sha(history: History, gh: FakeGitHub) -> None:
    """FakeGitHub's listing as PyGithub reads it: git log order, committer-date limits."""
    client = Github(base_url=gh.api_url, per_page=2)
    repo = client.get_repo("octo/docs")
    since = datetime(2026, 11, 23, 9, tzinfo=UTC)
    until = datetime(2026, 11, 30, 9, tzinfo=UTC)
    listed = [c.sha for c in repo.get_commits(sha="main", since=since, until=until)]
    assert listed[0] == history.c3 and history.c1 not in listed and history.c4 not in listed
    assert {history.f1, history.f2, history.m1, history.c2} <= set(listed)  # all reachable
    assert [c.sha for c in repo.get_commits(sha="feature")][0] == history.f2
    pages = [r.query.get("page", ["1"])[0] for r in gh.requests if r.path.endswith("/commits")]
    assert pages[:3] == ["1", "2", "3"]  # 6 commits, 2 a page
    client.close()


def test_a_pull_listing_cut_at_its_cap_is_told_not_silent(
    busy, config: Config, monkeypatch
) -> None:
    fake, _ = busy
    monkeypatch.setattr(window_github, "MAX_PULL_PAGES", 1)
    cfg = replace(config, github_api_url=fake.api_url)
    window = resolve_window(DigestRequest("octo/busy", SINCE, "2026-12-31T00:00:00Z"), cfg)
    assert any("More than 100 pull requests" in n for n in window.notes)
    numbered = [m for m in window.merged if m.number is not None]
    assert len(numbered) == 100 and len(window.merged) == len(window.landed)  # none lost
