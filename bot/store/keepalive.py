"""Holding a Redis key alive while work runs: renewed from a daemon thread, released after.

The single-flight build lock and a running job's lease both need this; only how they renew
and release differ (a token-checked script against a plain SET), so those are passed in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import LockError, LockNotOwnedError
from redis.lock import Lock

from bot.store.connection import REDIS_ERRORS

log = logging.getLogger(__name__)

_ERRORS: tuple[type[Exception], ...] = (redis.exceptions.RedisError, *REDIS_ERRORS)
"""A holder never fails its work over its key: the key expires by itself if not renewed."""


class KeepAlive:
    """``renew()`` on entry (if asked) and every ``interval`` seconds; ``release()`` on exit.

    A failed renewal or release is logged, never raised: the key then expires by itself,
    which is what every holder relies on when its process dies.
    """

    def __init__(
        self,
        renew: Callable[[], object],
        release: Callable[[], object],
        interval: float,
        *,
        name: str,
        key: str,
        renew_first: bool = False,
    ) -> None:
        self.renew, self.release, self.interval = renew, release, interval
        self.name, self.key, self.renew_first = name, key, renew_first
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _renew(self) -> None:
        try:
            self.renew()
        except _ERRORS:
            log.warning("key not renewed", extra={"holder": self.name, "key": self.key})

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            self._renew()

    def __enter__(self) -> KeepAlive:
        if self.renew_first:
            self._renew()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        try:
            self.release()
        except _ERRORS:
            log.warning(
                "key not released; it will expire", extra={"holder": self.name, "key": self.key}
            )


@contextmanager
def renewed_lock(client: redis.Redis, name: str, seconds: float, wait: float) -> Iterator[None]:
    """Hold the Redis lock ``name``: short-lived (``seconds``), renewed while held.

    A holder that dies lets it lapse within ``seconds``, not after some long timeout, so
    whoever waits next is not stuck behind a dead process. Waits up to ``wait`` seconds to
    get it, then raises LockNotOwnedError (a RedisError: a job retries it).
    """
    lock = client.lock(
        name,
        timeout=seconds,
        blocking_timeout=wait,
        thread_local=False,  # the keep-alive thread renews it with the holder's token
    )
    if not lock.acquire():
        raise LockNotOwnedError(f"lock busy: {name}")
    with KeepAlive(lock.reacquire, lambda: _release(lock), seconds / 3, name="lock", key=name):
        yield


def _release(lock: Lock) -> None:
    try:
        lock.release()
    except LockError:
        log.info("lock had lapsed before release")
