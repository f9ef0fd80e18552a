"""Digest subscriptions: which channels get a daily or weekly digest of which repository.

One digest per channel and repository (subscribing again replaces its period, branch and
paths). Every key is in :mod:`bot.store.keys`:

* ``digest:subs`` -- a hash, field ``channel\\nowner/repo``, the subscription as JSON; the
  scheduled tick reads it whole (a few hundred entries at most: 20 per channel).
* ``digest:channel:{channel}`` -- the channel's repositories, for ``digest list``.
* ``digest:covered`` -- per subscription, the end of the last period claimed, so a period is
  claimed once and periods missed while no worker ran become one digest.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import redis

from bot import messages
from bot.config import Config
from bot.store import keys
from bot.store.connection import get_redis

Cadence = Literal["daily", "weekly"]
CADENCES: tuple[Cadence, ...] = ("daily", "weekly")
MAX_DIGESTS_PER_CHANNEL = 20

log = logging.getLogger(__name__)


class DigestError(ValueError):
    """Input a person can correct; the message says how."""


@dataclass(frozen=True)
class DigestSubscription:
    channel: str
    repository: str
    cadence: Cadence
    branch: str | None = None
    paths: tuple[str, ...] = ()
    created_by: str | None = None
    created_at: float = field(default_factory=time.time)

    @property
    def source(self) -> str:
        """``OWNER/REPO[@BRANCH]``, as ``diffinsight digest`` takes it."""
        return f"{self.repository}@{self.branch}" if self.branch else self.repository

    def describe(self) -> str:
        branch = f"`{self.branch}`" if self.branch else messages.SUBS_DEFAULT_BRANCH
        paths = ", ".join(f"`{p}`" for p in self.paths) if self.paths else messages.SUBS_ALL_PATHS
        return messages.DIGEST_ONE.format(
            repository=self.repository, branch=branch, paths=paths, cadence=self.cadence
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> DigestSubscription:
        data = json.loads(text)
        cadence = data.get("cadence")
        return cls(
            channel=data["channel"],
            repository=data["repository"],
            cadence="weekly" if cadence == "weekly" else "daily",
            branch=data.get("branch"),
            paths=tuple(data.get("paths") or ()),
            created_by=data.get("created_by"),
            created_at=float(data.get("created_at") or 0.0),
        )


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class DigestStore:
    """Digest subscriptions in Redis; each method is one round trip or one transaction."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._r = client
        self._prefix = prefix

    @staticmethod
    def _field(channel: str, repository: str) -> str:
        return f"{channel}\n{repository.lower()}"  # neither can hold a newline

    def get(self, channel: str, repository: str) -> DigestSubscription | None:
        raw = self._r.hget(keys.digests(self._prefix), self._field(channel, repository))
        return DigestSubscription.from_json(raw) if raw else None

    def for_channel(self, channel: str) -> list[DigestSubscription]:
        repos = sorted(
            _text(r) for r in self._r.smembers(keys.digests_of_channel(self._prefix, channel))
        )
        found = [self.get(channel, repo) for repo in repos]
        return [s for s in found if s is not None]

    def any(self) -> bool:
        return bool(self._r.hlen(keys.digests(self._prefix)))

    def all(self) -> list[DigestSubscription]:
        """Every subscription; an entry that does not parse is skipped (and logged), not fatal."""
        subs = []
        for value in self._r.hvals(keys.digests(self._prefix)):
            try:
                subs.append(DigestSubscription.from_json(value))
            except (ValueError, KeyError, TypeError):
                log.warning("digest subscription unreadable, skipped")
        return sorted(subs, key=lambda s: (s.created_at, s.channel, s.repository.lower()))

    def save(self, sub: DigestSubscription) -> bool:
        """Store (or replace) ``sub``; True when it replaced one (its period state is kept)."""
        name = self._field(sub.channel, sub.repository)
        with self._r.pipeline(transaction=True) as pipe:
            pipe.hexists(keys.digests(self._prefix), name)
            pipe.hset(keys.digests(self._prefix), name, sub.to_json())
            pipe.sadd(keys.digests_of_channel(self._prefix, sub.channel), sub.repository.lower())
            existed, *_ = pipe.execute()
        return bool(existed)

    def delete(self, channel: str, repository: str) -> DigestSubscription | None:
        found = self.get(channel, repository)
        if found is None:
            return None
        name = self._field(channel, repository)
        with self._r.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.digests(self._prefix), name)
            pipe.hdel(keys.digest_covered(self._prefix), name)
            pipe.srem(keys.digests_of_channel(self._prefix, channel), repository.lower())
            pipe.execute()
        return found

    def covered(self, sub: DigestSubscription) -> str | None:
        """The end (ISO UTC) of the last period claimed for ``sub``, if any."""
        raw = self._r.hget(
            keys.digest_covered(self._prefix), self._field(sub.channel, sub.repository)
        )
        return _text(raw) if raw else None

    def cover(self, sub: DigestSubscription, period_end: str) -> None:
        """Record ``period_end`` as claimed, never moving it back (ISO UTC sorts as time)."""
        name = keys.digest_covered(self._prefix)
        fieldname = self._field(sub.channel, sub.repository)
        with self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(name)
                    current = pipe.hget(name, fieldname)
                    if current is not None and _text(current) >= period_end:
                        return
                    pipe.multi()
                    pipe.hset(name, fieldname, period_end)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue


def digest_store(config: Config) -> DigestStore:
    return DigestStore(get_redis(config), config.redis_prefix)


def subscribe_digest(store: DigestStore, sub: DigestSubscription) -> bool:
    """Store ``sub`` within the channel's limit; True when it replaced the channel's earlier one."""
    existing = store.get(sub.channel, sub.repository)
    if existing is None and len(store.for_channel(sub.channel)) >= MAX_DIGESTS_PER_CHANNEL:
        raise DigestError(messages.DIGEST_TOO_MANY.format(limit=MAX_DIGESTS_PER_CHANNEL))
    if existing is not None:  # its first period stays the one it had
        sub = replace(sub, created_at=existing.created_at)
    return store.save(sub)
