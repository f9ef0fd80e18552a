"""The digest schedule through real workers and RQ's scheduler, on a clock the test moves.

The worker processes read "now" from a Redis key the test sets: RQ's scheduler (which decides
when a scheduled job is due) and the digest tick (which decides which period is due) both.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Worker
from rq.registry import ScheduledJobRegistry

from bot.config import Config
from bot.jobs.queue import DIGEST_TICK, enqueue, get_queue
from bot.jobs.schedule import due_window, latest_boundary, next_tick
from bot.store import keys
from bot.store.digests import DigestSubscription, digest_store
from tests.digest_history import History, commit_file, make_history
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.test_worker import kill_tree, wait_for

ROOT = Path(__file__).parent.parent

WORKER = """
import functools, json, sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
import redis, rq.scheduler
import bot.jobs.digest_run, bot.jobs.schedule
from bot.config import load_config
from bot.slack.poster import SlackPoster
from bot.jobs.worker import run_worker

opts = json.loads(sys.argv[1])
config = replace(load_config({}), **opts["config"], data_dir=Path(opts["data_dir"]))

def clock() -> float:
    return float(redis.Redis.from_url(config.redis_url).get(opts["clock"]))

# The test's clock, for RQ's scheduler and for the digest tick (forks inherit both).
rq.scheduler.current_timestamp = lambda: int(clock())
bot.jobs.schedule.utcnow = lambda: datetime.fromtimestamp(clock(), UTC)
bot.jobs.digest_run.SlackPoster = functools.partial(
    SlackPoster, pace_seconds=0, progress_interval=0
)
sys.exit(run_worker(config, lease_seconds=1.0, maintenance_interval=1, worker_ttl=17))
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_boundaries_daily_and_weekly_on_mondays() -> None:
    assert latest_boundary("daily", 9, at("2026-11-30T08:59:59Z")) == at("2026-11-29T09:00:00Z")
    assert latest_boundary("daily", 9, at("2026-11-30T09:00:00Z")) == at("2026-11-30T09:00:00Z")
    assert latest_boundary("weekly", 9, at("2026-11-30T08:59:59Z")) == at("2026-11-23T09:00:00Z")
    assert latest_boundary("weekly", 9, at("2026-12-06T23:00:00Z")) == at("2026-11-30T09:00:00Z")
    assert latest_boundary("weekly", 0, at("2026-11-30T00:00:00Z")) == at("2026-11-30T00:00:00Z")
    assert next_tick(9, at("2026-11-30T09:00:00Z")) == at("2026-12-01T09:00:00Z")
    assert next_tick(9, at("2026-11-30T08:00:00Z")) == at("2026-11-30T09:00:00Z")


def test_the_first_period_is_the_first_to_end_after_subscribing_and_gaps_fold_into_one() -> None:
    sub = DigestSubscription("C", "o/r", "weekly", created_at=at("2026-11-24T10:00Z").timestamp())
    assert due_window(sub, None, 9, at("2026-11-30T08:59Z")) is None
    assert due_window(sub, None, 9, at("2026-11-30T09:00Z")) == (
        at("2026-11-23T09:00Z"),
        at("2026-11-30T09:00Z"),
    )
    assert due_window(sub, "2026-11-30T09:00:00Z", 9, at("2026-12-06T09:00Z")) is None
    missed = due_window(sub, "2026-11-30T09:00:00Z", 9, at("2026-12-16T12:00Z"))
    assert missed == (at("2026-11-30T09:00Z"), at("2026-12-14T09:00Z"))  # two weeks, one digest
    daily = replace(sub, cadence="daily")
    far = due_window(daily, "2026-01-01T09:00:00Z", 9, at("2026-12-16T12:00Z"))
    assert far == (at("2026-12-16T09:00Z") - timedelta(weeks=5), at("2026-12-16T09:00Z"))


@pytest.fixture
def history(tmp_path: Path) -> History:
    return make_history(tmp_path / "repo")


@pytest.fixture
def gh(history: History) -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("octo", "docs", history.root)
        yield fake


