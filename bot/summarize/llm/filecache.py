"""The LLM summarizer's cache of per-file (and per-report) results, keyed by content.

A file's summary depends only on what the model is shown and asked, so the key hashes exactly
that: the patch, the file's names and status, the model, the prompt version and the language.
A repeated report, or one whose range overlaps an earlier one, then pays tokens only for the
files whose patch is new. Entries are small JSON objects; the cache is best effort, so a Redis
failure reads as a miss and never fails a report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

import redis

from bot.config import Config
from bot.store import keys
from bot.store.connection import get_redis

log = logging.getLogger(__name__)

IN_PROCESS_MAX_ENTRIES = 5000


class FileCache(Protocol):
    """Where summaries are kept between reports; values are JSON-serialisable dicts."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def set(self, key: str, value: dict[str, Any]) -> None: ...


def content_key(kind: str, *parts: str | None) -> str:
    """A stable hex key over ``parts`` (``None`` and ``""`` are kept distinct)."""
    digest = hashlib.sha256(kind.encode("utf-8"))
    for part in parts:
        encoded = b"\x00" if part is None else b"\x01" + part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return f"{kind}:{digest.hexdigest()}"


class InProcessFileCache:
    """A bounded LRU in this process's memory, for use without Redis (and in tests)."""

    def __init__(self, max_entries: int = IN_PROCESS_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            raw = self._data.get(key)
            if raw is None:
                return None
            self._data.move_to_end(key)
        return json.loads(raw)

    def set(self, key: str, value: dict[str, Any]) -> None:
        raw = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._data[key] = raw
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class RedisFileCache:
    """Entries under ``{prefix}llm:{key}`` with a TTL, shared by every process on one Redis."""

    def __init__(self, client: redis.Redis, prefix: str, ttl: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def _name(self, key: str) -> str:
        return keys.llm_file(self.prefix, key)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = self.client.get(self._name(key))
        except redis.RedisError:
            log.warning("llm cache read failed", exc_info=True)
            return None
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        try:
            self.client.set(self._name(key), json.dumps(value, ensure_ascii=False), ex=self.ttl)
        except redis.RedisError:
            log.warning("llm cache write failed", exc_info=True)


_PROCESS_CACHE = InProcessFileCache()


class RefreshingFileCache:
    """Reads nothing, writes through: Regenerate asks the model afresh and keeps the answers."""

    def __init__(self, inner: FileCache) -> None:
        self.inner = inner

    def get(self, key: str) -> dict[str, Any] | None:
        return None

    def set(self, key: str, value: dict[str, Any]) -> None:
        self.inner.set(key, value)


def default_cache(config: Config) -> FileCache:
    """Redis when the project's connection helper exists and answers, else this process's LRU.

    The fallback is process-wide on purpose: a summarizer is built per report, and a cache that
    died with it would never be hit.
    """
    try:
        client = get_redis(config)
        client.ping()
    except Exception:  # noqa: BLE001 - any failure to reach Redis means "use memory"
        log.warning("llm cache falls back to memory: redis unavailable")
        return _PROCESS_CACHE
    return RedisFileCache(client, config.redis_prefix, config.cache_ttl_seconds)
