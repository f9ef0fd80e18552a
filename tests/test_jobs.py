"""Queueing report jobs and running one job in-process: dedup, plain values, retries, telling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rq.job import Job
from slack_sdk import WebClient

from bot import messages
from bot.config import Config
from bot.jobs.queue import (
    RETRY_INTERVALS,
    ReportJob,
    enqueue,
    enqueue_report,
    get_queue,
)
from bot.jobs.run import PostRecord, run_report_job, tell_lost_job
from bot.jobs.tasks import build_and_post, use_config
from bot.slack.poster import SlackPoster
from tests.fakes.slack import FakeSlack
from tests.support import top_level, unpaced_poster

PLAIN = (str, int, bool, type(None), tuple)


@pytest.fixture
def cfg(config: Config, slack: FakeSlack) -> Config:
    return replace(
        config,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        public_url="https://di.example",
    )


@pytest.fixture
def repo(make_repo) -> Path:
    path, _ = make_repo(
        [
            {"README.md": "# Demo\n", "app.py": "x = 1\n"},
            {"README.md": "# Demo\n\nMore.\n", "app.py": "x = 2\n"},
        ]
    )
    return path


def report_job(
    repo: Path, channel: str = "C1", source: str = "HEAD~1...HEAD", **kw: object
) -> ReportJob:
    return ReportJob(source=source, channel=channel, git_path=str(repo), **kw)


def test_a_job_carries_plain_values_and_retries_with_backoff(cfg: Config, repo: Path, redis_client):
    result = enqueue_report(cfg, report_job(repo, requester="U1", dedup_key="d1"))
    assert result.duplicate is False
    job = Job.fetch(result.job_id, connection=redis_client)
    assert job.func_name == "bot.jobs.tasks.build_and_post"
    assert job.origin == cfg.queue_name
    assert all(isinstance(v, PLAIN) for v in job.kwargs.values())
    assert not any("token" in k or "secret" in k for k in job.kwargs)
    assert job.kwargs["post_key"] == result.job_id
    assert job.retries_left == 3 and job.retry_intervals == list(RETRY_INTERVALS)


def test_a_dedup_key_is_enqueued_once(cfg: Config, repo: Path):
    first = enqueue_report(cfg, report_job(repo, dedup_key="delivery-1"))
    again = enqueue_report(cfg, report_job(repo, dedup_key="delivery-1"))
    other = enqueue_report(cfg, report_job(repo, dedup_key="delivery-2"))
    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert again.job_id == first.job_id
    assert get_queue(cfg).count == 2


def test_concurrent_enqueues_of_one_dedup_key_queue_one_job(cfg: Config, repo: Path):
    from concurrent.futures import ThreadPoolExecutor

    job = report_job(repo, dedup_key="slack-retry-1")
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: enqueue_report(cfg, job), range(20)))
    assert sum(not r.duplicate for r in results) == 1
    assert len({r.job_id for r in results}) == 1
    assert get_queue(cfg).job_ids == [results[0].job_id]


KILLED_MID_ENQUEUE = """
import json, os, sys
from dataclasses import replace
from rq import Queue
from bot.config import load_config
from bot.jobs.queue import ReportJob, enqueue_report

opts = json.loads(sys.argv[1])
config = replace(load_config({}), **opts)

def enqueue_job(self, job, pipeline=None, **kw):
    os._exit(9)  # the process dies as the job is about to be queued, as a killed worker would

