"""The subscription store on a real Redis, and the rules for names, branches and paths."""

from __future__ import annotations

import pytest
import redis

from bot import messages
from bot.subscriptions import (
    MAX_PATHS,
    MAX_SUBSCRIPTIONS_PER_CHANNEL,
    Subscription,
    SubscriptionError,
    SubscriptionStore,
    check_paths,
    check_repository,
    is_branch_name,
    subscribe,
    unsubscribe,
)


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
