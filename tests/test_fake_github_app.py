"""FakeGitHub's App endpoints hold to GitHub's documented rules, asked through real PyGithub.

A fake that took any JWT, or let any token see a private repository, would let the bot's App
code pass while broken; these tests pin what GitHub refuses and how it says so.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from github import Auth, Github, GithubException, GithubIntegration

from tests.fakes.github import FakeGitHub
from tests.fakes.github_app import EXP_PAST, EXP_TOO_FAR, IAT_BAD, NOT_DECODED, FakeApp
from tests.support import DATA


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


@pytest.fixture
def gh(app: FakeApp, make_repo) -> Iterator[FakeGitHub]:
    root, _ = make_repo([{"README.md": "# x\n"}])
    with FakeGitHub(app=app) as fake:
        fake.add_repo("octo", "secret", Path(root), private=True)
        fake.add_repo("octo", "other", Path(root), private=True)
        fake.add_repo("octo", "open", Path(root))
        app.install("octo", "octo/secret")
        yield fake


def integration(gh: FakeGitHub, app: FakeApp, key: str | None = None) -> GithubIntegration:
    auth = Auth.AppAuth(app.id, key or app.private_key_pem)
    return GithubIntegration(auth=auth, base_url=gh.api_url)


def as_jwt(gh: FakeGitHub, token: str) -> Github:
    return Github(base_url=gh.api_url, auth=Auth.AppAuthToken(token))


def signed(app: FakeApp, **claims: object) -> str:
    key = serialization.load_pem_private_key(app.private_key_pem.encode(), None)
    return jwt.encode(claims, key, algorithm="RS256")  # type: ignore[arg-type]


def refusal(client: Github, path: str = "/app") -> tuple[int, str]:
    with pytest.raises(GithubException) as caught:
        client.requester.requestJsonAndCheck("GET", path)
    return caught.value.status, caught.value.data["message"]


def test_pygithubs_app_jwt_is_accepted_and_finds_the_installation(gh, app) -> None:
    found = integration(gh, app).get_repo_installation("octo", "secret")
    assert found.id in app.installations and found.app_slug == app.slug
    assert integration(gh, app).get_app().html_url.endswith(f"/apps/{app.slug}")
    for name in ("other", "open", "missing"):  # not installed, or no such repository
        with pytest.raises(GithubException) as caught:
            integration(gh, app).get_repo_installation("octo", name)
        assert caught.value.status == 404 and caught.value.data["message"] == "Not Found"


def test_each_broken_claim_gets_githubs_own_401(gh, app) -> None:
    now = int(time.time())
    iss = str(app.id)
    assert refusal(as_jwt(gh, signed(app, iat=now - 700, exp=now - 10, iss=iss))) == (
        401,
        EXP_PAST,
    )
    assert refusal(as_jwt(gh, signed(app, iat=now, exp=now + 900, iss=iss))) == (401, EXP_TOO_FAR)
    assert refusal(as_jwt(gh, signed(app, iat=now + 300, exp=now + 400, iss=iss))) == (
        401,
        IAT_BAD,
    )
    assert refusal(as_jwt(gh, signed(app, iat=now - 60, exp=now + 300, iss="999"))) == (
        401,
        NOT_DECODED,
    )
    other = FakeApp(id=app.id)  # same id, another key: the signature does not verify
    assert refusal(as_jwt(gh, signed(other, iat=now - 60, exp=now + 300, iss=iss)))[1] == (
        NOT_DECODED
    )
    hs256 = jwt.encode(
        {"iat": now, "exp": now + 60, "iss": iss},
        "a-shared-secret-of-at-least-32-bytes!",
        algorithm="HS256",
    )
    assert refusal(as_jwt(gh, hs256))[1] == NOT_DECODED
    plain = Github(base_url=gh.api_url, auth=Auth.Token("ghp_personal"))
    assert refusal(plain) == (401, NOT_DECODED)  # App endpoints take only the App's JWT
    assert refusal(Github(base_url=gh.api_url)) == (401, NOT_DECODED)


def test_installation_tokens_read_only_their_repositories_and_expire(gh, app) -> None:
    inst = integration(gh, app).get_repo_installation("octo", "secret")
    granted = integration(gh, app).get_access_token(inst.id)
    assert granted.token.startswith("ghs_") and len(granted.token) == 40
    life = granted.expires_at.timestamp() - time.time()
    assert 3590 < life <= 3600
    client = Github(base_url=gh.api_url, auth=Auth.Token(granted.token))
    assert client.get_repo("octo/secret").private is True
    assert client.get_repo("octo/open").private is False  # public: anyone may read
    with pytest.raises(GithubException) as hidden:
        client.get_repo("octo/other")
    assert hidden.value.status == 404
    with pytest.raises(GithubException) as anonymous:
        Github(base_url=gh.api_url).get_repo("octo/secret")
    assert anonymous.value.status == 404
    app.expire_tokens()
    with pytest.raises(GithubException) as expired:
        client.get_repo("octo/secret")
    assert expired.value.status == 401 and expired.value.data["message"] == "Bad credentials"


def test_a_token_for_an_installation_that_is_gone_or_suspended_is_refused(gh, app) -> None:
    number = next(iter(app.installations))
    app.installations[number].suspended = True
    with pytest.raises(GithubException) as suspended:
        integration(gh, app).get_access_token(number)
    assert suspended.value.status == 403
    app.installations[number].suspended = False
    granted = integration(gh, app).get_access_token(number)
    app.uninstall(number)
    with pytest.raises(GithubException) as gone:
        integration(gh, app).get_access_token(number)
    assert gone.value.status == 404
    with pytest.raises(GithubException) as revoked:
        Github(base_url=gh.api_url, auth=Auth.Token(granted.token)).get_repo("octo/secret")
    assert revoked.value.status == 401


def test_the_shapes_match_githubs_recorded_answers(gh, app) -> None:
    """The fake answers with at least the fields GitHub sent in PyGithub's recordings."""
    recorded_installation = json.loads(
        (DATA / "github-api/installation.repo.PyGithub.json").read_text()
    )
    recorded_app = json.loads((DATA / "github-api/app.PyGithub.json").read_text())
    client = integration(gh, app)
    _, installation = client.requester.requestJsonAndCheck("GET", "/repos/octo/secret/installation")
    _, served_app = client.requester.requestJsonAndCheck("GET", "/app")
    assert set(recorded_installation) <= set(installation)
    assert set(recorded_app) <= set(served_app)
    assert recorded_app["html_url"] == f"https://github.com/apps/{recorded_app['slug']}"
    _, token = client.requester.requestJsonAndCheck(
        "POST", f"/app/installations/{installation['id']}/access_tokens", input={"permissions": {}}
    )
    # GithubIntegration.testGetAccessToken.txt's body has exactly these keys (see SOURCES.md).
    assert set(token) == {"token", "expires_at", "permissions", "repository_selection"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["expires_at"])
