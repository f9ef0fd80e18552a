"""A merge seen as a push and as a merged pull request, in either order: one post per channel,
titled with the pull request (the push's worker asks GitHub which pull request it merged)."""

from __future__ import annotations

import pytest

from bot.jobs.worker import run_worker
from tests.test_webhook_e2e import World, merged_pr_payload, push_payload, world  # noqa: F401

TITLE = "Let the app run"


def merged(world: World) -> dict:  # noqa: F811
    first, second = world.shas[0], world.shas[1]
    world.github.merge_pull("octo", "widgets", 6, second, base_sha=first)
    payload = merged_pr_payload(6, first, second, second)
    payload["pull_request"]["title"] = TITLE
    return payload


@pytest.mark.parametrize("order", [("push", "pull_request"), ("pull_request", "push")])
def test_either_order_posts_once_per_channel_titled_with_the_pull_request(
    world: World,  # noqa: F811
    order: tuple[str, str],
) -> None:
    world.subscribe("C1")
    world.subscribe("C2", "src/")
    events = {
        "push": push_payload(world.shas[0], world.shas[1], ["src/app.py"]),
        "pull_request": merged(world),
    }
    for event in order:
        assert world.deliver(event, events[event]).status_code == 202
        assert run_worker(world.config, burst=True) == 0
    for channel in ("C1", "C2"):
        posts = world.reports(channel)
        assert len(posts) == 1, posts
        assert TITLE in posts[0]
        parent = next(m for m in world.slack.messages(channel) if not m.ephemeral)
        assert "/pull/6" in str(parent.blocks or posts[0])


def test_the_push_asks_github_which_pull_request_it_merged(world: World) -> None:  # noqa: F811
    world.subscribe("C1")
    merged(world)
    world.deliver("push", push_payload(world.shas[0], world.shas[1], ["src/app.py"]))
    run_worker(world.config, burst=True)
    asked = world.github.requests_to(f"/commits/{world.shas[1]}/pulls")
    assert len(asked) == 1 and asked[0].method == "GET"


def test_a_push_that_merged_no_pull_request_stays_a_compare(world: World) -> None:  # noqa: F811
    world.subscribe("C1")
    world.deliver("push", push_payload(world.shas[1], world.shas[2], ["README.md"]))
    run_worker(world.config, burst=True)
    posts = world.reports("C1")
    assert len(posts) == 1 and TITLE not in posts[0] and "Polish the readme" not in posts[0]
    assert len(world.github.requests_to(f"/commits/{world.shas[2]}/pulls")) == 1


def test_a_failed_lookup_still_reports_the_push(world: World) -> None:  # noqa: F811
    world.subscribe("C1")
    merged(world)
    world.github.fail(r"/commits/[0-9a-f]+/pulls$", 500, "Server Error", times=10)
    world.deliver("push", push_payload(world.shas[0], world.shas[1], ["src/app.py"]))
    assert run_worker(world.config, burst=True) == 0
    assert len(world.reports("C1")) == 1


def test_fake_github_lists_the_pull_requests_of_a_commit_as_github_does(
    world: World,  # noqa: F811
) -> None:
    from github import Github, GithubException

    client = Github(base_url=world.github.api_url)
    repo = client.get_repo("octo/widgets")
    shas = world.shas
    # Not merged yet: a commit already on the default branch has no (merged) pull request.
    assert [p.number for p in repo.get_commit(shas[1]).get_pulls()] == []
    merged(world)
    pulls = list(repo.get_commit(shas[1]).get_pulls())
    assert [(p.number, p.title, p.merge_commit_sha) for p in pulls] == [(6, TITLE, shas[1])]
    assert pulls[0].merged_at is not None and pulls[0].state == "closed"
    try:
        list(repo.get_commit("0" * 40).get_pulls())
    except GithubException as exc:
        assert exc.status == 422
    else:
        raise AssertionError("an unknown commit must be refused")
