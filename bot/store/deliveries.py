"""Each GitHub delivery is acted on once, even when GitHub (or a person) sends it again.

GitHub keeps one ``X-GitHub-Delivery`` id per delivery and reuses it on redelivery, so the
delivery's job is queued with that id as its dedup key (bot.jobs.queue.enqueue, which writes the
mark and the job together), kept for longer than the three days GitHub offers redelivery.
"""

from __future__ import annotations

import re

DELIVERY_TTL_SECONDS = 4 * 24 * 3600
_DELIVERY_ID_RE = re.compile(r"[A-Za-z0-9-]{1,100}")


def is_delivery_id(text: str | None) -> bool:
    """GitHub's ids are GUIDs; anything else is refused before it becomes part of a key."""
    return bool(text) and bool(_DELIVERY_ID_RE.fullmatch(text or ""))


def delivery_dedup_key(delivery_id: str) -> str:
    """The dedup key of one delivery's job: a redelivery finds it taken."""
    return f"webhook-delivery:{delivery_id}"
