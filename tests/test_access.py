"""DIFFINSIGHT_ALLOWED_REPOS: public repositories always, private ones only when allowed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.config import load_config
from bot.errors import NotAllowedError, NotFoundError
from bot.reading.access import is_allowed, require_allowed
from bot.reading.github_client import check_access
from tests.fakes.github import FakeGitHub


@pytest.mark.parametrize(
    ("repository", "patterns", "allowed"),
    [
        ("acme/secret", ("acme/secret",), True),
        ("Acme/Secret", ("acme/secret",), True),
        ("acme/secret", ("ACME/*",), True),
        ("acme/other", ("acme/secret",), False),
        ("acme/secret", ("acme/secret-2",), False),
        ("acme/secret", ("acm/*",), False),
        ("acme/secret", ("*/*",), False),
        ("acme/secret", (), False),
        ("acme/secret", (" acme/secret ",), True),
        ("acme", ("acme/*",), False),
        ("", ("acme/*",), False),
    ],
)
def test_is_allowed(repository: str, patterns: tuple[str, ...], allowed: bool) -> None:
    assert is_allowed(repository, patterns) is allowed


def test_environment_patterns_reach_the_check() -> None:
    config = load_config({"DIFFINSIGHT_ALLOWED_REPOS": "Acme/Secret, team/*"})
    require_allowed(config, "acme/secret", private=True)
    require_allowed(config, "team/anything", private=True)
    require_allowed(config, "someone/else", private=False)
    with pytest.raises(NotAllowedError, match="someone/else"):
        require_allowed(config, "someone/else", private=True)


@pytest.fixture
def gh(make_repo) -> Iterator[FakeGitHub]:
    root, _ = make_repo([{"a.md": "# A\n"}])
    with FakeGitHub(tokens=("tok",)) as fake:
        fake.add_repo("acme", "public", root)
        fake.add_repo("acme", "secret", root, private=True)
        yield fake


def test_check_access_against_github(gh: FakeGitHub) -> None:
    anonymous = replace(load_config({}), github_api_url=gh.api_url)
    check_access(anonymous, "acme", "public")
    with pytest.raises(NotFoundError, match="acme/secret"):
        check_access(anonymous, "acme", "secret")
    with_token = replace(anonymous, github_token="tok")
    with pytest.raises(NotAllowedError, match="DIFFINSIGHT_ALLOWED_REPOS"):
        check_access(with_token, "acme", "secret")
    check_access(replace(with_token, allowed_repos=("acme/*",)), "acme", "secret")
    with pytest.raises(NotFoundError, match="acme/missing"):
        check_access(with_token, "acme", "missing")
