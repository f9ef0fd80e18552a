"""Each GitHub delivery is acted on once, even when GitHub (or a person) sends it again.

GitHub keeps one ``X-GitHub-Delivery`` id per delivery and reuses it on redelivery, so a Redis
``SET NX`` on that id with a TTL is a cheap, cross-process "seen it" check. The TTL outlasts
the three days for which GitHub offers redelivery.
"""

from __future__ import annotations

import re

import redis

DELIVERY_TTL_SECONDS = 4 * 24 * 3600
_DELIVERY_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,100}$")


def is_delivery_id(text: str | None) -> bool:
    """GitHub's ids are GUIDs; anything else is refused before it becomes part of a key."""
    return bool(text) and bool(_DELIVERY_ID_RE.match(text or ""))


def _key(prefix: str, delivery_id: str) -> str:
    return f"{prefix}webhook:delivery:{delivery_id}"


def claim_delivery(client: redis.Redis, prefix: str, delivery_id: str) -> bool:
    """True the first time ``delivery_id`` is seen within the TTL, False afterwards."""
    return bool(client.set(_key(prefix, delivery_id), b"1", nx=True, ex=DELIVERY_TTL_SECONDS))


def release_delivery(client: redis.Redis, prefix: str, delivery_id: str) -> None:
    """Forget a claim whose work could not be queued, so a redelivery can try again."""
    client.delete(_key(prefix, delivery_id))
