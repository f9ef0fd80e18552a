"""Every function RQ runs, in one module: RQ stores each job's dotted path in Redis.

Each entry point takes the job's plain keyword arguments, finds the worker's configuration
and hands the work to the module that does it. Moving an entry point strands the jobs already
queued under its old path, so bot/jobs/__init__.py, bot/webhook_jobs.py and bot/unfurl.py keep
the paths of the previous layout importable (see README, "Upgrading").
"""

from __future__ import annotations

import uuid
from typing import Any

from rq import get_current_job

from bot.config import Config, load_config
from bot.jobs import fanout, schedule
from bot.jobs.digest_run import check_new_digest, run_digest_job
from bot.jobs.queue import ReportJob
from bot.jobs.run import run_report_job
from bot.jobs.subscribe import verify_and_subscribe
from bot.slack import unfurl

_worker_config: Config | None = None


def use_config(config: Config | None) -> None:
    """Jobs in this process use ``config`` (set by the worker) instead of the environment."""
    global _worker_config
    _worker_config = config


def current_config() -> Config:
    return _worker_config or load_config()


def build_and_post(post_key: str | None = None, **fields: Any) -> str:
    """The report job: placeholder, build (cached, single flight) with progress, post.

    Returns the report id, or a short word when nothing was posted. Transient failures
    raise, so RQ retries them; the last failure, and any failure a retry cannot fix, is told
    to the requester.
    """
    job = ReportJob.from_fields(fields)
    current = get_current_job()
    key = post_key or (current.id if current else None) or job.dedup_key or uuid.uuid4().hex
    retries_left = (current.retries_left or 0) if current else 0
    return run_report_job(current_config(), job, key, retries_left=retries_left)


def report_if_touched(post_key: str | None = None, **fields: Any) -> str:
    """A webhook report for a path-filtered channel: posted only when the change touches
    its paths (a merged pull request's delivery does not list its files)."""
    if not fanout.touches_paths(current_config(), fields, post_key):
        return fanout.SKIPPED
    return build_and_post(post_key=post_key, **fields)


def fan_out(reports: list[dict[str, Any]], merged_push: dict[str, str] | None = None) -> str:
    """One webhook delivery: queue each subscribed channel's report, once each."""
    return fanout.fan_out(current_config(), reports, merged_push)


def build_and_unfurl(url: str, channel: str, message_ts: str) -> str:
    """A pasted link's preview: build (or find) its report and attach it to the message."""
    return unfurl.build_and_unfurl(current_config(), url, channel, message_ts)


def digest_tick() -> int:
    """Scheduled daily at DIFFINSIGHT_DIGEST_HOUR: claim and queue every digest now due."""
    return schedule.run_tick(current_config())


def post_digest(post_key: str, **fields: Any) -> str:
    """One channel's digest of one period: build it and post it, or nothing when empty."""
    current = get_current_job()
    retries_left = (current.retries_left or 0) if current else 0
    return run_digest_job(current_config(), fields, post_key, retries_left=retries_left)


def check_digest(channel: str, repository: str, cadence: str, created_by: str | None) -> str:
    """A new digest: may its repository be read? If not, it goes and its maker hears."""
    return check_new_digest(current_config(), channel, repository, cadence, created_by)


def subscribe_channel(**fields: Any) -> str:
    """``/diffinsight subscribe``: check access (GitHub), store, tell the person the outcome."""
    current = get_current_job()
    final = not (current and (current.retries_left or 0) > 0)
    return verify_and_subscribe(current_config(), fields, final=final)
