"""From a signed delivery to Slack posts: subscribe, deliver, run a worker, count the posts.

The web app runs under uvicorn, GitHub is FakeGitHub over a local repository, Slack is
FakeSlack, and a real RQ worker (burst mode) builds and posts the reports.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import messages
from bot.config import Config
from bot.jobs.worker import run_worker
from bot.webhooks.events import sign
from handlers.subscriptions import answer
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.support import DATA, command_body, post_signed, running_server

SECRET = "webhook-secret"
HOOKS = DATA / "github-webhooks"


@dataclass
class World:
    config: Config
    base: str
    slack: FakeSlack
    github: FakeGitHub
    shas: list[str]

    def subscribe(self, channel: str, *words: str) -> str:
        """The ack, then a worker runs the access check and tells the person privately."""
        answer(self.config, ["subscribe", "octo/widgets", *words], channel, "U0SUB")
        assert run_worker(self.config, burst=True) == 0
        told = [m for m in self.slack.messages(channel) if m.ephemeral and m.user == "U0SUB"]
        return html.unescape(told[-1].text)

    def deliver(self, event: str, payload: dict[str, Any]) -> httpx.Response:
        raw = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(SECRET, raw),
        }
        return httpx.post(f"{self.base}/github/webhook", content=raw, headers=headers, timeout=10)

    def reports(self, channel: str) -> list[str]:
        """Top-level messages the bot left in ``channel`` (placeholder turned report)."""
        return [
            m.text for m in self.slack.messages(channel) if m.thread_ts is None and not m.ephemeral
        ]


def _repository() -> dict[str, Any]:
    payload = json.loads((HOOKS / "push.normal.go-playground-webhooks.push.json").read_text())
    repository = payload["repository"]
    repository.update(full_name="octo/widgets", name="widgets", default_branch="main")
    repository["owner"].update(name="octo", login="octo")
    return repository


def push_payload(before: str, after: str, modified: list[str]) -> dict[str, Any]:
    """GitHub's example push, pointed at the local repository's commits."""
    payload = json.loads((HOOKS / "push.normal.go-playground-webhooks.push.json").read_text())
    payload.update(ref="refs/heads/main", before=before, after=after, repository=_repository())
    payload["commits"][0].update(id=after, added=[], removed=[], modified=modified)
    return payload


def merged_pr_payload(number: int, base: str, head: str, merge_sha: str) -> dict[str, Any]:
    name = "pull_request.closed.merged.create-issue-branch.pull_request.closed.json"
    payload = json.loads((HOOKS / name).read_text())
    payload["repository"] = _repository()
    pr = payload["pull_request"]
    pr.update(number=number, merge_commit_sha=merge_sha, title="Polish the readme")
    pr["base"].update(ref="main", sha=base)
    pr["head"].update(sha=head)
    return payload


@pytest.fixture
def world(config: Config, make_repo, tmp_path: Path) -> Iterator[World]:
    path, shas = make_repo(
        [
            {"README.md": "# Widgets\n", "docs/guide.md": "Guide\n", "src/app.py": "A = 1\n"},
            {"src/app.py": "A = 2\n\ndef run():\n    return A\n"},
            {"README.md": "# Widgets\n\nNow with a usage section.\n"},
        ]
    )
    with FakeGitHub() as github, FakeSlack() as slack:
        github.add_repo("octo", "widgets", path, default_branch="main")
        github.add_pull("octo", "widgets", 6, shas[0], shas[1], title="Let the app run")
        github.add_pull("octo", "widgets", 7, shas[1], shas[2], title="Polish the readme")
        app_config = replace(
            config,
            github_webhook_secret=SECRET,
            github_api_url=github.api_url,
            slack_bot_token=slack.token,
            slack_signing_secret="slack-signing-secret",
            slack_api_url=slack.api_url,
            public_url="https://bot.example.com",
        )
        with running_server(app_config) as base:
            yield World(app_config, base, slack, github, shas)


def test_push_posts_once_in_each_subscribed_channel(world: World) -> None:
    reply = world.subscribe("C1")
    assert "https://bot.example.com/github/webhook" in reply
    assert messages.SUBS_STORED.split("{")[0] in reply
    world.subscribe("C2", "src/")
    world.subscribe("C3", "docs/")
    first, second = world.shas[0], world.shas[1]
    answered = world.deliver("push", push_payload(first, second, ["src/app.py"]))
    assert answered.status_code == 202 and answered.json()["channels"] == 2
    assert run_worker(world.config, burst=True) == 0
    assert len(world.reports("C1")) == 1
    assert len(world.reports("C2")) == 1
    assert world.reports("C3") == []
    assert world.reports("C4") == []
    parent = next(m for m in world.slack.messages("C1") if m.thread_ts is None and not m.ephemeral)
    assert "push to main" in str(parent.blocks)  # what started it, not who subscribed
    # The same merge arriving as a merged pull request is not reported again in C1 and C2
    # (the fan-out finds their merge keys taken). C3 was left out by the push's file lists;
    # the pull request has none, so its job reads the change, finds nothing under docs/ and
    # posts nothing.
    again = world.deliver("pull_request", merged_pr_payload(6, first, second, second))
    assert again.status_code == 202 and again.json()["channels"] == 3
    assert run_worker(world.config, burst=True) == 0
    assert len(world.reports("C1")) == len(world.reports("C2")) == 1
    assert world.reports("C3") == []


def test_merged_pull_request_posts_only_where_its_paths_are_touched(world: World) -> None:
    world.subscribe("C1", "main", "README.md")
    world.subscribe("C2", "src/")
    payload = merged_pr_payload(7, world.shas[1], world.shas[2], world.shas[2])
    answered = world.deliver("pull_request", payload)
    assert answered.status_code == 202 and answered.json()["channels"] == 2
    assert run_worker(world.config, burst=True) == 0
    [report] = world.reports("C1")
    assert "README.md" in report
    assert world.reports("C2") == []
    assert world.github.requests_to("/pulls/7")
    # Each channel's job reads the pull request's files once: C1's job decides and then
    # builds from the same read, C2's decides and posts nothing.
    assert len(world.github.requests_to("/pulls/7/files")) == 2


def test_a_path_filtered_channel_gets_a_report_of_its_area_only(world: World) -> None:
    world.subscribe("C1")
    world.subscribe("C2", "src/")
    payload = push_payload(world.shas[0], world.shas[2], ["src/app.py"])
    payload["commits"].append({**payload["commits"][0], "modified": ["README.md"]})
    assert world.deliver("push", payload).json()["channels"] == 2
    assert run_worker(world.config, burst=True) == 0
    [everything] = world.reports("C1")
    [area] = world.reports("C2")
    assert "README.md" in everything and "app.py" in everything
    assert "README.md" not in area and "app.py" in area
    assert area.startswith("[en_US] Diff Insight Report - src ")  # the title names the area
    parent = next(m for m in world.slack.messages("C2") if m.thread_ts is None and not m.ephemeral)
    context = json.dumps(parent.blocks[1])
    assert "+4 \\u22121" in context and "+6" not in context  # totals of src/ only
    thread = " ".join(m.text + json.dumps(m.blocks) for m in world.slack.thread("C2", parent.ts))
    assert "src/app.py" in thread and "README.md" not in thread


def test_unsubscribed_channels_hear_nothing(world: World) -> None:
    world.subscribe("C1")
    assert "Removed 1" in answer(world.config, ["unsubscribe", "octo/widgets"], "C1", "U0SUB")
    answered = world.deliver("push", push_payload(world.shas[0], world.shas[1], ["src/app.py"]))
    assert answered.status_code == 422
    assert run_worker(world.config, burst=True) == 0
    assert world.reports("C1") == []


def test_subscribe_through_the_slash_command_then_a_push_is_posted(world: World) -> None:
    body = command_body("subscribe octo/widgets src/", channel_id="C7", user_id="U7")
    acked = post_signed(world.base, body, world.config.slack_signing_secret or "")
    assert acked.status_code == 200
    assert acked.json()["text"].startswith(messages.SUBS_CHECKING.split("{")[0])
    assert run_worker(world.config, burst=True) == 0  # the access check, then the store
    told = [m.text for m in world.slack.messages("C7") if m.ephemeral and m.user == "U7"]
    assert told[-1].startswith(
        messages.SUBS_STORED.format(what="*octo/widgets*, the default branch, `src/`")
    )
    listed = post_signed(world.base, command_body("list", channel_id="C7"), "slack-signing-secret")
    assert "*octo/widgets*" in listed.json()["text"]
    answered = world.deliver("push", push_payload(world.shas[0], world.shas[1], ["src/app.py"]))
    assert answered.status_code == 202
    assert run_worker(world.config, burst=True) == 0
    assert len(world.reports("C7")) == 1