Queue.enqueue_job = enqueue_job
enqueue_report(config, ReportJob(source="o/r a...b", channel="C1", dedup_key="merge:x"))
"""


def test_a_process_killed_while_enqueueing_leaves_no_dedup_mark_behind(cfg: Config):
    import json
    import subprocess
    import sys

    opts = {f: getattr(cfg, f) for f in ("redis_url", "redis_prefix", "queue_name")}
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MID_ENQUEUE, json.dumps(opts)],
        cwd=Path(__file__).parent.parent,
        timeout=60,
    )
    assert done.returncode == 9
    assert get_queue(cfg).count == 0
    # The retry (a fan-out rerun, a redelivery) queues the report instead of dropping it.
    again = enqueue_report(cfg, ReportJob(source="o/r a...b", channel="C1", dedup_key="merge:x"))
    assert again.duplicate is False and get_queue(cfg).job_ids == [again.job_id]


def test_generic_enqueue_for_other_job_kinds(cfg: Config, redis_client):
    result = enqueue(cfg, "bot.names.report_url", {"public_url": None, "report_id": "x"}, "u:1")
    assert enqueue(cfg, "bot.names.report_url", {}, "u:1").duplicate is True
    assert Job.fetch(result.job_id, connection=redis_client).func_name == "bot.names.report_url"


def test_run_posts_placeholder_then_report_once(cfg: Config, repo: Path, slack: FakeSlack):
    job = report_job(repo, requester="U1")
    report_id = run_report_job(cfg, job, "post-1", retries_left=0, poster=unpaced_poster(cfg))
    parents = top_level(slack, "C1")
    assert len(parents) == 1 and parents[0].edits >= 1  # the placeholder, replaced in place
    assert f"https://di.example/reports/{report_id}" in str(parents[0].blocks)
    assert len(slack.thread("C1", parents[0].ts)) >= 1
    calls = len(slack.calls)
    assert run_report_job(cfg, job, "post-1", retries_left=0, poster=unpaced_poster(cfg)) == (
        "already-posted"
    )
    assert len(slack.calls) == calls


class FlakyPoster(SlackPoster):
    """The real poster, whose first report post loses its connection (a transient failure)."""

    failures = 1

    def post_report(self, *args, **kw):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("connection reset by peer")
        return super().post_report(*args, **kw)


def test_a_transient_failure_is_retried_without_a_second_placeholder(
    cfg: Config, repo: Path, slack: FakeSlack
):
    job = report_job(repo, requester="U1")
    flaky = FlakyPoster(cfg, pace_seconds=0, progress_interval=0)
    with pytest.raises(ConnectionError):
        run_report_job(cfg, job, "post-2", retries_left=2, poster=flaky)
    assert PostRecord.open(cfg, "post-2").get("placeholder_ts")
    assert not [m for m in slack.messages("C1") if m.ephemeral]  # not told yet: will retry
    retry = SlackPoster(cfg, pace_seconds=0, progress_interval=0)  # another worker's
    run_report_job(cfg, job, "post-2", retries_left=1, poster=retry)
    progress = [
        c.args["text"] for c in slack.calls_to("chat.update") if "files done" in str(c.args)
    ]
    assert progress and all("this change" not in t for t in progress), progress
    parents = top_level(slack, "C1")
    assert len(parents) == 1
    thread = [m for m in slack.thread("C1", parents[0].ts) if not m.files]
    assert len(slack.calls_to("chat.postMessage")) == 1 + len(thread)
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


def test_the_last_failure_is_told_to_the_requester_once(cfg: Config, repo: Path, slack: FakeSlack):
    job = report_job(repo, requester="U1")
    for _ in range(2):
        slack.fail_next("chat.postMessage", "internal_error")
        with pytest.raises(Exception):  # noqa: B017
            run_report_job(cfg, job, "post-3", retries_left=0, poster=unpaced_poster(cfg))
    told = [m for m in slack.messages("C1") if m.ephemeral]
    assert len(told) == 1 and told[0].user == "U1"
    assert "internal_error" in told[0].text


def test_an_unreadable_source_is_told_at_once_and_not_retried(
    cfg: Config, repo: Path, slack: FakeSlack
):
    job = report_job(repo, requester="U1", source="HEAD~1...no-such-branch")
    assert (
        run_report_job(cfg, job, "post-4", retries_left=3, poster=unpaced_poster(cfg)) == "failed"
    )
    told = [m for m in slack.messages("C1") if m.ephemeral]
    assert len(told) == 1 and "no-such-branch" in told[0].text
    # The "building" parent does not spin for ever: it says the report will not come.
    [parent] = top_level(slack, "C1")
    assert "could not be built" in parent.text and "Building" not in parent.text


def test_a_regenerate_that_fails_leaves_the_report_as_it_was(
    cfg: Config, repo: Path, slack: FakeSlack
):
    """Issue 11 #7: the failure is the clicker's to hear, not a line over everyone's report."""
    run_report_job(cfg, report_job(repo), "post-7", retries_left=0, poster=unpaced_poster(cfg))
    [parent] = top_level(slack, "C1")
    gone = report_job(
        repo, source="HEAD~1...gone", regenerate=True, message_ts=parent.ts, requester="U1"
    )
    assert (
        run_report_job(cfg, gone, "post-8", retries_left=0, poster=unpaced_poster(cfg)) == "failed"
    )
    [again] = top_level(slack, "C1")
    assert again.ts == parent.ts and (again.text, again.blocks) == (parent.text, parent.blocks)
    told = [m.text for m in slack.messages("C1") if m.ephemeral and m.user == "U1"]
    assert told[-1].startswith("I could not build the report")


