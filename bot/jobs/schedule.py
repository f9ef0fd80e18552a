"""Scheduled digests through RQ's scheduler: one tick a day, one claimed post per period.

A *tick* job is scheduled (``Queue.enqueue_at``) for each day's ``DIFFINSIGHT_DIGEST_HOUR``
(UTC) under a job id made of that time, so however many workers schedule it, it exists once.
RQ's scheduler, which runs in exactly one worker per queue (it holds a lock in Redis), moves it
to the queue when it is due. The tick then, for every digest subscription whose period has
ended since the last one claimed, takes the claim key of that channel and period and queues
the post in the same transaction, records the period as covered, and schedules the next tick.

So each channel's period is posted once however many ticks run, and when workers come back
after a gap, the overdue tick (still in RQ's scheduled registry, or scheduled anew at start)
runs at once and posts one digest covering the missed periods, not one per missed tick.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from bot.config import Config
from bot.jobs.queue import DIGEST_TICK, POST_DIGEST, enqueue, get_queue
from bot.request import iso_utc
from bot.store import keys
from bot.store.connection import REDIS_ERRORS, get_redis
from bot.store.digests import DigestSubscription, digest_store

log = logging.getLogger(__name__)

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
MAX_CATCHUP = timedelta(weeks=5)
"""A digest after a long gap reaches back at most this far (and always one whole period)."""
CLAIM_TTL = 10 * 7 * 24 * 3600
"""A claim outlives any period it could be taken for again (10 weeks)."""
TICK_RETRIES = (10, 30, 60)
STALE = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def utcnow() -> datetime:
    """The schedule's clock. RQ's scheduler reads ``rq.utils.now``; tests move both together."""
    return datetime.now(UTC)


def latest_boundary(cadence: str, hour: int, now: datetime) -> datetime:
    """The last posting time at or before ``now``: today's (or yesterday's) ``hour``:00 UTC,
    and for a weekly digest the Monday of that."""
    day = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    if day > now:
        day -= timedelta(days=1)
    if cadence == "weekly":
        day -= timedelta(days=day.weekday())
    return day


def next_tick(hour: int, after: datetime) -> datetime:
    """The first daily posting time strictly after ``after``."""
    return latest_boundary("daily", hour, after) + timedelta(days=1)


def due_window(
    sub: DigestSubscription, covered: str | None, hour: int, now: datetime
) -> tuple[datetime, datetime] | None:
    """(since, until) of the digest ``sub`` is owed at ``now``, or None when none is due.

    A new subscription's first digest is for the first period ending after it was made;
    periods missed since the last claimed one are covered by one digest (at most MAX_CATCHUP
    back).
    """
    end = latest_boundary(sub.cadence, hour, now)
    if covered:
        start = datetime.fromisoformat(covered).astimezone(UTC)
    else:
        start = latest_boundary(sub.cadence, hour, datetime.fromtimestamp(sub.created_at, UTC))
    if end <= start:
        return None
    return max(start, end - max(MAX_CATCHUP, PERIODS[sub.cadence])), end


def post_key_for(claim: str) -> str:
    """The post record of a claimed digest: retries of its job find what was posted."""
    return hashlib.sha256(claim.encode("utf-8")).hexdigest()[:32]


def claim_digest(config: Config, sub: DigestSubscription, since: datetime, until: datetime) -> bool:
    """Take the claim on ``sub``'s period ending ``until`` and queue its post; True if taken.

    The digest covers ``since`` up to one second before ``until``: a commit made exactly at a
    boundary belongs to the period it starts, so consecutive digests never list it twice.
    """
    claim = keys.digest_claim(config.redis_prefix, sub.channel, sub.repository, iso_utc(until))
    post_key = post_key_for(claim)
    fields = {
        "channel": sub.channel,
        "repository": sub.repository,
        "cadence": sub.cadence,
        "branch": sub.branch,
        "paths": tuple(sub.paths),
        "created_by": sub.created_by,
        "since": iso_utc(since),
        "until": iso_utc(until - timedelta(seconds=1)),
        "post_key": post_key,
    }
    result = enqueue(config, POST_DIGEST, fields, claim=claim, dedup_ttl=CLAIM_TTL)
    digest_store(config).cover(sub, iso_utc(until))
    if not result.duplicate:
        log.info("digest claimed", extra={"channel": sub.channel, "job": result.job_id})
    return not result.duplicate


def run_tick(config: Config, now: datetime | None = None) -> int:
    """Claim every digest now due, then schedule the next tick; returns how many were queued."""
    now = now or utcnow()
    store = digest_store(config)
    queued = 0
    for sub in store.all():
        try:
            due = due_window(sub, store.covered(sub), config.digest_hour, now)
            if due is not None and claim_digest(config, sub, *due):
                queued += 1
        except REDIS_ERRORS:
            raise  # the whole tick is retried; claims already taken stay taken
        except Exception:  # one broken subscription must not hold back the others
            log.exception("digest not claimed", extra={"channel": sub.channel})
    get_redis(config).set(
        keys.digest_ticked(config.redis_prefix),
        iso_utc(latest_boundary("daily", config.digest_hour, now)),
    )
    schedule_tick(config, next_tick(config.digest_hour, now))
    log.info("digest tick", extra={"queued": queued})
    return queued


def _tick_id(config: Config, at: datetime) -> str:
    """One job id per tick time and deployment (RQ ids: letters, digits, ``-``, ``_``)."""
    scope = hashlib.sha256(f"{config.redis_prefix}\n{config.queue_name}".encode()).hexdigest()
    return f"digest-tick-{int(at.timestamp())}-{scope[:10]}"


def schedule_tick(config: Config, at: datetime) -> bool:
    """Schedule the tick for ``at`` unless it is scheduled already; True when this call did.

    A finished or failed tick of that time (say, its Redis went away mid-run) is replaced, so
    a chain of ticks broken once does not stay broken.
    """
    queue = get_queue(config)
    job_id = _tick_id(config, at)
    try:
        old = Job.fetch(job_id, connection=queue.connection)
        if old.get_status() in STALE:
            old.delete()
    except NoSuchJobError:
        pass
    try:
        queue.enqueue_at(
            at,
            DIGEST_TICK,
            job_id=job_id,
            unique=True,
            retry=Retry(max=len(TICK_RETRIES), interval=list(TICK_RETRIES)),
            result_ttl=7 * 24 * 3600,
            failure_ttl=7 * 24 * 3600,
        )
    except DuplicateJobError:
        return False
    log.info("digest tick scheduled", extra={"job": job_id})
    return True


def ensure_schedule(config: Config, now: datetime | None = None) -> datetime:
    """At worker start (and on a new digest): make sure a tick is scheduled; return its time.

    It is the first tick after the last one that ran, which is in the past when no worker ran
    at that time: RQ's scheduler then releases it at once, and the missed period is posted.
    """
    now = now or utcnow()
    raw = get_redis(config).get(keys.digest_ticked(config.redis_prefix))
    last = (
        datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else str(raw))
        if raw
        else None
    )
    at = next_tick(config.digest_hour, last if last is not None else now)
    schedule_tick(config, at)
    return at