@pytest.fixture
def workers(
    tmp_path: Path, cfg: Config, gh: FakeGitHub
) -> Iterator[Callable[[], subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    fields = ("redis_url", "redis_prefix", "queue_name", "slack_bot_token", "slack_api_url")
    opts = {
        "config": {
            **{f: getattr(cfg, f) for f in fields},
            "github_api_url": gh.api_url,
            "summarizer": "heuristic",
        },
        "data_dir": str(cfg.data_dir),
        "clock": clock_key(cfg),
    }

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(opts)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            kill_tree(proc)


def clock_key(cfg: Config) -> str:
    return f"{cfg.redis_prefix}test-clock"


def set_clock(cfg: Config, client, when: str) -> None:
    client.set(clock_key(cfg), at(when).timestamp())


def digests_posted(slack: FakeSlack, channel: str) -> list:
    return [m for m in slack.messages(channel) if not m.thread_ts and not m.ephemeral]


def stop(procs: list[subprocess.Popen]) -> None:
    """A clean shutdown (SIGTERM): RQ's scheduler gives its lock back."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        assert proc.wait(timeout=30) == 0


def test_one_post_per_period_with_two_workers_and_a_missed_period_posted_once(
    cfg: Config, gh: FakeGitHub, slack: FakeSlack, history: History, workers, redis_client
) -> None:
    store = digest_store(cfg)
    created = at("2026-11-24T10:00:00Z").timestamp()
    store.save(DigestSubscription("C1", "octo/docs", "weekly", created_by="U1", created_at=created))
    nov25 = at("2026-11-25T10:00:00Z").timestamp()
    store.save(DigestSubscription("C2", "octo/docs", "daily", created_by="U1", created_at=nov25))
    store.save(
        DigestSubscription("C3", "octo/docs", "daily", paths=("tools/**",), created_at=nov25)
    )
    set_clock(cfg, redis_client, "2026-11-30T08:59:00Z")
    queue = get_queue(cfg)
    scheduled = ScheduledJobRegistry(queue=queue)

    first = [workers(), workers()]
    wait_for(lambda: len(Worker.all(queue=queue)) == 2, timeout=60)
    wait_for(lambda: len(scheduled.get_job_ids()) == 1)  # both workers asked; one tick
    time.sleep(2)  # RQ's scheduler polls every second: nothing is due yet
    assert slack.calls_to("chat.postMessage") == []

    set_clock(cfg, redis_client, "2026-11-30T09:00:05Z")
    wait_for(
        lambda: len(digests_posted(slack, "C1")) == 1 and len(digests_posted(slack, "C2")) == 1,
        timeout=90,
    )
    # A second tick for the same time (as a second scheduler would run it) claims nothing.
    enqueue(cfg, DIGEST_TICK, {})
    wait_for(lambda: not queue.get_job_ids() and not queue.started_job_registry.get_job_ids())
    time.sleep(1)
    [weekly] = digests_posted(slack, "C1")
    [daily] = digests_posted(slack, "C2")
    assert "(2026-11-23 to 2026-11-30)" in weekly.text
    assert "(2026-11-25 to 2026-11-30)" in daily.text  # its first period: missed days at once
    merged = [m for m in slack.messages("C1") if m.thread_ts == weekly.ts][0]
    assert "At since" in str(merged.blocks) and "At until" not in str(merged.blocks)
    assert digests_posted(slack, "C3") == []  # nothing changed under tools/**: no post
    stop(first)
    assert redis_client.get(f"rq:scheduler-lock:{cfg.queue_name}") is None

    # Workers gone for nine days: the next tick (Dec 1) and the weekly Dec 7 boundary pass.
    commit_file(history.root, "2026-12-02T12:00:00Z", "docs/c.md", "# C\n", "Page C")
    commit_file(history.root, "2026-12-05T12:00:00Z", "docs/c.md", "# C\n\nMore.\n", "More C")
    set_clock(cfg, redis_client, "2026-12-09T10:00:00Z")
    back = [workers(), workers()]
    wait_for(
        lambda: len(digests_posted(slack, "C1")) == 2 and len(digests_posted(slack, "C2")) == 2,
        timeout=90,
    )
    time.sleep(3)  # let any duplicate show itself
    assert len(digests_posted(slack, "C1")) == 2 and len(digests_posted(slack, "C2")) == 2
    missed_weekly = digests_posted(slack, "C1")[1]
    assert "(2026-11-30 to 2026-12-07)" in missed_weekly.text
    merged = [m for m in slack.messages("C1") if m.thread_ts == missed_weekly.ts][0]
    assert "At until" in str(merged.blocks)  # made exactly at the boundary: this period's
    missed_daily = digests_posted(slack, "C2")[1]
    assert "(2026-11-30 to 2026-12-09)" in missed_daily.text  # nine missed days, one digest
    covered = redis_client.hgetall(keys.digest_covered(cfg.redis_prefix))
    assert covered[b"C1\nocto/docs"] == b"2026-12-07T09:00:00Z"
    assert covered[b"C2\nocto/docs"] == b"2026-12-09T09:00:00Z"
    next_ids = scheduled.get_job_ids()
    assert len(next_ids) == 1 and str(int(at("2026-12-10T09:00:00Z").timestamp())) in next_ids[0]
    stop(back)


def test_two_ticks_racing_for_one_period_queue_one_post(cfg: Config, redis_client) -> None:
    """Both read the period as unclaimed (neither has recorded it yet); the claim key decides."""
    from bot.jobs.schedule import claim_digest

    sub = DigestSubscription("C1", "octo/docs", "weekly", created_at=0.0)
    digest_store(cfg).save(sub)
    since, until = at("2026-11-23T09:00Z"), at("2026-11-30T09:00Z")
    assert claim_digest(cfg, sub, since, until) is True
    redis_client.hdel(keys.digest_covered(cfg.redis_prefix), "C1\nocto/docs")  # the race
    assert claim_digest(cfg, sub, since, until) is False
    [job] = get_queue(cfg).get_jobs()
    assert job.func_name == "bot.jobs.tasks.post_digest"
    assert job.kwargs["since"] == "2026-11-23T09:00:00Z"
    assert job.kwargs["until"] == "2026-11-30T08:59:59Z"  # the boundary starts the next period
    claim = keys.digest_claim(cfg.redis_prefix, "C1", "octo/docs", "2026-11-30T09:00:00Z")
    assert redis_client.get(claim) == job.id.encode()
    assert redis_client.ttl(claim) > 60 * 24 * 3600


@pytest.mark.parametrize("raw", ["24", "-1", "9am", "9.5", " "])
def test_digest_hour_is_a_whole_utc_hour(raw: str) -> None:
    from bot.config import ConfigError, load_config

    assert load_config({}).digest_hour == 9
    assert load_config({"DIFFINSIGHT_DIGEST_HOUR": "0"}).digest_hour == 0
    assert load_config({"DIFFINSIGHT_DIGEST_HOUR": "23"}).digest_hour == 23
    if raw.strip():
        with pytest.raises(ConfigError, match="DIFFINSIGHT_DIGEST_HOUR"):
            load_config({"DIFFINSIGHT_DIGEST_HOUR": raw})
    else:
        assert load_config({"DIFFINSIGHT_DIGEST_HOUR": raw}).digest_hour == 9  # blank: unset
