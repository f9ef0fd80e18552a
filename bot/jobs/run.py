"""Running one report job in a worker: what was posted is recorded, so retries never repeat it.

The record (a small Redis hash per job) holds the placeholder's ``ts`` once it is posted,
each thread reply and the file once they are, ``done`` once the report is, and ``told`` once
the requester heard of a failure. A retry that finds ``done`` does nothing; one that finds a
placeholder updates it instead of posting a second one, and replies already in the thread
are not posted again (a worker killed, or a connection lost, half way through the thread).
What a parent's thread holds is recorded apart, per channel + parent ts (:meth:`PostRecord.thread`),
so a Regenerate job rewrites that thread instead of posting a second one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from rq.job import Job
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.build import parse_request
from bot.config import Config
from bot.errors import SourceReadError
from bot.jobs.queue import RECORD_TTL, REPORT_JOB_FUNCTIONS, Origin, ReportJob
from bot.names import report_url
from bot.request import ReportRequest
from bot.slack.poster import CHANNEL_ERRORS, SlackPoster, SlackTarget
from bot.slack.unfurl import remember_link
from bot.sources import Source, SourceError, parse_source
from bot.store import keys
from bot.store.cache import cached_build
from bot.store.connection import RedisUnavailable, get_redis
from bot.store.keepalive import renewed_lock

log = logging.getLogger(__name__)

THREAD_TTL = 90 * 24 * 3600
"""How long a Regenerate still rewrites the message's thread instead of adding a second one."""
THREAD_LOCK_WAIT = 600
"""Longest wait for another job writing the same thread; then a retry (a Redis LockError)."""
THREAD_LOCK_SECONDS = 30
"""The thread lock's life without renewal: its holder renews it every 10 s while it posts."""


@dataclass
class PostRecord:
    """What one job has posted so far, kept in Redis across retries and workers."""

    client: redis.Redis
    name: str
    ttl: int = RECORD_TTL

    @classmethod
    def open(cls, config: Config, post_key: str) -> PostRecord:
        return cls(get_redis(config), keys.posted(config.redis_prefix, post_key))

    @classmethod
    def thread(cls, config: Config, channel: str, parent_ts: str) -> PostRecord:
        """What the thread of one parent message holds, found again by a Regenerate job."""
        name = keys.thread(config.redis_prefix, channel, parent_ts)
        return cls(get_redis(config), name, THREAD_TTL)

    def get(self, field: str) -> str | None:
        """The field's value (``""`` when stored empty, e.g. an upload without a file id)."""
        raw = self.client.hget(self.name, field)
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    def set(self, field: str, value: str) -> None:
        with self.client.pipeline() as pipe:
            pipe.hset(self.name, field, value)
            pipe.expire(self.name, self.ttl)
            pipe.execute()

    def delete(self, field: str) -> None:
        self.client.hdel(self.name, field)

    def claim(self, field: str) -> bool:
        """Set ``field`` unless it is set already; True for the one caller that set it."""
        won = bool(self.client.hsetnx(self.name, field, "1"))
        self.client.expire(self.name, self.ttl)
        return won


def trigger_of(fields: dict[str, Any]) -> str | None:
    """What started a webhook report (said instead of "asked by" the subscriber), else None."""
    job = ReportJob.from_fields(fields)
    if job.origin in (Origin.SLASH, Origin.REGENERATE):
        return None
    if job.origin is Origin.PULL_REQUEST and isinstance(job.pull_number, int):
        return messages.SLACK_TRIGGER_MERGED_PR.format(number=job.pull_number)
    if job.origin is Origin.FORCE_PUSH:
        return messages.SLACK_TRIGGER_FORCE_PUSH_TO.format(branch=job.branch or "?")
    if job.origin is Origin.PUSH:
        if job.branch:
            return messages.SLACK_TRIGGER_PUSH_TO.format(branch=job.branch)
        return messages.SLACK_TRIGGER_PUSH
    return messages.SLACK_TRIGGER_SUBSCRIPTION


def target_of(fields: dict[str, Any]) -> SlackTarget:
    return SlackTarget(
        channel=fields["channel"],
        requester=fields.get("requester"),
        thread_ts=fields.get("thread_ts"),
        message_ts=fields.get("message_ts"),
        response_url=fields.get("response_url"),
        trigger=trigger_of(fields),
    )


