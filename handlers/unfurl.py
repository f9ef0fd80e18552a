"""``link_shared``: preview pasted GitHub change links (Events API, verified by Bolt).

The app acknowledges after its listeners return (``process_before_response``), so this one
only touches Redis: it drops Slack's retries by ``event_id``, unfurls links whose report is
already cached, and queues a job for the others. Nothing here reads GitHub.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.cache import load_report_by_id
from bot.config import Config
from bot.jobs import enqueue, report_url
from bot.redisconn import RedisUnavailable
from bot.unfurl import (
    build_and_unfurl,
    cached_for_link,
    claim_event,
    send_unfurls,
    shared_links,
    unfurl_for,
)

log = logging.getLogger(__name__)


def handle_link_shared(
    config: Config, body: dict[str, Any], client: WebClient | None = None
) -> dict[str, int]:
    """Unfurl or queue each link of one event; returns counts for logs and tests."""
    event = body.get("event") or {}
    counts = {"unfurled": 0, "queued": 0}
    channel, ts = event.get("channel"), event.get("message_ts")
    if event.get("source") == "composer" or not channel or not ts:
        # A link still in the composer: Slack sends the event again once it is posted.
        return counts
    links = shared_links(config, event.get("links") or [])
    if not links:
        return counts
    event_id = str(body.get("event_id") or "")
    try:
        if event_id and not claim_event(config, event_id):
            log.info("link_shared retry ignored", extra={"event_id": event_id})
            return counts
        unfurls: dict[str, Any] = {}
        for link in links:
            if link.report_id:  # one of our pages: its report or nothing, never a build
                page_report = load_report_by_id(config, link.report_id)
                if page_report is not None:
                    page = report_url(config, link.report_id)
                    unfurls[link.url] = unfurl_for(page_report, page)
                continue
            if link.source is None:
                continue
            hit = cached_for_link(config, link.source)
            if hit is not None:
                report, report_id = hit
                unfurls[link.url] = unfurl_for(report, report_url(config, report_id))
                continue
            enqueue(
                config,
                build_and_unfurl,
                {"url": link.url, "channel": channel, "message_ts": ts},
                dedup_key=f"unfurl:{channel}:{ts}:{link.url}",
            )
            counts["queued"] += 1
    except RedisUnavailable:
        log.warning("link_shared dropped: redis unavailable", extra={"event_id": event_id})
        return counts
    if unfurls and send_unfurls(config, channel, ts, unfurls, client):
        counts["unfurled"] = len(unfurls)
    return counts


def register(bolt_app: App, config: Config) -> None:
    """Listen to ``link_shared`` (the event subscription, ``links:read`` and ``links:write``)."""

    def on_link_shared(body: dict[str, Any], client: WebClient) -> None:
        counts = handle_link_shared(config, body, client)
        log.info("link_shared handled", extra=counts)

    bolt_app.event("link_shared")(on_link_shared)
