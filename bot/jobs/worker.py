"""``diffinsight worker``: an RQ worker on the shared queue, safe to run on many machines.

RQ hands each queued job to exactly one worker. What RQ does not do quickly is notice a
worker that died mid-job (it waits for a heartbeat that outlives the job by a minute or
more), so each running job here also holds a short lease in Redis, renewed while the job
runs; any worker's maintenance pass requeues a started job whose lease has lapsed, and the
job's post record (bot.jobs.run) keeps the retry from posting twice.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError, StopRequested
from rq.job import Job, JobStatus
from rq.job_lifecycle import record_job_failure
from rq.registry import StartedJobRegistry

from bot.config import Config
from bot.jobs.run import tell_lost_job
from bot.jobs.schedule import ensure_schedule
from bot.jobs.tasks import use_config
from bot.store import keys
from bot.store.connection import REDIS_DOWN, REDIS_ERRORS, get_redis
from bot.store.digests import digest_store
from bot.store.keepalive import KeepAlive

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
MAINTENANCE_INTERVAL = 30
WORKER_TTL = 60
"""RQ blocks on the queue for WORKER_TTL - 15 seconds, so maintenance runs at least that often."""


def lease_key(config: Config, job_id: str) -> str:
    return keys.job_lease(config.redis_prefix, job_id)


def _lease(client: redis.Redis, key: str, seconds: float) -> KeepAlive:
    """Holds ``key`` while a job runs; a worker that dies lets it lapse within ``seconds``."""
    ms = int(seconds * 1000)
    return KeepAlive(
        lambda: client.set(key, "1", px=ms),
        lambda: client.delete(key),
        seconds / 3,
        name="job-lease",
        key=key,
        renew_first=True,
    )


class DiffinsightWorker(Worker):
    """RQ's worker plus job leases, prompt recovery of abandoned jobs, and telling requesters."""

    def __init__(
        self, *args: Any, config: Config, lease_seconds: float = LEASE_SECONDS, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.config = config
        self.lease_seconds = lease_seconds

    stop_event: threading.Event | None = None
    """Set on SIGTERM/SIGINT, so the supervising loop (run_worker) knows the stop was asked."""

    def request_stop(self, signum: Any, frame: Any) -> None:
        if self.stop_event is not None:
            self.stop_event.set()
        super().request_stop(signum, frame)

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kw: Any) -> bool:
        with _lease(self.connection, lease_key(self.config, job.id), self.lease_seconds):
            return super().perform_job(job, queue, *args, **kw)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if not job.should_retry:
            tell_lost_job(self.config, job)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        for queue in self.queues:
            recover_abandoned(self.config, queue, self.lease_seconds)


def _age_seconds(job: Job) -> float:
    if job.started_at is None:
        return 0.0
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC)
    return (datetime.now(UTC) - started).total_seconds()


def recover_abandoned(config: Config, queue: Queue, lease_seconds: float) -> list[str]:
    """Requeue (or fail, telling the requester) started jobs whose worker has died.

    Each registry entry is claimed with ZREM, so when several workers run this at once
    exactly one of them acts on a given job.
    """
    client = queue.connection
    registry = StartedJobRegistry(queue=queue)
    recovered: list[str] = []
    entries: list[bytes] = client.zrange(registry.key, 0, -1)  # type: ignore[assignment]
    for entry in entries:
        job_id = entry.decode().split(":", 1)[0]
        if client.exists(lease_key(config, job_id)):
            continue
        try:
            job = Job.fetch(job_id, connection=client)
        except NoSuchJobError:
            continue
        if job.get_status() != JobStatus.STARTED or _age_seconds(job) < lease_seconds:
            continue
        if not client.zrem(registry.key, entry):
            continue  # another worker claimed it
        final = not job.should_retry
        with client.pipeline() as pipe:
            if final:
                record_job_failure(job, "worker lost: its lease lapsed", pipe)
            else:
                job.retry(queue, pipe)
            pipe.execute()
        log.warning("abandoned job recovered", extra={"job": job_id, "final": final})
        if final:
            tell_lost_job(config, job)
        recovered.append(job_id)
    return recovered


def worker_name() -> str:
    """Unique per process, and readable in ``rq info``: host, pid and a random tail."""
    return f"diffinsight.{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}"