def tell_requester(
    config: Config,
    fields: dict[str, Any],
    post_key: str,
    message: str,
    poster: SlackPoster | None = None,
) -> None:
    """Tell the requester once per job, however many times the job fails."""
    if not PostRecord.open(config, post_key).claim("told"):
        return
    try:
        (poster or SlackPoster(config)).post_error(target_of(fields), message)
    except Exception:  # noqa: BLE001 - telling is best effort; the failure is logged
        log.warning("failure not told to requester", extra={"job": post_key})


def is_transient(exc: BaseException) -> bool:
    """Worth retrying? Our errors say so; a channel we cannot post in never heals by itself.

    Anything else is retried only when it is about the network or Redis: a programming error
    would fail the same way three more times, and the requester would wait minutes to hear it.
    """
    if isinstance(exc, SourceError):
        return False
    if isinstance(exc, json.JSONDecodeError):
        return True  # an answer cut short (Slack, GitHub or a proxy between): the next may not be
    if isinstance(exc, SlackApiError):
        return exc.response.get("error") not in CHANNEL_ERRORS
    flag = getattr(exc, "transient", None)
    if flag is not None:
        return bool(flag)
    return isinstance(exc, OSError | redis.RedisError | RedisUnavailable)


def _message_for(job: ReportJob, exc: BaseException, *, retried: bool) -> str:
    """What the requester reads; "after several attempts" only when there were several."""
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or "unknown_error")
        return CHANNEL_ERRORS.get(error) or messages.SLACK_POST_FAILED.format(error=error)
    return failure_message(job.source, exc, retried=retried)


def _remember_for_unfurls(config: Config, job: ReportJob, source: Source, report_id: str) -> None:
    """A link reported with the defaults unfurls from the cache the next time it is pasted."""
    defaults = (
        not job.paths
        and job.git_path is None
        and job.lang in (None, config.lang)
        and job.summarizer in (None, config.summarizer)
    )
    if not defaults:
        return
    try:
        remember_link(config, source, report_id)
    except RedisUnavailable:
        log.info("link not remembered for unfurls", extra={"report": report_id[:8]})


def _post(config: Config, job: ReportJob, record: PostRecord, poster: SlackPoster) -> str:
    request = ReportRequest(
        source=job.source,
        git_path=job.git_path,
        paths=job.paths,
        lang=job.lang,
        summarizer=job.summarizer,
    )
    parsed = parse_request(request, config)
    source = parsed.source
    target = target_of(vars(job))
    what = f"{source.repository} {source.range_text}"
    regenerating = bool(job.regenerate and target.message_ts)
    if regenerating:
        # The report everyone sees stays until the new one replaces it: no placeholder over
        # it, no progress in it; the clicker hears privately that it is under way.
        parent_ts = str(target.message_ts)
        if record.get("regenerating") is None:
            record.set("regenerating", parent_ts)
            _tell_quietly(poster, target, messages.SLACK_REGENERATING)
    else:
        parent_ts = record.get("placeholder_ts") or ""
        if not parent_ts:
            parent_ts = poster.post_placeholder(target, what)
            record.set("placeholder_ts", parent_ts)
        else:
            poster.resume_placeholder(parent_ts, what)

    def progress(stage: str, done: int, total: int) -> None:
        if regenerating:
            return
        try:
            poster.progress(target, parent_ts, done, total)
        except Exception:  # noqa: BLE001 - progress is a courtesy, never a failure
            log.info("progress not shown", extra={"ts": parent_ts})

    outcome = cached_build(request, config, progress, refresh=job.regenerate, parsed=parsed)
    _remember_for_unfurls(config, job, source, outcome.report_id)
    # One writer per thread: a Regenerate clicked while the first job still posts the thread
    # (the button shows as soon as the parent does) waits, then rewrites what that job wrote.
    # Held briefly and renewed while held: a worker that dies lets it lapse in seconds,
    # not after the job timeout, so the recovered job does not wait behind a dead holder.
    name = keys.thread_lock(config.redis_prefix, target.channel, parent_ts)
    with renewed_lock(get_redis(config), name, THREAD_LOCK_SECONDS, THREAD_LOCK_WAIT):
        result = poster.post_report(
            outcome.report,
            target,
            parent_ts=parent_ts,
            report_url=report_url(config.public_url, outcome.report_id),
            source=job.source,
            paths=job.paths,
            journal=record,
            threads=lambda channel, ts: PostRecord.thread(config, channel, ts),
        )
    record.set("report_id", outcome.report_id)
    record.set("done", result.error or "posted")
    return outcome.report_id


