"""A cached report of a GitHub change costs only the cheap resolving calls, never the compare."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.config import Config
from bot.errors import NotFoundError, UnknownRefError
from bot.request import ReportRequest
from bot.store.cache import cached_build, request_key
from tests.fakes.github import FakeGitHub
from tests.support import git

SHA_MEDIA = "application/vnd.github.sha"
DIFF_MEDIA = "application/vnd.github.diff"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def shas(make_repo, gh: FakeGitHub) -> dict[str, str]:
    root, first = make_repo([{"docs/a.md": "# A\n", "logo.png": b"\x89PNG\x00\x01"}])
    git(root, "checkout", "-q", "-b", "feature")
    (root / "docs/a.md").write_text("# A\n\n## New\n\nText.\n")
    (root / "logo.png").write_bytes(b"\x89PNG\x00\x02")  # binary: the diff media type too
    git(root, "commit", "-qam", "Change a page")
    gh.add_repo("octo", "docs", root)
    gh.add_pull("octo", "docs", 7, "main", "feature", title="Add a section")
    return {"main": first[0], "feature": git(root, "rev-parse", "HEAD")}


@pytest.fixture
def cfg(config: Config, gh: FakeGitHub) -> Config:
    return replace(config, github_api_url=gh.api_url)


def hit_requests(
    gh: FakeGitHub, cfg: Config, source: str, *, warm: bool = True
) -> list[tuple[str, str]]:
    """(path under /repos/octo/docs, Accept) of every request one cache hit makes."""
    first = cached_build(ReportRequest(source=source), cfg)
    assert first.cached != warm
    before = len(gh.requests)
    again = cached_build(ReportRequest(source=source), cfg)
    assert again.cached and again.key == first.key
    assert again.report.to_dict() == first.report.to_dict()
    prefix = "/api/v3/repos/octo/docs"
    return [(r.path.removeprefix(prefix), r.accept) for r in gh.requests[before:]]


def only(accepts: list[tuple[str, str]]) -> list[str]:
    return [path for path, _ in accepts]


def test_a_hit_on_branch_names_resolves_each_to_its_sha_alone(gh, cfg, shas) -> None:
    made = hit_requests(gh, cfg, "octo/docs main...feature")
    assert made == [("", made[0][1]), ("/commits/main", SHA_MEDIA), ("/commits/feature", SHA_MEDIA)]


def test_a_hit_on_full_shas_only_checks_the_repository(gh, cfg, shas) -> None:
    made = hit_requests(gh, cfg, f"octo/docs {shas['main']}...{shas['feature']}")
    assert only(made) == [""]


def test_a_hit_on_a_pull_request_reads_the_pull_request_alone(gh, cfg, shas) -> None:
    assert only(hit_requests(gh, cfg, f"{gh.web_url}/octo/docs/pull/7")) == ["", "/pulls/7"]


def test_a_hit_on_a_commit_reads_the_commit_object_without_files(gh, cfg, shas) -> None:
    made = hit_requests(gh, cfg, f"{gh.web_url}/octo/docs/commit/{shas['feature']}")
    assert only(made) == ["", f"/git/commits/{shas['feature']}"]
    # The short SHA resolves to the same commit, so it hits the same entry.
    short_link = f"{gh.web_url}/octo/docs/commit/{shas['feature'][:10]}"
    short = hit_requests(gh, cfg, short_link, warm=False)
    assert short == [
        ("", short[0][1]),
        (f"/commits/{shas['feature'][:10]}", SHA_MEDIA),
        (f"/git/commits/{shas['feature']}", short[2][1]),
    ]


def test_a_miss_still_reads_the_files_and_the_full_diff(gh, cfg, shas) -> None:
    cached_build(ReportRequest(source="octo/docs main...feature"), cfg)
    assert len(gh.requests_to("/compare/")) == 2  # the JSON, then the diff for the binary file
    assert [r for r in gh.requests if r.accept == DIFF_MEDIA]


def test_the_key_is_made_of_shas_so_a_moved_branch_is_a_new_key(gh, cfg, shas) -> None:
    by_name = request_key(ReportRequest(source="octo/docs main...feature"), cfg)
    by_sha = request_key(ReportRequest(source=f"octo/docs {shas['main']}...{shas['feature']}"), cfg)
    assert by_name == by_sha
    assert not gh.requests_to("/compare/")  # computing a key reads no files


def test_one_language_spelt_two_ways_is_one_cache_entry(gh, cfg, shas) -> None:
    source = "octo/docs main...feature"
    first = cached_build(ReportRequest(source=source, lang="en-us"), cfg)
    second = cached_build(ReportRequest(source=source, lang="EN_us"), cfg)
    assert second.cached and first.key == second.key == request_key(
        ReportRequest(source=source, lang="en_US"), cfg
    )


@pytest.mark.parametrize("side", ["base", "head"])
def test_a_full_sha_that_is_no_commit_is_still_an_unknown_ref_on_a_miss(
    gh, cfg, shas, side
) -> None:
    missing = "0123456789abcdef0123456789abcdef01234567"
    base, head = (missing, shas["feature"]) if side == "base" else (shas["main"], missing)
    with pytest.raises(UnknownRefError, match=f"no branch, tag or commit named '{missing}'"):
        cached_build(ReportRequest(source=f"octo/docs {base}...{head}"), cfg)
    assert not gh.requests_to("/compare/")


def test_unknown_branch_commit_and_pull_keep_their_messages(gh, cfg, shas) -> None:
    with pytest.raises(UnknownRefError, match="no branch, tag or commit named 'nope'"):
        cached_build(ReportRequest(source="octo/docs main...nope"), cfg)
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(UnknownRefError, match=f"named '{missing}'"):
        cached_build(ReportRequest(source=f"{gh.web_url}/octo/docs/commit/{missing}"), cfg)
    with pytest.raises(NotFoundError, match="has no pull request #99"):
        cached_build(ReportRequest(source=f"{gh.web_url}/octo/docs/pull/99"), cfg)
    with pytest.raises(NotFoundError, match="no repository octo/nothing"):
        cached_build(ReportRequest(source="octo/nothing main...feature"), cfg)
