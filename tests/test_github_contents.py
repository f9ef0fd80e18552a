"""Whole files from GitHub: contents at both SHAs, cached in Redis, failures noted.

Real release code (itsdangerous 2.0.0 -> 2.1.0, see SOURCES.md) served by FakeGitHub through
the real PyGithub client; the report must say what the changelog says was removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config
from bot.reading.github import read_github
from bot.sources import parse_source
from bot.summarize.heuristic.summarizer import HeuristicSummarizer
from tests.fakes.github import FakeGitHub
from tests.support import git
from tests.test_api_releases import RELEASES, release_repo

TOKEN = "test-token"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=(TOKEN,)) as fake:
        yield fake


@pytest.fixture
def pair(gh: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    old, new = RELEASES / "itsdangerous-2.0.0", RELEASES / "itsdangerous-2.1.0"
    root = release_repo(tmp_path, old, new, "Remove deprecated code (#273)")
    gh.add_repo("pallets", "itsdangerous", root)
    return {"a": git(root, "rev-parse", "a"), "b": git(root, "rev-parse", "b")}


def gh_config(config: Config, gh: FakeGitHub) -> Config:
    return replace(config, github_api_url=gh.api_url, github_token=TOKEN)


def read(config: Config, text: str):
    return read_github(parse_source(text, github_web_host=config.github_web_host), config)


def test_both_sides_are_read_whole_once_then_served_from_redis(config, gh, pair) -> None:
    """Analysis from hunks missed every removed re-export; whole files find them."""
    cfg = gh_config(config, gh)
    change = read(cfg, f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert "src/itsdangerous/jws.py" in change.old_texts  # removed in 2.1: old side only
    assert "src/itsdangerous/__init__.py" in change.new_texts
    refs = {r.query["ref"][0] for r in gh.requests_to("/contents/")}
    assert refs == {pair["a"], pair["b"]}
    # The JSON object: bytes up to 1 MB, only the size above (never a 100 MB download).
    assert all("application/vnd.github+json" in r.accept for r in gh.requests_to("/contents/"))
    asked = len(gh.requests_to("/contents/"))
    breaking = HeuristicSummarizer().summarize(change, "en").overall.highlights.breaking_changes
    assert any("`itsdangerous.JSONWebSignatureSerializer`" in b for b in breaking)
    again = read(cfg, f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert len(gh.requests_to("/contents/")) == asked  # texts at a SHA never change
    assert again.new_texts == change.new_texts and again.old_texts == change.old_texts


def test_a_rate_limited_contents_read_is_noted_and_the_report_still_comes(config, gh, pair):
    gh.fail(r"/contents/", 403, "API rate limit exceeded", headers={"x-ratelimit-remaining": "0"})
    change = read(gh_config(config, gh), f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert change.old_texts == {} and change.new_texts == {}
    note = next(n for n in change.notes if "analysed from their diff hunks only" in n)
    assert "rate limit" in note and "src/itsdangerous/__init__.py" in note
    result = HeuristicSummarizer().summarize(change, "en")
    assert len(result.files) == len(change.files)  # nothing lost


def test_pull_request_title_and_body_speak_for_the_range(config, gh, pair) -> None:
    """A PR's 'BREAKING CHANGE:' footer is a breaking highlight, attributed to the PR."""
    gh.add_pull(
        "pallets", "itsdangerous", 7, "a", "b",
        title="feat!: drop JWS", body="Long story.\n\nBREAKING CHANGE: JWS serializers are gone",
    )  # fmt: skip
    change = read(gh_config(config, gh), f"{gh.web_url}/pallets/itsdangerous/pull/7")
    assert change.commits[0].pull == 7
    assert any("Remove deprecated code (#273)" in c.message for c in change.commits[1:])
    breaking = HeuristicSummarizer().summarize(change, "en").overall.highlights.breaking_changes
    assert any(b == "Pull request #7: “JWS serializers are gone”" for b in breaking)


def test_a_failing_contents_endpoint_costs_only_whole_texts(config, gh, pair) -> None:
    """GitHub answering 502 for every file: the report is still built, from the hunks."""
    gh.fail(r"/contents/src/itsdangerous/", 502, "Server Error")
    change = read(gh_config(config, gh), f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert "src/itsdangerous/__init__.py" not in change.new_texts
    assert "setup.cfg" in change.new_texts  # the others still came
    note = next(n for n in change.notes if "analysed from their diff hunks only" in n)
    assert "GitHub would not send it" in note
    breaking = HeuristicSummarizer().summarize(change, "en").overall.highlights.breaking_changes
    assert any("Drops Python 3.6" in b for b in breaking)


def test_hostile_paths_never_leave_the_scratch_folder(tmp_path) -> None:
    from bot.summarize.heuristic.api_public import Package
    from bot.summarize.heuristic.api_python import compare

    evil = {"src/pkg/__init__.py": "x = 1\n", "src/pkg/../../../../tmp/evil.py": "y = 2\n"}
    package = Package("src/pkg", "pkg")
    assert compare([package], evil, {"src/pkg/__init__.py": "x = 1\nz = 3\n"}) is not None
    assert not Path("/tmp/evil.py").exists()


def test_anonymous_and_near_the_rate_limit_no_contents_are_spent(config, gh, pair) -> None:
    """Whole files must not eat the hourly allowance the next reports need."""
    anonymous = replace(gh_config(config, gh), github_token=None)
    change = read(anonymous, f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert gh.requests_to("/contents/") == [] and change.new_texts == {}
    assert any("without GITHUB_TOKEN whole files are not fetched" in n for n in change.notes)
    gh.rate_limit_remaining = 400  # under the reserve kept for other reports
    low = read(gh_config(config, gh), f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    assert gh.requests_to("/contents/") == []
    assert any("allowance is kept for other reports" in n for n in low.notes)


def test_a_file_over_github_s_1_mb_is_left_to_its_hunks(config, gh, tmp_path) -> None:
    """GitHub sends only the size of a file over 1 MB; the report says so instead of failing."""
    root = tmp_path / "big"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("def f():\n    pass\n")
    (root / "pkg" / "data.py").write_text("X = 1\n" + "# pad\n" * 200_000)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a")
    git(root, "tag", "a")
    (root / "pkg" / "__init__.py").write_text("def f(x):\n    pass\n")
    (root / "pkg" / "data.py").write_text("X = 2\n" + "# pad\n" * 200_000)
    git(root, "commit", "-qam", "b")
    git(root, "tag", "b")
    gh.add_repo("octo", "big", root)
    change = read(gh_config(config, gh), f"{gh.web_url}/octo/big/compare/a...b")
    assert "pkg/__init__.py" in change.new_texts and "pkg/data.py" not in change.new_texts
    assert any("larger than 1 MB" in n and "pkg/data.py" in n for n in change.notes)


def test_a_dropped_contents_read_is_noted_in_whole_words(config, gh, pair) -> None:
    """The reason was cut at 120 characters: "... Check the network and GITHUB_API_URL, then )"."""
    gh.faults.inject(drop=True, path="/contents/src/itsdangerous/")
    change = read(gh_config(config, gh), f"{gh.web_url}/pallets/itsdangerous/compare/a...b")
    note = next(n for n in change.notes if "analysed from their diff hunks only" in n)
    assert "GitHub would not send it: Could not reach GitHub at" in note
    assert ", then )" not in note and "(connection failed))" in note
