"""One build for many concurrent requests, across processes and machines: a lock in Redis.

The builder holds ``lock_key`` (SET NX with an expiry it keeps extending while it works);
everyone else polls until the lock is gone and then reads the stored result. A builder that
crashes stops extending its lock, so the lock expires and a waiter takes over: nothing
waits forever, and the wait of a waiter is bounded by ``wait_timeout``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import redis

from bot import messages
from bot.errors import SourceReadError
from bot.store.keepalive import KeepAlive

log = logging.getLogger(__name__)

T = TypeVar("T")

_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class BuildWaitTimeout(SourceReadError):
    """Another process has been building this report for longer than we are willing to wait."""

    transient = True


@dataclass(frozen=True)
class FlightResult(Generic[T]):
    value: T
    built: bool
    """True for the caller that ran ``build``; False when the value came from elsewhere."""


def _heartbeat(client: redis.Redis, key: str, token: str, ttl: float) -> KeepAlive:
    """Keeps extending a held lock (only while it is still ours) until the build ends."""
    return KeepAlive(
        lambda: client.eval(_EXTEND, 1, key, token, int(ttl * 1000)),
        lambda: client.eval(_RELEASE, 1, key, token),
        ttl / 3,
        name="singleflight-heartbeat",
        key=key,
    )


def single_flight(
    client: redis.Redis,
    lock_key: str,
    *,
    build: Callable[[], T],
    lookup: Callable[[], T | None],
    refresh: bool = False,
    lock_ttl: float = 30.0,
    wait_timeout: float = 600.0,
    poll: float = 0.05,
) -> FlightResult[T]:
    """Run ``build`` in exactly one caller at a time; the others get what it stored.

    ``build`` must store its result where ``lookup`` finds it before returning. With
    ``refresh`` a caller that gets the lock builds even when ``lookup`` has a value; one that
    finds another build running takes that build's fresh result instead of starting another.
    """
    deadline = time.monotonic() + wait_timeout
    while True:
        token = uuid.uuid4().hex
        if client.set(lock_key, token, nx=True, px=int(lock_ttl * 1000)):
            with _heartbeat(client, lock_key, token, lock_ttl):
                if not refresh:
                    found = lookup()  # a build may have finished since the caller looked
                    if found is not None:
                        return FlightResult(found, built=False)
                return FlightResult(build(), built=True)
        waited = False
        while client.exists(lock_key):
            waited = True
            if time.monotonic() > deadline:
                raise BuildWaitTimeout(messages.BUILD_WAIT_TIMEOUT)
            time.sleep(poll)
        if waited or not refresh:
            found = lookup()
            if found is not None:
                return FlightResult(found, built=False)
        # The builder failed or crashed without storing anything: take over.
