"""The subscription store on a real Redis, and the rules for names, branches and paths."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis

from bot import messages
from bot.config import Config
from bot.names import is_branch_name
from bot.store.subscriptions import (
    MAX_PATHS,
    MAX_SUBSCRIPTIONS_PER_CHANNEL,
    Subscription,
    SubscriptionError,
    SubscriptionStore,
    check_paths,
    check_repository,
    subscribe,
    unsubscribe,
)
from handlers.subscriptions import answer
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.support import run_subscribe_jobs


@pytest.fixture
def store(redis_client: redis.Redis, redis_prefix: str) -> SubscriptionStore:
    return SubscriptionStore(redis_client, redis_prefix)


def add(store: SubscriptionStore, channel: str, repo: str, branch: str | None = None, *paths: str):
    return subscribe(
        store, channel=channel, user="U1", repository=repo, branch=branch, paths=tuple(paths)
    )


def test_subscribe_lists_and_looks_up_by_repository(store: SubscriptionStore) -> None:
    add(store, "C1", "octo/Hello-World")
    add(store, "C1", "octo/other", "release", "docs/**")
    add(store, "C2", "octo/hello-world", None, "src/")
    assert [s.repository for s in store.for_channel("C1")] == ["octo/Hello-World", "octo/other"]
    found = store.for_repository("OCTO/HELLO-WORLD")
    assert [(s.channel, s.paths) for s in found] == [("C1", ()), ("C2", ("src/",))]
    assert store.for_channel("C3") == []


def test_subscribing_again_replaces_paths_and_keeps_one(store: SubscriptionStore) -> None:
    first, replaced = add(store, "C1", "octo/repo", None, "docs/")
    assert not replaced
    second, replaced = add(store, "C1", "octo/repo", None, "src/", "docs/")
    assert replaced
    assert second.created_at == first.created_at
    assert store.for_channel("C1") == [second]
    assert second.paths == ("src/", "docs/")


def test_unsubscribe_everything_for_a_repository(store: SubscriptionStore) -> None:
    add(store, "C1", "octo/repo")
    add(store, "C1", "octo/repo", "release")
    add(store, "C2", "octo/repo")
    removed, kept = unsubscribe(store, channel="C1", repository="octo/repo")
    assert sorted(s.branch or "" for s in removed) == ["", "release"]
    assert kept == []
    assert store.for_channel("C1") == []
    assert [s.channel for s in store.for_repository("octo/repo")] == ["C2"]


def test_unsubscribe_narrowed_to_a_branch_or_to_paths(store: SubscriptionStore) -> None:
    add(store, "C1", "octo/repo")
    add(store, "C1", "octo/repo", "release", "docs/", "src/")
    removed, kept = unsubscribe(
        store,
        channel="C1",
        repository="octo/repo",
        branch="release",
        narrowed=True,
        paths=("docs/",),
    )
    assert removed == [] and kept[0].paths == ("src/",)
    removed, kept = unsubscribe(
        store,
        channel="C1",
        repository="octo/repo",
        branch="release",
        narrowed=True,
        paths=("src/",),
    )
    assert [s.branch for s in removed] == ["release"] and kept == []
    assert [s.branch for s in store.for_channel("C1")] == [None]
    with pytest.raises(SubscriptionError):
        unsubscribe(store, channel="C1", repository="octo/repo", narrowed=True, paths=("nowhere/",))
    assert unsubscribe(store, channel="C1", repository="octo/none", narrowed=True) == ([], [])


def test_a_channel_has_a_limit(store: SubscriptionStore) -> None:
    for i in range(MAX_SUBSCRIPTIONS_PER_CHANNEL):
        add(store, "C1", f"octo/r{i}")
    with pytest.raises(SubscriptionError) as caught:
        add(store, "C1", "octo/one-more")
    assert str(caught.value) == messages.SUBS_TOO_MANY.format(limit=MAX_SUBSCRIPTIONS_PER_CHANNEL)
    add(store, "C1", "octo/r0", None, "docs/")  # replacing is still allowed


def test_keys_carry_the_configured_prefix(
    store: SubscriptionStore, redis_client: redis.Redis, redis_prefix: str
) -> None:
    add(store, "C1", "octo/repo")
    keys = sorted(k.decode() for k in redis_client.scan_iter(match=f"{redis_prefix}*"))
    assert keys == [f"{redis_prefix}subs:channel:C1", f"{redis_prefix}subs:repo:octo/repo"]


def test_follows_the_named_or_the_default_branch() -> None:
    assert Subscription("C", "o/r").follows("main", "main")
    assert not Subscription("C", "o/r").follows("dev", "main")
    assert Subscription("C", "o/r", "dev").follows("dev", "main")
    assert not Subscription("C", "o/r", "dev").follows("main", "main")


def test_json_round_trip() -> None:
    sub = Subscription("C1", "o/r", "main", ("docs/**",), "U1", 12.5)
    assert Subscription.from_json(sub.to_json()) == sub


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("main", True),
        ("release/1.2", True),
        ("feature/x_y-z", True),
        ("docs/", False),
        ("docs/**", False),
        ("*.md", False),
        ("-x", False),
        ("a..b", False),
        ("a b", False),
        ("x.lock", False),
        ("a@{1}", False),
        ("", False),
    ],
)
def test_branch_names(text: str, ok: bool) -> None:
    assert is_branch_name(text) is ok


def test_repository_and_path_rules() -> None:
    assert check_repository("octo", "repo.git") == "octo/repo"
    for owner, repo in [("-octo", "r"), ("octo", "re po"), ("octo", "..")]:
        with pytest.raises(SubscriptionError):
            check_repository(owner, repo)
    assert check_paths(["./docs/", "/src/**", "docs/"]) == ("docs/", "src/**")
    for bad in (["../etc"], ["a" * 201], [""]):
        with pytest.raises(SubscriptionError):
            check_paths(bad)
    with pytest.raises(SubscriptionError):
        check_paths([f"p{i}/" for i in range(MAX_PATHS + 1)])


# --- the slash command's replies (handlers/subscriptions.answer) ---------------------------


@pytest.fixture
def github(make_repo) -> Iterator[FakeGitHub]:
    path, _ = make_repo([{"README.md": "hello\n"}])
    with FakeGitHub() as fake:
        fake.add_repo("octo", "public", path)
        fake.add_repo("octo", "secret", path, private=True)
        yield fake


@pytest.fixture
def cmd_config(config: Config, github: FakeGitHub, slack: FakeSlack) -> Config:
    return replace(
        config,
        github_api_url=github.api_url,
        github_token="test-token",
        github_webhook_secret="s3cret",
        public_url="https://bot.example.com",
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
    )


def say(config: Config, text: str, channel: str = "C1") -> str:
    """The ack, or, for subscribe, what the job then told the person privately."""
    ack = answer(config, text.split(), channel, "U1")
    if not text.startswith("subscribe") or not run_subscribe_jobs(config):
        return ack
    assert ack.startswith(messages.SUBS_CHECKING.split("{")[0])
    told = [m for m in SLACK[0].messages(channel) if m.ephemeral and m.user == "U1"]
    return html.unescape(told[-1].text)


SLACK: list[FakeSlack] = []


@pytest.fixture(autouse=True)
def _slack_for_say(slack: FakeSlack) -> Iterator[None]:
    SLACK.append(slack)
    yield
    SLACK.remove(slack)


def test_subscribe_reply_says_what_was_stored_and_how_to_set_up_the_webhook(
    cmd_config: Config,
) -> None:
    reply = say(cmd_config, "subscribe octo/public main docs/** src/")
    assert reply.startswith(
        messages.SUBS_STORED.format(what="*octo/public*, `main`, `docs/**`, `src/`")
    )
    assert "https://bot.example.com/github/webhook" in reply
    assert f"{cmd_config.github_web_url}/octo/public/settings/hooks/new" in reply
    assert "application/json" in reply and "*Pushes*" in reply
    assert messages.SUBS_SETUP_NO_SECRET not in reply
    again = say(cmd_config, "subscribe <https://github.com/octo/public|octo/public> docs/")
    assert again.startswith(messages.SUBS_STORED.split("{")[0])
    assert "the default branch, `docs/`" in again
    listed = say(cmd_config, "list")
    assert listed.splitlines() == [
        messages.SUBS_LIST_HEAD.format(count=2),
        "• *octo/public*, `main`, `docs/**`, `src/`",
        "• *octo/public*, the default branch, `docs/`",
    ]
    assert say(cmd_config, "list", channel="C2") == messages.SUBS_NONE


def test_setup_text_names_what_the_server_still_lacks(cmd_config: Config) -> None:
    bare = replace(cmd_config, public_url=None, github_webhook_secret=None)
    reply = say(bare, "subscribe octo/public")
    assert messages.SUBS_SETUP_NO_PUBLIC_URL.format(path="/github/webhook") in reply
    assert messages.SUBS_SETUP_NO_SECRET in reply


def test_private_repositories_follow_the_report_rule(cmd_config: Config) -> None:
    refused = say(cmd_config, "subscribe octo/secret")
    assert "DIFFINSIGHT_ALLOWED_REPOS" in refused
    assert say(cmd_config, "list") == messages.SUBS_NONE
    allowed = replace(cmd_config, allowed_repos=("octo/*",))
    assert say(allowed, "subscribe octo/secret").startswith(messages.SUBS_STORED.split("{")[0])
    missing = say(cmd_config, "subscribe octo/nowhere")
    assert say(cmd_config, "list").startswith(messages.SUBS_LIST_HEAD.format(count=1))
    assert missing and not missing.startswith(messages.SUBS_STORED.split("{")[0])


def test_unsubscribe_replies(cmd_config: Config) -> None:
    say(cmd_config, "subscribe octo/public")
    say(cmd_config, "subscribe octo/public release docs/ src/")
    narrowed = say(cmd_config, "unsubscribe octo/public release docs/")
    assert narrowed == messages.SUBS_NARROWED.format(what="*octo/public*, `release`, `src/`")
    removed = say(cmd_config, "unsubscribe octo/public")
    assert removed.splitlines()[0] == messages.SUBS_REMOVED.format(count=2)
    assert say(cmd_config, "unsubscribe octo/public") == (
        messages.SUBS_NOTHING_TO_REMOVE.format(repository="octo/public")
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("subscribe", messages.SUBS_USAGE),
        ("unsubscribe", messages.SUBS_USAGE),
        ("subscribe octo", messages.SUBS_BAD_REPOSITORY.format(text="octo")),
        ("subscribe a/b/c", messages.SUBS_BAD_REPOSITORY.format(text="a/b/c")),
        (
            "subscribe https://example.com/octo/public",
            messages.SUBS_BAD_REPOSITORY.format(text="https://example.com/octo/public"),
        ),
        ("subscribe octo/public main ../x", messages.SUBS_BAD_PATH.format(text="../x")),
        ("subscribe <!channel>/x", messages.SUBS_BAD_REPOSITORY.format(text="&lt;!channel&gt;/x")),
    ],
)
def test_bad_input_gets_a_clear_reply(cmd_config: Config, text: str, expected: str) -> None:
    reply = say(cmd_config, text)
    assert reply.startswith(expected)
    assert say(cmd_config, "list") == messages.SUBS_NONE


def test_store_down_is_said_plainly(cmd_config: Config) -> None:
    down = replace(cmd_config, redis_url="redis://127.0.0.1:1/0")
    assert say(down, "list") == messages.SUBS_STORE_DOWN
    assert answer(down, ["subscribe", "octo/public"], "C1", "U1") == messages.SUBS_STORE_DOWN


def test_subscribe_acks_without_calling_github_and_tells_the_outcome(
    cmd_config: Config, github: FakeGitHub, slack: FakeSlack
) -> None:
    """Issue 11 #10: the ack waited on GitHub (5 s when it was slow; Slack allows 3)."""
    github.faults.inject(delay=2.0)
    before = len(github.requests)
    ack = answer(cmd_config, ["subscribe", "octo/public"], "C1", "U1")
    assert len(github.requests) == before  # nothing on the request path
    assert ack.startswith(messages.SUBS_CHECKING.format(repository="octo/public", what="")[:40])
    assert say(cmd_config, "list") == messages.SUBS_NONE  # not stored before it is checked
    assert run_subscribe_jobs(cmd_config) == 1
    told = [m.text for m in slack.messages("C1") if m.ephemeral and m.user == "U1"]
    assert told[-1].startswith(messages.SUBS_STORED.split("{")[0])
    assert say(cmd_config, "list").startswith(messages.SUBS_LIST_HEAD.format(count=1))


def test_a_subscription_github_refuses_is_told_and_not_stored(
    cmd_config: Config, github: FakeGitHub
) -> None:
    refused = say(cmd_config, "subscribe octo/nowhere")
    assert refused.startswith(messages.SUBS_NOT_STORED.split("{")[0])
    assert say(cmd_config, "list") == messages.SUBS_NONE
