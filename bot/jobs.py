"""The job queue: report jobs enqueued by the web process and run by ``diffinsight worker``.

A job carries plain values only (what to report, where to post, who asked); the worker holds
the tokens and builds its own clients. Jobs are idempotent: a dedup key seen before is not
enqueued twice, and what a job has posted is recorded in Redis, so a retried job (after a
crash or a transient failure) reuses its placeholder and never posts the report twice.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import redis
from rq import Queue, Retry, get_current_job
from rq.job import Job

from bot import messages
from bot.config import Config, load_config
from bot.errors import SourceReadError
from bot.redisconn import REDIS_ERRORS, RedisUnavailable, get_redis
from bot.sources import SourceError

log = logging.getLogger(__name__)

RETRY_INTERVALS: tuple[int, ...] = (10, 30, 60)
"""Seconds before the 1st, 2nd and 3rd retry of a job that failed transiently."""
JOB_TIMEOUT = 30 * 60
DEDUP_TTL = 24 * 3600
RECORD_TTL = 7 * 24 * 3600
RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600

_worker_config: Config | None = None


def use_config(config: Config | None) -> None:
    """Jobs in this process use ``config`` (set by the worker) instead of the environment."""
    global _worker_config
    _worker_config = config


def current_config() -> Config:
    return _worker_config or load_config()


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
    title: str | None = None
    origin: str = "slash"
    git_path: str | None = None
    summarizer: str | None = None
    branch: str | None = None
    """The branch a webhook report's change landed on, to say what started the post."""

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> ReportJob:
        """The job back from its queued keyword arguments (``paths`` may arrive as a list)."""
        return cls(**{**fields, "paths": tuple(fields.get("paths") or ())})


@dataclass(frozen=True)
class EnqueueResult:
    job_id: str
    duplicate: bool


def get_queue(config: Config, client: redis.Redis | None = None) -> Queue:
    return Queue(config.queue_name, connection=client or get_redis(config))


def _dedup_name(config: Config, dedup_key: str) -> str:
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()
    return f"{config.redis_prefix}dedup:{digest}"


def _enqueue_once(
    client: redis.Redis,
    queue: Queue,
    name: str,
    ttl: int,
    func: Callable[..., Any],
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
                    return taken.decode()
                pipe.multi()
                pipe.set(name, options["job_id"], ex=ttl)
                queue.enqueue(func, pipeline=pipe, **options)
                pipe.execute()
                return None
            except redis.WatchError:
                continue  # another process took it meanwhile: read whose job it is


def enqueue(
    config: Config,
    func: Callable[..., Any],
    kwargs: dict[str, Any],
    dedup_key: str | None = None,
    *,
    job_id: str | None = None,
    retry_intervals: Sequence[int] = RETRY_INTERVALS,
    job_timeout: int = JOB_TIMEOUT,
    dedup_ttl: int = DEDUP_TTL,
) -> EnqueueResult:
    """Queue ``func(**kwargs)`` once per ``dedup_key``; raises RedisUnavailable when Redis is down.

    ``func`` must be a top-level function (the worker imports it by name); ``kwargs`` plain
    values. A job that raises is retried after each of ``retry_intervals`` seconds. The same
    ``dedup_key`` within ``dedup_ttl`` seconds queues nothing and answers the first job's id.
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
    }
    try:
        client = get_redis(config)
        queue = get_queue(config, client)
        if dedup_key is None:
            queue.enqueue(func, **options)
        else:
            name = _dedup_name(config, dedup_key)
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
    func: Callable[..., Any] | None = None,
) -> EnqueueResult:
    """Queue :func:`build_and_post` (or ``func``, taking the same fields) once per dedup key."""
    job_id = uuid.uuid4().hex
    kwargs = {**asdict(job), "paths": tuple(job.paths), "post_key": job_id}
    return enqueue(
        config,
        func or build_and_post,
        kwargs,
        job.dedup_key,
        job_id=job_id,
        retry_intervals=retry_intervals,
    )


def report_url(config: Config, report_id: str) -> str | None:
    return f"{config.public_url}/reports/{report_id}" if config.public_url else None


def build_and_post(post_key: str | None = None, **fields: Any) -> str:
    """The report job: placeholder, build (cached, single flight) with progress, post.

    Returns the report id, or a short word when nothing was posted. Transient failures
    raise, so RQ retries them; the last failure, and any failure a retry cannot fix, is told
    to the requester.
    """
    from bot.jobrun import run_report_job

    job = ReportJob.from_fields(fields)
    current = get_current_job()
    key = post_key or (current.id if current else None) or job.dedup_key or uuid.uuid4().hex
    retries_left = (current.retries_left or 0) if current else 0
    return run_report_job(current_config(), job, key, retries_left=retries_left)


def failure_message(source: str, exc: BaseException) -> str:
    """What the requester reads: our own sentence when the error carries one."""
    if isinstance(exc, SourceError | SourceReadError):
        return messages.JOB_FAILED.format(source=source, reason=str(exc))
    reason = messages.REDIS_UNREACHABLE if isinstance(exc, RedisUnavailable) else type(exc).__name__
    return messages.JOB_GAVE_UP.format(source=source, reason=reason)


REPORT_JOB_FUNCTIONS = ("build_and_post", "report_if_touched")
"""Jobs that post a report to a person, who must hear when their worker dies."""


def tell_lost_job(config: Config, job: Job) -> None:
    """A report job whose worker died with no retries left: tell the requester why."""
    if not job.func_name.endswith(REPORT_JOB_FUNCTIONS):
        return
    from bot.jobrun import tell_requester

    kwargs = dict(job.kwargs)
    tell_requester(
        config,
        kwargs,
        str(kwargs.get("post_key") or job.id),
        messages.JOB_GAVE_UP.format(source=kwargs.get("source", ""), reason=messages.WORKER_LOST),
    )
