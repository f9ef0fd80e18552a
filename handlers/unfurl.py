"""``link_shared``: preview pasted GitHub change links (Events API, verified by Bolt).

The app acknowledges after its listeners return (``process_before_response``), so this one
stays fast: it drops Slack's retries by ``event_id``, unfurls links whose report is already
cached (one ``chat.unfurl`` with a short timeout, queued instead if Slack is slow) and queues
a job for the others. Nothing here reads GitHub.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Config
from bot.jobs.queue import BUILD_AND_UNFURL, enqueue
from bot.names import report_url
from bot.slack.unfurl import (
    SharedLink,
    cached_for_link,
    claim_event,
    send_unfurls,
    shared_links,
    unfurl_for,
)
from bot.store.cache import load_report_by_id
from bot.store.connection import RedisUnavailable

log = logging.getLogger(__name__)

INLINE_TIMEOUT = 2
"""Seconds a cached preview may take to send inside the 3-second acknowledgement window."""


def _cached_preview(config: Config, link: SharedLink) -> dict[str, Any] | None:
    """The preview when the report is cached; our own page links never start a build."""
    if link.report_id:
        report = load_report_by_id(config, link.report_id)
        return unfurl_for(report, report_url(config.public_url, link.report_id)) if report else None
    if link.source is None:
        return None
    hit = cached_for_link(config, link.source)
    return unfurl_for(hit[0], report_url(config.public_url, hit[1])) if hit else None


def _send_now(
    config: Config, channel: str, ts: str, unfurls: dict[str, Any], token: str | None
) -> bool:
    """``chat.unfurl`` with a short timeout, since Slack waits for our acknowledgement.

    True when sent or refused by Slack (a job would be refused too); False when Slack could
    not be reached in time, so the caller queues these links instead.
    """
    fast = WebClient(token=token, base_url=config.slack_api_url, timeout=INLINE_TIMEOUT)
    try:
        send_unfurls(config, channel, ts, unfurls, fast)
    except (OSError, TimeoutError):
        log.warning("inline unfurl timed out; queued instead", extra={"channel": channel})
        return False
    return True


def handle_link_shared(
    config: Config, body: dict[str, Any], token: str | None = None
) -> dict[str, int]:
    """Unfurl the cached links of one event at once and queue the others.

    Returns counts for logs and tests.
    """
    event = body.get("event") or {}
    counts = {"unfurled": 0, "queued": 0}
    channel, ts = event.get("channel"), event.get("message_ts")
    if event.get("source") == "composer" or not channel or not ts:
        # A link still in the composer: Slack sends the event again once it is posted.
        return counts
    links = shared_links(config, event.get("links") or [])
    event_id = str(body.get("event_id") or "")
    try:
        if not links or (event_id and not claim_event(config, event_id)):
            return counts
        unfurls: dict[str, Any] = {}
        to_build: list[SharedLink] = []
        for link in links:
            preview = _cached_preview(config, link)
            if preview is not None:
                unfurls[link.url] = preview
            elif link.source is not None:
                to_build.append(link)
        if unfurls:
            if _send_now(config, channel, ts, unfurls, token or config.slack_bot_token):
                counts["unfurled"] = len(unfurls)
            else:
                to_build += [link for link in links if link.url in unfurls and link.source]
        for link in to_build:
            enqueue(
                config,
                BUILD_AND_UNFURL,
                {"url": link.url, "channel": channel, "message_ts": ts},
                dedup_key=f"unfurl:{channel}:{ts}:{link.url}",
            )
            counts["queued"] += 1
    except RedisUnavailable:
        log.warning("link_shared dropped: redis unavailable", extra={"event_id": event_id})
    return counts


def register(bolt_app: App, config: Config) -> None:
    """Listen to ``link_shared`` (the event subscription, ``links:read`` and ``links:write``)."""

    def on_link_shared(body: dict[str, Any], client: WebClient) -> None:
        counts = handle_link_shared(config, body, client.token)
        log.info("link_shared handled", extra=counts)

    bolt_app.event("link_shared")(on_link_shared)