def test_a_channel_without_the_bot_is_told_through_the_response_url(
    cfg: Config, repo: Path, slack: FakeSlack
):
    slack.not_in_channel.add("C9")
    url = slack.response_url()
    job = report_job(repo, channel="C9", requester="U1", response_url=url)
    assert (
        run_report_job(cfg, job, "post-5", retries_left=3, poster=unpaced_poster(cfg)) == "failed"
    )
    assert [r["text"] for r in slack.responses(url)] == [messages.SLACK_NOT_IN_CHANNEL]


def test_build_and_post_is_the_job_entry_point(cfg: Config, repo: Path, slack: FakeSlack):
    use_config(replace(cfg, public_url=None))
    try:
        fields = {**vars(report_job(repo)), "post_key": "post-6"}
        report_id = build_and_post(**fields)
    finally:
        use_config(None)
    assert len(report_id) == 32
    assert len(top_level(slack, "C1")) == 1


def test_only_network_and_redis_failures_count_as_transient():
    import redis as redis_lib

    from bot.errors import NotFoundError, RateLimitedError
    from bot.jobs.run import is_transient
    from bot.store.connection import RedisUnavailable

    assert is_transient(ConnectionError("reset"))
    assert is_transient(TimeoutError())
    assert is_transient(redis_lib.ConnectionError("down"))
    assert is_transient(RedisUnavailable("down"))
    assert is_transient(RateLimitedError(None))
    assert not is_transient(NotFoundError("gone"))
    assert not is_transient(KeyError("a bug"))
    assert not is_transient(TypeError("a bug"))


@pytest.mark.parametrize(
    "func",
    [
        "bot.jobs.tasks.build_and_post",
        "bot.jobs.tasks.report_if_touched",
        "bot.jobs.build_and_post",  # queued by the previous release
        "bot.webhook_jobs.report_if_touched",
    ],
)
def test_a_lost_report_job_of_either_kind_is_told_to_its_requester(cfg, slack, redis_client, func):
    lost = Job.create(
        func,
        kwargs={
            "source": "o/r a...b",
            "channel": "C9",
            "requester": "U9",
            "post_key": f"{cfg.redis_prefix}{func}",
        },
        connection=redis_client,
    )
    tell_lost_job(cfg, lost)
    [told] = [m for m in slack.messages("C9") if m.ephemeral]
    assert told.user == "U9" and messages.WORKER_LOST in told.text


class NoThreadPoster(SlackPoster):
    """The real poster, whose connection drops at every thread reply."""

    def _post(self, channel, msg, thread_ts=None):
        if thread_ts:
            raise ConnectionError("connection reset by peer")
        return super()._post(channel, msg, thread_ts)


def test_a_report_whose_thread_failed_is_not_overwritten_as_failed(
    cfg: Config, repo: Path, slack: FakeSlack
):
    broken = NoThreadPoster(cfg, pace_seconds=0, progress_interval=0)
    with pytest.raises(ConnectionError):  # the last attempt: told, and raised for the operator
        run_report_job(
            cfg, report_job(repo, requester="U1"), "post-9", retries_left=0, poster=broken
        )
    [parent] = top_level(slack, "C1")
    assert parent.blocks[0]["type"] == "header" and "could not be built" not in parent.text
    assert [m.user for m in slack.messages("C1") if m.ephemeral] == ["U1"]


def test_slack_answering_after_the_clients_timeout_gives_one_placeholder(
    cfg: Config, repo: Path, slack: FakeSlack
):
    """Issue 11 #15: the SDK repeated a post that timed out though Slack had made it, so two
    "Building" placeholders appeared and one spun for ever."""
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

    impatient = WebClient(
        token=slack.token,
        base_url=slack.api_url,
        timeout=1,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2)],
    )
    slack.faults.inject(delay=2.5, path="chat.postMessage", times=1)  # posted, answered late
    p = SlackPoster(cfg, impatient, pace_seconds=0, progress_interval=0)
    run_report_job(cfg, report_job(repo), "post-slow", retries_left=3, poster=p)
    [parent] = top_level(slack, "C1")
    assert "Diff Insight Report" in parent.text
    assert len([c for c in slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]) == 1
