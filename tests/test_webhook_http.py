"""POST /github/webhook on the real app under uvicorn: GitHub's example payloads, signed here.

These tests stop at the queue (which jobs, for which channels, with which paths);
test_webhook_e2e.py runs a worker and counts the Slack posts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import redis
from rq.job import Job

from bot import messages
from bot.config import Config
from bot.jobs.queue import get_queue
from bot.jobs.tasks import use_config
from bot.store.subscriptions import SubscriptionStore, subscribe
from bot.webhooks.events import sign
from tests.fakes.slack import FakeSlack
from tests.support import DATA, running_server

SECRET = "It's a Secret to Everybody"
HOOKS = DATA / "github-webhooks"
NORMAL_PUSH = "push.normal.go-playground-webhooks.push.json"
MERGED_PR = "pull_request.closed.merged.create-issue-branch.pull_request.closed.json"


def load(name: str) -> dict[str, Any]:
    return json.loads((HOOKS / name).read_text(encoding="utf-8"))


def deliver(
    base: str,
    event: str,
    body: bytes | dict[str, Any],
    *,
    delivery: str | None = None,
    secret: str | None = SECRET,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
    }
    if secret is not None:
        sent["X-Hub-Signature-256"] = sign(secret, raw)
    sent.update(headers or {})
    return httpx.post(f"{base}/github/webhook", content=raw, headers=sent, timeout=10)


@pytest.fixture
def app_config(config: Config, slack: FakeSlack) -> Config:
    return replace(
        config,
        github_webhook_secret=SECRET,
        slack_bot_token=slack.token,
        slack_signing_secret="slack-signing-secret",
        slack_api_url=slack.api_url,
    )


@pytest.fixture
def base(app_config: Config) -> Iterator[str]:
    with running_server(app_config) as url:
        yield url


@pytest.fixture
def store(redis_client: redis.Redis, redis_prefix: str) -> SubscriptionStore:
    return SubscriptionStore(redis_client, redis_prefix)


def sub(store: SubscriptionStore, channel: str, repo: str, branch=None, *paths: str) -> None:
    subscribe(store, channel=channel, user="U1", repository=repo, branch=branch, paths=paths)


def queued(config: Config) -> list[Job]:
    """The report jobs queued so far, after running the fan-out jobs as a worker would."""
    use_config(config)
    queue = get_queue(config)
    for job in queue.jobs:
        if job.func_name == "bot.jobs.tasks.fan_out":
            queue.remove(job)
            job.func(**job.kwargs)
    return sorted(queue.jobs, key=lambda j: j.kwargs["channel"])


def test_push_queues_one_job_per_subscribed_channel_and_filters_paths(
    base: str, app_config: Config, store: SubscriptionStore
) -> None:
    sub(store, "C1", "binkkatal/sample_app")  # default branch, every path
    sub(store, "C2", "binkkatal/sample_app", "master", "app/controllers/")
    sub(store, "C3", "binkkatal/sample_app", None, "docs/**")  # not touched
    sub(store, "C4", "binkkatal/sample_app", "develop")  # another branch
    sub(store, "C5", "octo/other")  # another repository
    answer = deliver(base, "push", load(NORMAL_PUSH))
    assert answer.status_code == 202, answer.text
    assert answer.json() == {
        "ok": True,
        "verdict": "queued",
        "reason": messages.WEBHOOK_QUEUED.format(count=2),
        "channels": 2,
    }
    jobs = queued(app_config)
    assert [j.kwargs["channel"] for j in jobs] == ["C1", "C2"]
    assert [tuple(j.kwargs["paths"]) for j in jobs] == [(), ("app/controllers/",)]
    assert all(j.func_name == "bot.jobs.tasks.build_and_post" for j in jobs)
    assert jobs[0].kwargs["source"] == (
        "https://github.com/binkkatal/sample_app/compare/"
        "737d38c599c1b2991664dfc6155d6bf516fcce36...fd489864e7642b48eaad6e3f155c10e46810ec72"
    )
    assert jobs[0].kwargs["requester"] == "U1"
    assert jobs[0].kwargs["origin"] == "github:push"


def test_a_redelivery_is_not_queued_again(
    base: str, app_config: Config, store: SubscriptionStore
) -> None:
    sub(store, "C1", "binkkatal/sample_app")
    delivery = str(uuid.uuid4())
    assert deliver(base, "push", load(NORMAL_PUSH), delivery=delivery).status_code == 202
    again = deliver(base, "push", load(NORMAL_PUSH), delivery=delivery)
    assert again.status_code == 200
    assert again.json()["reason"] == messages.WEBHOOK_DUPLICATE_DELIVERY
    assert len(queued(app_config)) == 1


def test_a_merge_seen_as_pull_request_and_push_is_queued_once_per_channel(
    base: str, app_config: Config, store: SubscriptionStore
) -> None:
    repo = "robvanderleek/create-issue-branch"
    sub(store, "C1", repo)
    sub(store, "C2", repo, "main")
    pr = load(MERGED_PR)
    answer = deliver(base, "pull_request", pr)
    assert answer.status_code == 202 and answer.json()["channels"] == 2
    assert len(queued(app_config)) == 2
    push = load(NORMAL_PUSH)
    push["repository"] = pr["repository"]
    push["ref"] = "refs/heads/main"
    push["after"] = pr["pull_request"]["merge_commit_sha"]
    assert deliver(base, "push", push).status_code == 202
    jobs = queued(app_config)
    assert [j.kwargs["channel"] for j in jobs] == ["C1", "C2"]
    assert jobs[0].kwargs["source"] == "https://github.com/" + repo + "/pull/117"
    assert jobs[0].kwargs["origin"] == "github:pull_request"  # the report reads the PR's title


def test_a_path_filtered_pull_request_is_left_for_the_worker_to_check(
    base: str, app_config: Config, store: SubscriptionStore
) -> None:
    sub(store, "C1", "robvanderleek/create-issue-branch", None, "docs/")
    assert deliver(base, "pull_request", load(MERGED_PR)).status_code == 202
    [job] = queued(app_config)
    assert job.func_name == "bot.jobs.tasks.report_if_touched"
    assert tuple(job.kwargs["paths"]) == ("docs/",)


@pytest.mark.parametrize(
    ("event", "name", "reason"),
    [
        ("push", "push.payload.json", messages.WEBHOOK_IGNORED_TAG),
        (
            "push",
            "push.with-new-branch.payload.json",
            messages.WEBHOOK_IGNORED_CREATED.format(branch="master"),
        ),
        (
            "pull_request",
            "pull_request.closed.payload.json",
            messages.WEBHOOK_IGNORED_PR_UNMERGED.format(number=2),
        ),
        (
            "pull_request",
            "pull_request.opened.payload.json",
            messages.WEBHOOK_IGNORED_PR_ACTION.format(action="opened"),
        ),
        (
            "pull_request",
            "pull_request.synchronize.payload.json",
            messages.WEBHOOK_IGNORED_PR_ACTION.format(action="synchronize"),
        ),
        ("issues", "pull_request.opened.payload.json", None),
    ],
)
def test_events_that_are_not_reported_answer_200_with_the_reason(
    base: str, app_config: Config, store: SubscriptionStore, event: str, name: str, reason
) -> None:
    sub(store, "C1", "Codertocat/Hello-World")
    answer = deliver(base, event, load(name))
    assert answer.status_code == 200
    assert answer.json()["verdict"] == "ignored"
    assert answer.json()["reason"] == (reason or messages.WEBHOOK_IGNORED_EVENT.format(event=event))
    assert queued(app_config) == []


def test_ping_answers_200_and_says_whether_anyone_subscribes(
    base: str, store: SubscriptionStore
) -> None:
    answer = deliver(base, "ping", load("ping.payload.json"))
    assert answer.status_code == 200
    assert answer.json()["reason"] == messages.WEBHOOK_PONG_NO_SUBS.format(
        repo="Octocoders/Hello-World"
    )
    sub(store, "C1", "octocoders/hello-world")
    assert deliver(base, "ping", load("ping.payload.json")).json()["reason"] == (
        messages.WEBHOOK_PONG
    )


def test_branch_not_followed_and_no_touched_path(
    base: str, app_config: Config, store: SubscriptionStore
) -> None:
    sub(store, "C1", "binkkatal/sample_app", "develop")
    answer = deliver(base, "push", load(NORMAL_PUSH))
    assert (answer.status_code, answer.json()["reason"]) == (
        200,
        messages.WEBHOOK_BRANCH_NOT_FOLLOWED.format(branch="master"),
    )
    sub(store, "C2", "binkkatal/sample_app", None, "docs/")
    answer = deliver(base, "push", load(NORMAL_PUSH))
    assert (answer.status_code, answer.json()["reason"]) == (200, messages.WEBHOOK_NO_PATH_MATCH)
    assert queued(app_config) == []


def _missing(name: str, *path: str) -> dict[str, Any]:
    payload = load(name)
    node = payload
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return payload


@pytest.mark.parametrize(
    ("headers", "body", "status", "reason"),
    [
        ({"X-Hub-Signature-256": ""}, None, 401, messages.WEBHOOK_NO_SIGNATURE),
        ({"X-Hub-Signature-256": sign("wrong", b"{}")}, None, 401, messages.WEBHOOK_BAD_SIGNATURE),
        ({"X-GitHub-Event": ""}, None, 400, None),
        ({"X-GitHub-Delivery": "not a guid!"}, None, 400, None),
        ({}, b"not json", 400, messages.WEBHOOK_NOT_JSON),
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"payload=%7B%7D",
            400,
            messages.WEBHOOK_FORM_ENCODED,
        ),
        ({}, b"[1, 2]", 400, messages.WEBHOOK_NOT_OBJECT),
        (
            {},
            _missing(NORMAL_PUSH, "after"),
            400,
            messages.WEBHOOK_MISSING_FIELD.format(field="after"),
        ),
        (
            {},
            _missing(NORMAL_PUSH, "repository"),
            400,
            messages.WEBHOOK_MISSING_FIELD.format(field="repository"),
        ),
        ({}, load(NORMAL_PUSH), 422, "unknown"),
    ],
)
def test_rejections_queue_nothing(
    base: str,
    app_config: Config,
    store: SubscriptionStore,
    headers: dict[str, str],
    body: bytes | dict[str, Any] | None,
    status: int,
    reason: str | None,
) -> None:
    sub(store, "C1", "octo/unrelated")
    raw = body if body is not None else load(NORMAL_PUSH)
    if isinstance(raw, dict):
        raw = json.dumps(raw).encode()
    sent = {"X-Hub-Signature-256": sign(SECRET, raw), **headers}
    answer = deliver(base, "push", raw, secret=None, headers=sent)
    assert answer.status_code == status, answer.text
    assert answer.json()["ok"] is False
    if reason == "unknown":
        reason = messages.WEBHOOK_NO_SUBSCRIPTIONS.format(repo="binkkatal/sample_app")
    if reason is not None:
        assert answer.json()["reason"] == reason
    assert queued(app_config) == []


def test_private_repository_outside_the_allowed_list_is_refused(
    app_config: Config, store: SubscriptionStore
) -> None:
    sub(store, "C1", "binkkatal/sample_app")
    payload = load(NORMAL_PUSH)
    payload["repository"]["private"] = True
    with running_server(app_config) as url:
        answer = deliver(url, "push", payload)
    assert answer.status_code == 403
    assert queued(app_config) == []
    allowed = replace(app_config, allowed_repos=("binkkatal/*",))
    with running_server(allowed) as url:
        assert deliver(url, "push", payload).status_code == 202


def test_without_a_secret_every_delivery_is_refused(app_config: Config) -> None:
    unconfigured = replace(app_config, github_webhook_secret=None)
    with running_server(unconfigured) as url:
        answer = deliver(url, "ping", load("ping.payload.json"))
        unsigned = deliver(url, "ping", load("ping.payload.json"), secret=None)
    assert answer.status_code == unsigned.status_code == 503
    assert answer.json()["reason"] == messages.WEBHOOK_NO_SECRET


def test_oversized_bodies_are_refused_before_reading(base: str) -> None:
    answer = httpx.post(
        f"{base}/github/webhook",
        content=b"x" * (25 * 1024 * 1024 + 1),
        headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4())},
        timeout=30,
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("push", [1, 2]),
        ("push", {"repository": "x", "ref": 5}),
        ("push", {"repository": {"full_name": ["a"]}, "ref": "refs/heads/main"}),
        ("pull_request", {"action": "closed", "pull_request": "x", "repository": {}}),
        ("ping", "zen"),
    ],
)
def test_signed_odd_shapes_are_answered_not_crashed(
    base: str, event: str, payload: object, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11 (attacking #16 on the other route): a signed body of the wrong shape."""
    import logging

    caplog.set_level(logging.INFO)
    answer = deliver(base, event, json.dumps(payload).encode())
    assert answer.status_code < 500, answer.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
