"""The job queue: report jobs enqueued by the web process and run by ``diffinsight worker``.

A job carries plain values only (what to report, where to post, who asked); the worker holds
the tokens and builds its own clients. Jobs are idempotent: a dedup key seen before is not
enqueued twice, and what a job has posted is recorded in Redis, so a retried job (after a
crash or a transient failure) reuses its placeholder and never posts the report twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis
from rq import Queue, Retry

from bot import messages
from bot.config import Config
from bot.store import keys
from bot.store.connection import REDIS_ERRORS, RedisUnavailable, get_redis

log = logging.getLogger(__name__)

RETRY_INTERVALS: tuple[int, ...] = (10, 30, 60)
"""Seconds before the 1st, 2nd and 3rd retry of a job that failed transiently."""
JOB_TIMEOUT = 30 * 60
DEDUP_TTL = 24 * 3600
RECORD_TTL = 7 * 24 * 3600
RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600

BUILD_AND_POST = "bot.jobs.tasks.build_and_post"
"""RQ entry points by dotted path: the queue names them and the worker imports them, so the
queue needs nothing of what the jobs do (bot/jobs/tasks.py holds every one)."""
REPORT_IF_TOUCHED = "bot.jobs.tasks.report_if_touched"
FAN_OUT = "bot.jobs.tasks.fan_out"
BUILD_AND_UNFURL = "bot.jobs.tasks.build_and_unfurl"
DIGEST_TICK = "bot.jobs.tasks.digest_tick"
POST_DIGEST = "bot.jobs.tasks.post_digest"
CHECK_DIGEST = "bot.jobs.tasks.check_digest"
SUBSCRIBE = "bot.jobs.tasks.subscribe_channel"
REPORT_JOB_FUNCTIONS = ("build_and_post", "report_if_touched")
"""Jobs that post a report to a person, who must hear when their worker dies."""


class Origin(StrEnum):
    """What asked for a report: it decides the parent's "asked by" or "merged pull request" line."""

    SLASH = "slash"
    REGENERATE = "regenerate"
    PULL_REQUEST = "github:pull_request"
    PUSH = "github:push"
    FORCE_PUSH = "github:force-push"
    SUBSCRIPTION = "github:subscription"
    """A webhook report of another kind (said as "subscription")."""

    @classmethod
    def of(cls, value: object) -> Origin:
        """An origin from a queued value; one this release does not know is a subscription's."""
        try:
            return cls(str(value or cls.SLASH.value))
        except ValueError:
            return cls.SUBSCRIPTION


