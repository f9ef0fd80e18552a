"""App webhooks: one URL for every installed repository, from the signed delivery to Slack.

The web app runs under uvicorn, GitHub is FakeGitHub with a GitHub App installed on a private
repository, Slack is FakeSlack, and a real RQ worker (burst mode) builds and posts. The App's
own events (installation, installation_repositories) are GitHub's example payloads, pointed at
the test's installation; they are acknowledged and keep the shared token cache true.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import redis

from bot.config import Config
from bot.jobs.worker import run_worker
from bot.store import keys
from bot.webhooks.events import parse_event, sign
from handlers.subscriptions import answer
from tests.fakes.github import FakeGitHub
from tests.fakes.github_app import FakeApp
from tests.fakes.slack import FakeSlack
from tests.support import DATA, run_subscribe_jobs, running_server

SECRET = "app-webhook-secret"
HOOKS = DATA / "github-webhooks"


def load(name: str) -> dict[str, Any]:
    return json.loads((HOOKS / name).read_text(encoding="utf-8"))


@dataclass
class World:
    config: Config
    base: str
    slack: FakeSlack
    github: FakeGitHub
    app: FakeApp
    installation: int
    shas: list[str]
    redis: redis.Redis

    def deliver(self, event: str, payload: dict[str, Any], secret: str = SECRET) -> httpx.Response:
        raw = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(secret, raw),
        }
        return httpx.post(f"{self.base}/github/webhook", content=raw, headers=headers, timeout=10)

    def key(self, kind: str, what: Any) -> str:
        return getattr(keys, kind)(self.config.redis_prefix, what)

    def installation_block(self) -> dict[str, Any]:
        block = load("push.with-installation.payload.json")["installation"]
        return {**block, "id": self.installation}


def push_payload(world: World, before: str, after: str) -> dict[str, Any]:
    """GitHub's example push, made by the App's installation on the test's repository."""
    payload = load("push.normal.go-playground-webhooks.push.json")
    payload.update(ref="refs/heads/main", before=before, after=after)
    repository = payload["repository"]
    repository.update(full_name="octo/widgets", name="widgets", default_branch="main", private=True)
    repository["owner"].update(name="octo", login="octo")
    payload["commits"][0].update(id=after, added=[], removed=[], modified=["src/app.py"])
    payload["installation"] = world.installation_block()
    return payload


def installation_payload(world: World, name: str, *repositories: str) -> dict[str, Any]:
    payload = load(name)
    payload["installation"]["id"] = world.installation
    listed = [{"id": 1, "full_name": r, "private": True} for r in repositories]
    for field in ("repositories", "repositories_added", "repositories_removed"):
        if field in payload:
            payload[field] = listed if payload[field] else []
    return payload


@pytest.fixture
def world(config: Config, make_repo, redis_client: redis.Redis) -> Iterator[World]:
    path, shas = make_repo(
        [
            {"README.md": "# Widgets\n", "src/app.py": "A = 1\n"},
            {"src/app.py": "A = 2\n\ndef run():\n    return A\n"},
        ]
    )
    app = FakeApp()
    with FakeGitHub(app=app) as github, FakeSlack() as slack:
        github.add_repo("octo", "widgets", path, private=True, default_branch="main")
        github.add_repo("octo", "open", path, default_branch="main")
        installation = app.install("octo", "octo/widgets")
        app_config = replace(
            config,
            github_webhook_secret=SECRET,
            github_api_url=github.api_url,
            github_app_id=str(app.id),
            github_app_private_key=app.private_key_pem,
            allowed_repos=("octo/*",),
            slack_bot_token=slack.token,
            slack_signing_secret="slack-signing-secret",
            slack_api_url=slack.api_url,
            public_url="https://bot.example.com",
        )
        with running_server(app_config) as base:
            yield World(app_config, base, slack, github, app, installation, shas, redis_client)


def subscribed(world: World, repository: str, channel: str) -> str:
    """What the subscribe job told the person, once it checked the repository in the worker."""
    answer(world.config, ["subscribe", repository], channel, "U0SUB")
    assert run_subscribe_jobs(world.config) == 1
    told = [m for m in world.slack.messages(channel) if m.ephemeral and m.user == "U0SUB"]
    return html.unescape(told[-1].text)


