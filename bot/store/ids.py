"""Report ids for the web: unguessable, stable per cache key, and remembered after expiry.

An id is an HMAC of the cache key with the server secret (``DIFFINSIGHT_SECRET``, else a
random one made once and kept in Redis), so nobody can derive a report's address from a
repository and range. A small id record, kept longer than the report, maps the id back to
its key and request: an expired report is told apart from an id that never existed, and can
be built again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict
from typing import Any

import redis

from bot.config import Config
from bot.names import is_report_id
from bot.request import ReportRequest
from bot.store import keys

ID_RECORD_TTL = 400 * 24 * 3600


def _id_key(config: Config, report_id: str) -> str:
    return keys.report_id(config.redis_prefix, report_id)


_secrets: dict[tuple[str, str], bytes] = {}


def server_secret(config: Config, client: redis.Redis) -> bytes:
    """``DIFFINSIGHT_SECRET``, else one random secret made once and shared through Redis."""
    if config.secret:
        return config.secret.encode("utf-8")
    where = (repr(client.connection_pool), config.redis_prefix)
    if where not in _secrets:
        name = keys.server_secret(config.redis_prefix)
        with client.pipeline(transaction=True) as pipe:  # atomic: the GET sees a secret
            pipe.set(name, secrets.token_hex(32), nx=True)
            pipe.get(name)
            _secrets[where] = pipe.execute()[1]
    return _secrets[where]


def report_id_for(config: Config, client: redis.Redis, key: str) -> str:
    return hmac.new(server_secret(config, client), key.encode(), hashlib.sha256).hexdigest()[:32]


def remember_id(
    config: Config,
    client: redis.Redis | redis.client.Pipeline,
    key: str,
    report_id: str,
    request: ReportRequest,
    *,
    only_new: bool = False,
) -> None:
    """The id record outlives the report, so an expired page is told from an unknown one."""
    record = json.dumps({"key": key, "request": asdict(request)})
    ttl = max(ID_RECORD_TTL, config.cache_ttl_seconds)
    client.set(_id_key(config, report_id), record, ex=ttl, nx=only_new)


def id_record(config: Config, client: redis.Redis, report_id: str) -> dict[str, Any] | None:
    if not is_report_id(report_id):
        return None
    raw = client.get(_id_key(config, report_id))
    return json.loads(raw) if raw else None


def key_for_id(config: Config, client: redis.Redis, report_id: str) -> str | None:
    record = id_record(config, client, report_id)
    return record["key"] if record else None