@dataclass(frozen=True)
class ReportJob:
    """One report to build and post; every field is a plain value that pickles safely."""

    source: str
    channel: str
    requester: str | None = None
    thread_ts: str | None = None
    paths: tuple[str, ...] = ()
    lang: str | None = None
    regenerate: bool = False
    message_ts: str | None = None
    response_url: str | None = None
    dedup_key: str | None = None
    origin: Origin = Origin.SLASH
    git_path: str | None = None
    summarizer: str | None = None
    branch: str | None = None
    """The branch a webhook report's change landed on, to say what started the post."""
    pull_number: int | None = None
    """The merged pull request a webhook report is of, to say so."""

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> ReportJob:
        """The job back from its queued keyword arguments (``paths`` may arrive as a list).

        Keys this release does not know (``title``, which jobs queued by the previous release
        carry) are left out, so an upgrade strands no queued job.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        kept = {k: v for k, v in fields.items() if k in known}
        return cls(
            **{
                **kept,
                "paths": tuple(kept.get("paths") or ()),
                "origin": Origin.of(kept.get("origin")),
            }
        )

    def fields(self) -> dict[str, Any]:
        """The job as queued keyword arguments: plain values only (the origin as its text)."""
        return {**vars(self), "paths": tuple(self.paths), "origin": self.origin.value}


@dataclass(frozen=True)
class EnqueueResult:
    job_id: str
    duplicate: bool


def get_queue(config: Config, client: redis.Redis | None = None) -> Queue:
    return Queue(config.queue_name, connection=client or get_redis(config))


def _dedup_name(config: Config, dedup_key: str) -> str:
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()
    return keys.dedup(config.redis_prefix, digest)


def _enqueue_once(
    client: redis.Redis,
    queue: Queue,
    name: str,
    ttl: int,
    func: str,
    options: dict[str, Any],
) -> str | None:
    """Queue the job and take the dedup ``name`` together; if taken, the job id holding it.

    Both are written in one MULTI/EXEC, so a process killed in between leaves neither, never
    a mark without its job (which would make every retry drop the report as a duplicate);
    WATCH makes the check and the take one step across processes.
    """
    with client.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(name)
                taken = pipe.get(name)
                if taken is not None:
                    return taken.decode() if isinstance(taken, bytes) else str(taken)
                pipe.multi()
                pipe.set(name, options["job_id"], ex=ttl)
                queue.enqueue(func, pipeline=pipe, **options)
                pipe.execute()
                return None
            except redis.WatchError:
                continue  # another process took it meanwhile: read whose job it is


def enqueue(
    config: Config,
    func: str,
    kwargs: dict[str, Any],
    dedup_key: str | None = None,
    *,
    job_id: str | None = None,
    retry_intervals: Sequence[int] = RETRY_INTERVALS,
    job_timeout: int = JOB_TIMEOUT,
    dedup_ttl: int = DEDUP_TTL,
    claim: str | None = None,
) -> EnqueueResult:
    """Queue ``func(**kwargs)`` once per ``dedup_key``; raises RedisUnavailable when Redis is down.

    ``func`` is the dotted path of an entry point in bot/jobs/tasks.py; ``kwargs`` plain
    values. A job that raises is retried after each of ``retry_intervals`` seconds. The same
    ``dedup_key`` within ``dedup_ttl`` seconds queues nothing and answers the first job's id.
    ``claim`` is the Redis key itself to take instead (a name from bot/store/keys.py).
    """
    job_id = job_id or uuid.uuid4().hex
    retry = (
        Retry(max=len(retry_intervals), interval=list(retry_intervals)) if retry_intervals else None
    )
    options: dict[str, Any] = {
        "kwargs": kwargs,
        "job_id": job_id,
        "retry": retry,
        "job_timeout": job_timeout,
        "result_ttl": RESULT_TTL,
        "failure_ttl": FAILURE_TTL,
        # RQ's default description is the call with its arguments, logged at INFO by every
        # worker: a response_url there is a 30-minute posting credential. Name only.
        "description": f"{func.rsplit('.', 1)[-1]} {job_id}",
    }
    try:
        client = get_redis(config)
        queue = get_queue(config, client)
        if dedup_key is None and claim is None:
            queue.enqueue(func, **options)
        else:
            name = claim or _dedup_name(config, dedup_key or "")
            taken = _enqueue_once(client, queue, name, dedup_ttl, func, options)
            if taken is not None:
                log.info("duplicate job not queued", extra={"job": taken})
                return EnqueueResult(taken, duplicate=True)
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(messages.SERVICE_UNAVAILABLE) from exc
    log.info("job queued", extra={"job": job_id, "queue": config.queue_name})
    return EnqueueResult(job_id, duplicate=False)


def enqueue_report(
    config: Config,
    job: ReportJob,
    *,
    retry_intervals: Sequence[int] = RETRY_INTERVALS,
    func: str = BUILD_AND_POST,
) -> EnqueueResult:
    """Queue the report job (or ``func``, taking the same fields) once per dedup key."""
    job_id = uuid.uuid4().hex
    kwargs = {**job.fields(), "post_key": job_id}
    return enqueue(
        config,
        func,
        kwargs,
        job.dedup_key,
        job_id=job_id,
        retry_intervals=retry_intervals,
    )