def test_an_app_push_delivery_is_reported_with_the_installations_token(world: World) -> None:
    reply = subscribed(world, "octo/widgets", "C1")
    assert "GitHub App is installed" in reply and "https://bot.example.com/github/webhook" in reply
    assert "settings/hooks/new" not in reply  # no repository webhook to add
    elsewhere = subscribed(world, "octo/open", "C2")
    assert "octo/open/settings/hooks/new" in elsewhere  # public, the App not on it: a webhook
    answered = world.deliver("push", push_payload(world, world.shas[0], world.shas[1]))
    assert answered.status_code == 202, answered.text
    assert answered.json()["channels"] == 1
    assert run_worker(world.config, burst=True) == 0
    [parent] = [m for m in world.slack.messages("C1") if m.thread_ts is None and not m.ephemeral]
    assert "push to main" in str(parent.blocks)
    thread = " ".join(f"{m.text} {m.blocks}" for m in world.slack.messages("C1") if m.thread_ts)
    assert "src/app.py" in thread
    # One token for the subscription check and the report alike; the delivery named the
    # installation, so the worker looked nothing up.
    assert len(world.app.tokens) == 1
    lookups = [r for r in world.github.requests if r.path.endswith("widgets/installation")]
    assert len(lookups) == 1
    reads = world.github.requests_to("/repos/octo/widgets/compare")
    assert reads and all(r.authorization == f"token {world.app.tokens[0].token}" for r in reads)


def test_a_removed_installation_drops_its_token_and_repositories(world: World) -> None:
    subscribed(world, "octo/widgets", "C1")
    token_key = world.key("app_token", world.installation)
    repo_key = world.key("app_installation", "octo/widgets")
    assert world.redis.exists(token_key) and world.redis.exists(repo_key)
    payload = installation_payload(world, "installation.deleted.payload.json", "octo/widgets")
    answered = world.deliver("installation", payload)
    assert answered.status_code == 200
    assert answered.json()["verdict"] == "acknowledged"
    assert str(world.installation) in answered.json()["reason"]
    assert not world.redis.exists(token_key) and not world.redis.exists(repo_key)


def test_repositories_removed_or_added_update_what_is_cached(world: World) -> None:
    subscribed(world, "octo/widgets", "C1")
    removed = installation_payload(
        world, "installation_repositories.removed.payload.json", "octo/widgets"
    )
    answered = world.deliver("installation_repositories", removed)
    assert answered.status_code == 200 and "1 removed" in answered.json()["reason"]
    assert not world.redis.exists(world.key("app_installation", "octo/widgets"))
    assert not world.redis.exists(world.key("app_token", world.installation))
    # A repository asked about before the App was on it is not kept as "not installed".
    world.redis.set(world.key("app_installation", "octo/gadgets"), "none", ex=60)
    added = installation_payload(
        world, "installation_repositories.added.payload.json", "octo/gadgets"
    )
    answered = world.deliver("installation_repositories", added)
    assert answered.status_code == 200 and "1 repositories added" in answered.json()["reason"]
    assert (
        world.redis.get(world.key("app_installation", "octo/gadgets"))
        == str(world.installation).encode()
    )


def test_app_events_are_verified_and_checked_like_any_delivery(world: World) -> None:
    payload = installation_payload(world, "installation.created.payload.json", "octo/widgets")
    assert world.deliver("installation", payload, secret="not-the-secret").status_code == 401
    assert world.deliver("installation", payload).json()["verdict"] == "acknowledged"
    broken = {**payload, "installation": {"id": "seven"}}
    answered = world.deliver("installation", broken)
    assert answered.status_code == 400 and "installation.id" in answered.json()["reason"]
    odd = installation_payload(world, "installation.created.payload.json", "not a repo")
    assert world.deliver("installation", odd).status_code == 400


def test_githubs_app_push_example_carries_its_installation() -> None:
    parsed = parse_event("push", load("push.with-installation.payload.json"))
    assert parsed.repository is not None  # a tag deletion: ignored, but still parsed
    merged = load("pull_request.closed.merged.create-issue-branch.pull_request.closed.json")
    landed = parse_event("pull_request", merged)
    assert getattr(landed, "installation", None) == merged["installation"]["id"]