PRELOADED_MODULES = (
    "bot.jobs.tasks",
    "bot.jobs.run",
    "bot.reading.github",
    "bot.reading.local",
    "bot.summarize.heuristic.summarizer",
    "bot.summarize.llm.summarizer",
    "bot.slack.poster",
    "bot.slack.unfurl",
    "bot.jobs.fanout",
    "bot.jobs.digest_run",
    "bot.reading.window_github",
)


def preload_job_modules() -> None:
    """Import what jobs use once, in the parent: each job runs in a fork that inherits them.

    Without this every forked work horse imports PyGithub, openai and friends again, about
    150 ms per job, which is most of the time a cached report takes to reach Slack.
    """
    for name in PRELOADED_MODULES:
        importlib.import_module(name)


def _ensure_digests(config: Config) -> None:
    """A returning worker schedules the digest tick that is due (posted at once if missed).

    Only when some channel has a digest: a deployment without digests schedules nothing (the
    first ``/diffinsight digest`` schedules the tick itself).
    """
    try:
        if not digest_store(config).any():
            return
        at = ensure_schedule(config)
    except REDIS_ERRORS:
        log.warning("digest tick not scheduled: redis is not reachable")
        return
    log.info("digest tick due", extra={"at": at.isoformat()})


RECONNECT_FIRST_WAIT = 1.0
RECONNECT_MAX_WAIT = 30.0
"""Backoff between attempts to reach Redis again after the worker lost it (doubling)."""


def run_worker(
    config: Config,
    *,
    burst: bool = False,
    lease_seconds: float = LEASE_SECONDS,
    maintenance_interval: int = MAINTENANCE_INTERVAL,
    worker_ttl: int = WORKER_TTL,
) -> int:
    """Run a worker on ``config.queue_name`` until stopped (or the queue is empty, in burst).

    RQ's work loop quits on any error it did not expect ("found an unhandled exception,
    quitting"), and a Redis outage that starts or ends mid-job is one: its work-horse monitor
    loses the connection. So the loop is supervised here: when it ends without a stop
    request, the worker waits for Redis with a backoff (one log line per attempt) and starts
    a fresh loop. The job it was running is not lost: its lease lapses, and the maintenance
    pass requeues it (its post record keeps the retry from posting twice).
    """
    use_config(config)  # jobs run in forked work horses, which inherit it
    preload_job_modules()
    stop = threading.Event()
    wait = RECONNECT_FIRST_WAIT
    try:
        while True:
            worker: DiffinsightWorker | None = None
            try:
                client = get_redis(config, socket_timeout=None)
                client.ping()
                worker = DiffinsightWorker(
                    [Queue(config.queue_name, connection=client)],
                    connection=client,
                    name=worker_name(),
                    config=config,
                    lease_seconds=lease_seconds,
                    maintenance_interval=maintenance_interval,
                    worker_ttl=worker_ttl,
                    log_job_description=False,  # job ids in the log, never a job's arguments
                )
                worker.stop_event = stop
                _ensure_digests(config)
                worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
                if burst or worker._stop_requested or stop.is_set():
                    return 0
                log.warning("worker loop ended unexpectedly; starting again")
            except StopRequested:
                return 0
            except REDIS_DOWN:
                if burst:
                    log.error(
                        "worker stopped: redis is not reachable", extra={"queue": config.queue_name}
                    )
                    return 1
                if worker is not None and worker._stop_requested:
                    return 0
                log.warning("worker lost redis; reconnecting", extra={"wait": wait})
            _catch_stop(stop)
            if stop.wait(wait):
                return 0
            wait = min(wait * 2, RECONNECT_MAX_WAIT)
            if _redis_back(config):
                wait = RECONNECT_FIRST_WAIT
    finally:
        use_config(None)  # an in-process burst (tests) must not leak its config


def _catch_stop(stop: threading.Event) -> None:
    """Between two work loops, SIGTERM/SIGINT end the worker (RQ's handlers are gone)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


def _redis_back(config: Config) -> bool:
    try:
        get_redis(config).ping()
    except REDIS_ERRORS:
        return False
    log.info("redis reachable again")
    return True
