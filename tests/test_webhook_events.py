"""Signature checks and event parsing on GitHub's own vector and real example payloads."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot import messages
from bot.jobs.fanout import merge_dedup_key
from bot.store.subscriptions import Subscription
from bot.webhooks.dispatch import Target, targets_for, touches
from bot.webhooks.events import (
    Ignored,
    Landed,
    PayloadError,
    Ping,
    parse_event,
    sign,
    verify_signature,
)
from tests.support import DATA

HOOKS = DATA / "github-webhooks"
NORMAL_PUSH = "push.normal.go-playground-webhooks.push.json"
MERGED_PR = "pull_request.closed.merged.create-issue-branch.pull_request.closed.json"

# GitHub's documented test vector (tests/data/LIMITS.md, "Webhook signature").
VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def load(name: str) -> dict[str, Any]:
    return json.loads((HOOKS / name).read_text(encoding="utf-8"))


def test_signature_matches_githubs_official_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_BODY) == VECTOR_SIGNATURE
    assert verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (VECTOR_SECRET, VECTOR_BODY, None),
        (VECTOR_SECRET, VECTOR_BODY, ""),
        (VECTOR_SECRET, b"Hello, World?", VECTOR_SIGNATURE),
        ("another secret", VECTOR_BODY, VECTOR_SIGNATURE),
        (VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.replace("sha256=", "sha1=")),
        (VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE[:-1]),
        (VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.upper()),
        (VECTOR_SECRET, VECTOR_BODY, "sha256=ü" + "0" * 63),
        (None, VECTOR_BODY, VECTOR_SIGNATURE),
        ("", VECTOR_BODY, sign("", VECTOR_BODY)),
    ],
)
def test_signature_refuses_anything_else(secret: str | None, body: bytes, header: str) -> None:
    assert not verify_signature(secret, body, header)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("bot.webhooks.events.hmac.compare_digest", compare_digest)
    assert verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)
    assert not verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE[:-1] + "0")
    assert len(compared) == 2  # both answers came from compare_digest, never from ==


def test_normal_push_reports_before_after_with_touched_files() -> None:
    event = parse_event("push", load(NORMAL_PUSH))
    assert isinstance(event, Landed)
    assert event.kind == "push"
    assert event.repository.full_name == "binkkatal/sample_app"
    assert event.branch == "master"
    assert event.merge_sha == event.head == "fd489864e7642b48eaad6e3f155c10e46810ec72"
    assert event.touched == (".razorops.yaml", "app/controllers/application_controller.rb")
    assert event.source("https://github.com") == (
        "https://github.com/binkkatal/sample_app/compare/"
        "737d38c599c1b2991664dfc6155d6bf516fcce36...fd489864e7642b48eaad6e3f155c10e46810ec72"
    )


def test_forced_push_still_compares_but_leaves_path_matching_to_the_job() -> None:
    payload = load(NORMAL_PUSH)
    payload["forced"] = True
    event = parse_event("push", payload)
    assert isinstance(event, Landed)
    assert (event.base, event.head) == (payload["before"], payload["after"])
    assert event.touched is None
    # Issue 11 #8: before and after compared directly (two dots), and said to be a force-push.
    assert event.forced is True
    source = event.source("https://github.com")
    assert source.endswith(f"/compare/{payload['before']}..{payload['after']}")
    from bot.jobs.run import trigger_of

    fields = {"channel": "C1", "origin": "github:force-push", "branch": "main", "source": source}
    assert trigger_of(fields) == messages.SLACK_TRIGGER_FORCE_PUSH_TO.format(branch="main")


@pytest.mark.parametrize(
    ("name", "edit", "reason"),
    [
        ("push.payload.json", None, messages.WEBHOOK_IGNORED_TAG),
        (
            "push.with-new-branch.payload.json",
            None,
            messages.WEBHOOK_IGNORED_CREATED.format(branch="master"),
        ),
        (
            NORMAL_PUSH,
            {"deleted": True, "after": "0" * 40},
            messages.WEBHOOK_IGNORED_DELETED.format(branch="master"),
        ),
        (
            NORMAL_PUSH,
            {"ref": "refs/notes/commits"},
            messages.WEBHOOK_IGNORED_REF.format(ref="refs/notes/commits"),
        ),
        (
            "pull_request.closed.payload.json",
            None,
            messages.WEBHOOK_IGNORED_PR_UNMERGED.format(number=2),
        ),
        (
            "pull_request.opened.payload.json",
            None,
            messages.WEBHOOK_IGNORED_PR_ACTION.format(action="opened"),
        ),
        (
            "pull_request.synchronize.payload.json",
            None,
            messages.WEBHOOK_IGNORED_PR_ACTION.format(action="synchronize"),
        ),
    ],
)
def test_events_that_are_not_reported_say_why(
    name: str, edit: dict[str, Any] | None, reason: str
) -> None:
    payload = load(name)
    payload.update(edit or {})
    event = parse_event("push" if name.startswith("push") else "pull_request", payload)
    assert event == Ignored(reason, event.repository)


def test_merged_pull_request_is_reported_by_link_with_its_title() -> None:
    event = parse_event("pull_request", load(MERGED_PR))
    assert isinstance(event, Landed)
    assert event.kind == "pull_request"
    assert event.branch == "main"
    assert event.number == 117
    assert event.title == 'Revert "Update README.md"'
    assert event.merge_sha == "5a47c3f3c22f54f37a3297f2f1c98d860fba4489"
    assert event.touched is None
    assert event.source("https://ghe.example.com/") == (
        "https://ghe.example.com/robvanderleek/create-issue-branch/pull/117"
    )


def test_ping_and_unknown_events() -> None:
    ping = parse_event("ping", load("ping.payload.json"))
    assert isinstance(ping, Ping)
    assert ping.zen == "Anything added dilutes everything else."
    assert ping.repository is not None and ping.repository.full_name == "Octocoders/Hello-World"
    assert parse_event("issues", {"action": "opened"}) == Ignored(
        messages.WEBHOOK_IGNORED_EVENT.format(event="issues")
    )


def _without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    payload = copy.deepcopy(payload)
    *parents, last = path.split(".")
    node = payload
    for part in parents:
        node = node[part]
    del node[last]
    return payload


@pytest.mark.parametrize(
    ("name", "path", "field"),
    [
        (NORMAL_PUSH, "ref", "ref"),
        (NORMAL_PUSH, "after", "after"),
        (NORMAL_PUSH, "repository", "repository"),
        (NORMAL_PUSH, "repository.default_branch", "repository.default_branch"),
        (MERGED_PR, "action", "action"),
        (MERGED_PR, "pull_request.base", "pull_request.base"),
        (MERGED_PR, "pull_request.head.sha", "pull_request.head.sha"),
        (MERGED_PR, "pull_request.number", "pull_request.number"),
    ],
)
def test_missing_fields_are_named(name: str, path: str, field: str) -> None:
    payload = _without(load(name), path)
    with pytest.raises(PayloadError) as caught:
        parse_event("push" if name.startswith("push") else "pull_request", payload)
    assert caught.value.reason == messages.WEBHOOK_MISSING_FIELD.format(field=field)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"after": "not-a-sha"}, "after"),
        ({"repository": {"full_name": "a b/c", "default_branch": "main"}}, "repository.full_name"),
    ],
)
def test_malformed_fields_are_refused(edit: dict[str, Any], field: str) -> None:
    payload = load(NORMAL_PUSH)
    payload.update(edit)
    with pytest.raises(PayloadError) as caught:
        parse_event("push", payload)
    assert caught.value.reason == messages.WEBHOOK_BAD_FIELD.format(field=field)


def test_non_object_body_is_refused() -> None:
    with pytest.raises(PayloadError):
        parse_event("push", ["not", "an", "object"])


def test_a_channel_following_a_branch_twice_gets_one_target_with_all_its_paths() -> None:
    event = parse_event("push", load(NORMAL_PUSH))
    assert isinstance(event, Landed)
    repo = "binkkatal/sample_app"
    subs = [
        Subscription("C1", repo, None, ("docs/",), "U1"),
        Subscription("C1", repo, "master", ("app/", "docs/"), "U2"),
        Subscription("C2", repo, None, ("docs/",), "U3"),
        Subscription("C2", repo, "master", (), "U3"),
        Subscription("C3", repo, "develop", (), "U4"),
    ]
    assert targets_for(event, subs) == [
        Target("C1", ("docs/", "app/"), "U1"),
        Target("C2", (), "U3"),
    ]
    assert touches(Target("C1", ("app/",), None), event)
    assert not touches(Target("C1", ("docs/",), None), event)
    assert merge_dedup_key(event, "C1") == (
        "merge:binkkatal/sample_app:fd489864e7642b48eaad6e3f155c10e46810ec72:C1"
    )
