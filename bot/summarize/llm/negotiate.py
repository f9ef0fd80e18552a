"""Which structured-output mode a report's calls use, and what is remembered per endpoint.

A report starts at the mode last seen working for its (base URL, model), or at the strictest
when nothing is remembered (or ``DIFFINSIGHT_LLM_RESPONSE_FORMAT`` pins one). Calls run on pool
threads; the first to see a refusal steps the shared :class:`Negotiation` down, and every call
after it, including those retrying, uses the new mode. What worked, with the server's context
window and slots, is kept in Redis (shared by every process) and in this process for
:data:`MEMO_TTL_SECONDS`, so later reports go straight to it yet a server upgraded to strict
schemas is tried again a day later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import redis

from bot.config import Config
from bot.store import keys
from bot.summarize.llm.formats import MODES, SCHEMA_MODES
from bot.summarize.llm.server import STRICT_KINDS, ServerFacts

log = logging.getLogger(__name__)

MEMO_TTL_SECONDS = 24 * 3600
_PROCESS: dict[str, tuple[float, str]] = {}
_PROCESS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Remembered:
    """One endpoint's record: discovery's facts, the mode that worked, a window learned from
    a context error (it overrides what discovery or the configuration said)."""

    kind: str
    context: int | None = None
    parallel: int | None = None
    mode: str | None = None
    learned_context: int | None = None

    @property
    def facts(self) -> ServerFacts:
        return ServerFacts(self.kind, self.context, self.parallel)


def endpoint_key(base_url: str, model: str) -> str:
    return hashlib.sha256(f"{base_url.rstrip('/')}\x00{model}".encode()).hexdigest()[:32]


class EndpointMemo:
    """The records, in this process and (when it answers) in Redis, with an expiry."""

    def __init__(self, client: redis.Redis | None, prefix: str, ttl: int = MEMO_TTL_SECONDS):
        self.client, self.prefix, self.ttl = client, prefix, ttl

    def get(self, key: str) -> Remembered | None:
        with _PROCESS_LOCK:
            held = _PROCESS.get(self.prefix + key)
        raw = held[1] if held and held[0] > time.monotonic() else None
        if raw is None and self.client is not None:
            try:
                value = self.client.get(keys.llm_endpoint(self.prefix, key))
                raw = value.decode() if isinstance(value, bytes) else value
            except redis.RedisError:
                log.warning("llm endpoint memo read failed")
        return _parse(raw) if raw else None

    def set(self, key: str, record: Remembered) -> None:
        raw = json.dumps(asdict(record))
        with _PROCESS_LOCK:
            _PROCESS[self.prefix + key] = (time.monotonic() + self.ttl, raw)
        if self.client is not None:
            try:
                self.client.set(keys.llm_endpoint(self.prefix, key), raw, ex=self.ttl)
            except redis.RedisError:
                log.warning("llm endpoint memo write failed")


def _parse(raw: str) -> Remembered | None:
    try:
        data: Any = json.loads(raw)
        record = Remembered(**data)
    except (ValueError, TypeError):
        return None
    numbers = (record.context, record.parallel, record.learned_context)
    if not isinstance(record.kind, str) or not all(_count(n) for n in numbers):
        return None  # not ours, or damaged: discover again
    return record if record.mode in (None, *MODES) else replace(record, mode=None)


def _count(value: Any) -> bool:
    return value is None or (type(value) is int and value > 0)


@dataclass
class Negotiation:
    """The mode calls use now, shared by a report's threads."""

    mode: str
    pinned: bool
    trusts_schema: bool
    """The server honours a schema it accepts: a bad reply is the model's, not ignoring."""
    used: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(cls, config: Config, record: Remembered | None, kind: str) -> Negotiation:
        if config.llm_response_format:
            return cls(config.llm_response_format, True, True)
        mode = record.mode if record and record.mode else MODES[0]
        return cls(mode, False, kind in STRICT_KINDS)

    def step_down(self, mode: str) -> bool:
        """``mode`` did not work: use the next one (``False`` when pinned or none is left)."""
        with self._lock:
            if self.pinned:
                return False
            if self.mode != mode:  # another thread stepped down already
                return True
            index = MODES.index(mode)
            if index + 1 >= len(MODES):
                return False
            self.refused.append(mode)
            self.mode = MODES[index + 1]
            log.info("llm response format stepped down", extra={"mode": self.mode})
            return True

    def watches_for_ignored_schema(self, mode: str) -> bool:
        return mode in SCHEMA_MODES and not self.pinned and not self.trusts_schema

    def worked(self, mode: str) -> None:
        with self._lock:
            self.used.add(mode)


def forget_all() -> None:
    """Drop this process's records (tests: a port reused by another fake is another server)."""
    with _PROCESS_LOCK:
        _PROCESS.clear()