def _tell_quietly(poster: SlackPoster, target: SlackTarget, text: str) -> None:
    try:
        poster.post_error(target, text)
    except Exception:  # noqa: BLE001 - a courtesy: the report itself is what matters
        log.info("notice not delivered", extra={"channel": target.channel})


def _mark_failed(config: Config, job: ReportJob, record: PostRecord, poster: SlackPoster) -> None:
    """The placeholder of a report that will not come says so (best effort, once it is final).

    A failed Regenerate has no placeholder: the old report stays, the clicker was told.
    """
    ts = record.get("placeholder_ts")
    if not ts or record.get("parent"):  # the report itself is up: only its thread failed
        return
    try:
        source = parse_source(job.source, github_web_host=config.github_web_host)
        repository, range_text = source.repository, source.range_text
    except SourceError:
        repository, range_text = "", ""
    try:
        poster.mark_failed(target_of(vars(job)), ts, repository, range_text)
    except Exception:  # noqa: BLE001 - the requester was told already; this is a courtesy
        log.info("placeholder not marked failed", extra={"ts": ts})


def run_report_job(
    config: Config,
    job: ReportJob,
    post_key: str,
    *,
    retries_left: int,
    poster: SlackPoster | None = None,
) -> str:
    """Build and post once; raise on a transient failure while retries remain."""
    record = PostRecord.open(config, post_key)
    if record.get("done"):
        log.info("report already posted", extra={"job": post_key})
        return "already-posted"
    log.info("report job started", extra={"job": post_key, "origin": job.origin})
    posting = poster or SlackPoster(config)

    def give_up(exc: BaseException, transient: bool) -> None:
        message = _message_for(job, exc, retried=transient)
        tell_requester(config, vars(job), post_key, message, posting)
        _mark_failed(config, job, record, posting)

    return attempt_once(
        "report job failed",
        post_key,
        record,
        retries_left,
        lambda: _post(config, job, record, posting),
        give_up,
    )


def attempt_once(
    failed: str,
    post_key: str,
    record: PostRecord,
    retries_left: int,
    work: Callable[[], str],
    give_up: Callable[[BaseException, bool], None],
) -> str:
    """``work()``; on a failure, raise while a retry may mend it, else ``give_up`` once.

    ``give_up(exc, transient)`` tells the person. A transient failure on the last attempt is
    raised after that (RQ records it failed, with the traceback for the operator); any other
    is recorded as done, so a redelivered job does not tell twice.
    """
    try:
        return work()
    except Exception as exc:
        transient = is_transient(exc)
        log.warning(
            failed, extra={"job": post_key, "error": type(exc).__name__, "transient": transient}
        )
        if transient and retries_left > 0:
            raise
        give_up(exc, transient)
        if transient:
            raise
        record.set("done", "failed")
        return "failed"


def failure_message(source: str, exc: BaseException, *, retried: bool = True) -> str:
    """What the requester reads: our own sentence when the error carries one.

    An error no retry can help (a bug, an unexpected answer) fails on the first attempt, and
    the sentence says so instead of claiming attempts that never happened.
    """
    if isinstance(exc, SourceError | SourceReadError):
        return messages.JOB_FAILED.format(source=source, reason=str(exc))
    reason = messages.REDIS_UNREACHABLE if isinstance(exc, RedisUnavailable) else type(exc).__name__
    if not retried:
        return messages.JOB_FAILED_UNEXPECTEDLY.format(source=source, reason=reason)
    return messages.JOB_GAVE_UP.format(source=source, reason=reason)


def tell_lost_job(config: Config, job: Job) -> None:
    """A report job whose worker died with no retries left: tell the requester why."""
    if not (job.func_name or "").endswith(REPORT_JOB_FUNCTIONS):
        return
    kwargs = dict(job.kwargs)
    tell_requester(
        config,
        kwargs,
        str(kwargs.get("post_key") or job.id),
        messages.JOB_GAVE_UP.format(source=kwargs.get("source", ""), reason=messages.WORKER_LOST),
    )
