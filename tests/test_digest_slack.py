"""``/diffinsight digest``: the words, the store, the access check in a job, and the post itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from bot import messages
from bot.config import Config
from bot.jobs.digest_run import check_new_digest, run_digest_job
from bot.jobs.queue import get_queue
from bot.store.digests import DigestSubscription, digest_store
from handlers import slash
from tests.digest_history import SINCE, UNTIL, History, make_history
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack


@pytest.fixture
def history(tmp_path: Path) -> History:
    return make_history(tmp_path / "repo")


@pytest.fixture
def gh(history: History) -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=("tok",)) as fake:
        fake.add_repo("octo", "docs", history.root)
        fake.add_repo("octo", "secret", history.root, private=True)
        fake.add_pull("octo", "docs", 5, "main", "feature", title="Add page B")
        fake.merge_pull(
            "octo", "docs", 5, history.m1, base_sha=history.c2, merged_at="2026-11-26T10:00:00Z"
        )
        yield fake


@pytest.fixture
def dcfg(cfg: Config, gh: FakeGitHub) -> Config:
    return replace(cfg, github_api_url=gh.api_url, github_token="tok", summarizer="heuristic")


def body(text: str, channel: str = "C1", trigger: str = "t1") -> dict:
    return {"text": text, "channel_id": channel, "user_id": "U1", "trigger_id": trigger}


def test_subscribe_list_and_stop_never_call_github(dcfg: Config, gh: FakeGitHub) -> None:
    answer = slash.answer_command(dcfg, body("digest octo/docs weekly main docs/**"))
    assert answer.startswith("This channel now gets a weekly digest of")
    assert "09:00 UTC on Mondays" in answer and "`docs/**`" in answer
    again = slash.answer_command(dcfg, body("digest octo/docs daily"))
    assert again.startswith("Updated: This channel now gets a daily digest")
    listed = slash.answer_command(dcfg, body("digest list"))
    assert listed.splitlines() == [
        "This channel's 1 digest(s):",
        "• *octo/docs*, the default branch, all paths, daily",
    ]
    assert slash.answer_command(dcfg, body("digest list", channel="C2")) == messages.DIGEST_NONE
    stopped = slash.answer_command(dcfg, body("digest stop octo/docs"))
    assert stopped.startswith("Stopped the digest of *octo/docs*")
    assert "no digest of octo/docs" in slash.answer_command(dcfg, body("digest stop octo/docs"))
    assert gh.requests == []  # the request path never reads GitHub


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("digest octo/docs hourly", "'hourly' is not a digest period"),
        ("digest octo weekly", "is not a repository"),
        ("digest octo/docs weekly main docs/../x", "is not a usable path glob"),
        ("digest", "Usage: `/diffinsight digest OWNER/REPO daily|weekly"),
        ("digest octo/docs", "Usage: `/diffinsight digest OWNER/REPO daily|weekly"),
    ],
)
def test_unusable_words_are_told_with_the_usage(dcfg: Config, text: str, says: str) -> None:
    answer = slash.answer_command(dcfg, body(text))
    assert says in answer
    assert digest_store(dcfg).for_channel("C1") == []


def test_after_the_ack_the_access_check_is_queued_and_the_tick_scheduled(
    dcfg: Config, redis_client
) -> None:
    slash.answer_command(dcfg, body("digest octo/docs weekly"))
    assert slash.enqueue_command(dcfg, body("digest octo/docs weekly")) is None
    assert slash.enqueue_command(dcfg, body("digest octo/docs weekly")) is None  # Slack's retry
    queue = get_queue(dcfg)
    [job] = queue.get_jobs()
    assert job.func_name == "bot.jobs.tasks.check_digest"
    assert job.kwargs == {
        "channel": "C1",
        "repository": "octo/docs",
        "cadence": "weekly",
        "created_by": "U1",
    }
    assert len(ScheduledJobRegistry(queue=queue).get_job_ids()) == 1
    assert slash.report_job(dcfg, body("digest octo/docs weekly")) is None


def test_a_private_repository_not_allowed_ends_the_digest_and_tells_its_maker(
    dcfg: Config, slack: FakeSlack
) -> None:
    slash.answer_command(dcfg, body("digest octo/secret weekly"))
    assert check_new_digest(dcfg, "C1", "octo/secret", "weekly", "U1") == "refused"
    assert digest_store(dcfg).get("C1", "octo/secret") is None
    [told] = [m for m in slack.messages("C1") if m.ephemeral]
    assert told.user == "U1" and "DIFFINSIGHT_ALLOWED_REPOS" in told.text
    allowed = replace(dcfg, allowed_repos=("octo/secret",))
    slash.answer_command(allowed, body("digest octo/secret weekly"))
    assert check_new_digest(allowed, "C1", "octo/secret", "weekly", "U1") == "ok"


def stored(config: Config, **kw) -> DigestSubscription:
    sub = DigestSubscription(
        "C1", "octo/docs", "weekly", created_by="U1",
        created_at=datetime(2026, 11, 24, tzinfo=UTC).timestamp(), **kw,
    )  # fmt: skip
    digest_store(config).save(sub)
    return sub


def fields(sub: DigestSubscription, since: str = SINCE, until: str = UNTIL) -> dict:
    return {
        "channel": sub.channel,
        "repository": sub.repository,
        "cadence": sub.cadence,
        "branch": sub.branch,
        "paths": sub.paths,
        "created_by": sub.created_by,
        "since": since,
        "until": until,
    }


def test_a_digest_is_posted_like_a_report(dcfg: Config, slack: FakeSlack, history) -> None:
    sub = stored(dcfg)
    assert run_digest_job(dcfg, fields(sub), "k1", retries_left=0) == "posted"
    [parent] = [m for m in slack.messages("C1") if not m.thread_ts and not m.ephemeral]
    assert "Diff Insight Digest" in parent.text
    assert "Weekly digest, 2026-11-23 to 2026-11-30" in str(parent.blocks)
    assert "Regenerate" not in str(parent.blocks)  # its window has passed
    thread = [m for m in slack.messages("C1") if m.thread_ts == parent.ts]
    merged = str(thread[0].blocks)
    assert "Merged in this period" in merged and "#5" in merged and "Add page B" in merged
    [upload] = slack.calls_to("files.completeUploadExternal")
    assert upload.args["channel_id"] == "C1"
    # The same claim again (a retry after the post): nothing is posted twice.
    assert run_digest_job(dcfg, fields(sub), "k1", retries_left=0) == "already-posted"
    assert len([m for m in slack.messages("C1") if not m.thread_ts]) == 1


def test_an_empty_period_posts_nothing(dcfg: Config, slack: FakeSlack) -> None:
    sub = stored(dcfg)
    quiet = fields(sub, since="2026-11-21T00:00:00Z", until="2026-11-22T00:00:00Z")
    assert run_digest_job(dcfg, quiet, "k2", retries_left=0) == "empty"
    untouched = stored(dcfg, paths=("tools/**",))
    assert run_digest_job(dcfg, fields(untouched), "k3", retries_left=0) == "empty"
    assert slack.calls_to("chat.postMessage") == []


def test_a_slack_failure_is_retried_and_the_digest_posted_once(
    dcfg: Config, slack: FakeSlack
) -> None:
    sub = stored(dcfg)
    slack.fail_next("files.completeUploadExternal", "internal_error")
    with pytest.raises(Exception, match="internal_error"):
        run_digest_job(dcfg, fields(sub), "k4", retries_left=2)
    assert run_digest_job(dcfg, fields(sub), "k4", retries_left=1) == "posted"
    assert len([m for m in slack.messages("C1") if not m.thread_ts and not m.ephemeral]) == 1
    assert not [m for m in slack.messages("C1") if m.ephemeral]


def test_a_stopped_digest_is_not_posted_and_a_repository_gone_ends_it(
    dcfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    sub = stored(dcfg)
    digest_store(dcfg).delete("C1", "octo/docs")
    assert run_digest_job(dcfg, fields(sub), "k5", retries_left=0) == "stopped"
    sub = stored(dcfg)
    gh.repos.pop(("octo", "docs"))
    assert run_digest_job(dcfg, fields(sub), "k6", retries_left=0) == "failed"
    assert digest_store(dcfg).get("C1", "octo/docs") is None
    [told] = [m for m in slack.messages("C1") if m.ephemeral]
    assert "was removed" in told.text and told.user == "U1"


def test_a_branch_the_repository_does_not_have_ends_the_new_digest(
    dcfg: Config, slack: FakeSlack
) -> None:
    slash.answer_command(dcfg, body("digest octo/docs weekly nope"))
    assert digest_store(dcfg).get("C1", "octo/docs") is not None
    assert check_new_digest(dcfg, "C1", "octo/docs", "weekly", "U1") == "refused"
    assert digest_store(dcfg).get("C1", "octo/docs") is None
    [told] = [m for m in slack.messages("C1") if m.ephemeral]
    assert "nope" in told.text and "was removed" in told.text
    slash.answer_command(dcfg, body("digest octo/docs weekly feature"))
    assert check_new_digest(dcfg, "C1", "octo/docs", "weekly", "U1") == "ok"


def test_the_full_report_link_opens_the_digest_itself(dcfg: Config, slack: FakeSlack) -> None:
    """The page behind "Full report" is the digest (period, merged list), not a plain report."""
    from bot.render.html import render_html
    from bot.store.cache import load_report_by_id

    cfg = replace(dcfg, public_url="https://bot.example")
    sub = stored(cfg)
    assert run_digest_job(cfg, fields(sub), "k7", retries_left=0) == "posted"
    [parent] = [m for m in slack.messages("C1") if not m.thread_ts and not m.ephemeral]
    [url] = [u for u in _urls(parent.blocks) if u.startswith("https://bot.example/reports/")]
    page = load_report_by_id(cfg, url.rsplit("/", 1)[-1])
    assert (
        page is not None and page.is_digest and page.title.startswith("[en_US] Diff Insight Digest")
    )
    html = render_html(page, url.rsplit("/", 1)[-1])
    assert '<section id="merged">' in html and "Add page B" in html


def _urls(value: object) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in _urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return [value] if isinstance(value, str) and value.startswith("http") else []
