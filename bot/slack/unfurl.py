"""Link previews: a GitHub compare, pull request or commit link pasted in Slack shows its report.

Slack sends ``link_shared`` and expects a fast acknowledgement, so the listener only looks in
Redis: a link whose report was made recently is unfurled at once from the cache; any other is
queued as the unfurl job (:func:`build_and_unfurl`), which builds the report through the same
cache and single flight as ``/diffinsight`` and unfurls when it is done.

The cache key holds resolved commit SHAs, which only a GitHub read can give, so the listener
keeps its own small index from a link to the report id last made for it: for as long as the
report is cached when the link names fixed commits, for a few minutes when it names a branch
or a pull request (which move).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.errors import SourceReadError
from bot.names import is_full_sha, report_id_in, report_url
from bot.render.slack.unfurl import unfurl_for
from bot.report import Report
from bot.request import ReportRequest
from bot.slack.poster import SlackPoster
from bot.sources import Source, SourceError, parse_source
from bot.store import keys
from bot.store.cache import cached_build, load_report_by_id
from bot.store.connection import REDIS_ERRORS, RedisUnavailable, get_redis

log = logging.getLogger(__name__)

EVENT_TTL = 3600
"""Slack retries an event for about an hour at most; its id is remembered that long."""
MUTABLE_LINK_TTL = 600
"""How long a branch or pull request link keeps pointing at the report last made for it."""
MAX_LINKS = 5
"""Links unfurled per message; more would flood the channel and the queue."""


@dataclass(frozen=True)
class SharedLink:
    """One link from a ``link_shared`` event: a GitHub change, or one of our report pages."""

    url: str
    source: Source | None = None
    report_id: str | None = None


def _redis_call(what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(f"Redis is not reachable ({what}): {exc}") from exc


def claim_event(config: Config, event_id: str) -> bool:
    """True the first time ``event_id`` is seen: Slack's retries of it return False."""
    client = get_redis(config)
    name = keys.unfurl_event(config.redis_prefix, event_id)
    return bool(_redis_call("claim event", client.set, name, "1", nx=True, ex=EVENT_TTL))


def shared_links(config: Config, links: list[dict[str, Any]]) -> list[SharedLink]:
    """The event's links we can preview, once each, at most MAX_LINKS."""
    found: list[SharedLink] = []
    seen: set[str] = set()
    for link in links:
        url = link.get("url") if isinstance(link, dict) else None
        if not isinstance(url, str) or url in seen:
            continue
        seen.add(url)
        report_id = report_id_in(config.public_url, url)
        if report_id:
            found.append(SharedLink(url, report_id=report_id))
        else:
            try:
                source = parse_source(url, github_web_host=config.github_web_host)
            except SourceError:
                continue
            found.append(SharedLink(url, source=source))
        if len(found) == MAX_LINKS:
            break
    return found


def is_fixed(source: Source) -> bool:
    """Whether the link names exact commits, so the report for it can never change."""
    if source.kind == "commit":
        return is_full_sha(source.head or "")
    if source.kind == "compare":
        sides = [(s or "").rsplit(":", 1)[-1].lower() for s in (source.base, source.head)]
        return all(is_full_sha(side) for side in sides)
    return False


def _link_name(config: Config, source: Source) -> str:
    ident = "|".join(
        str(part)
        for part in (
            source.kind,
            source.host.lower(),
            source.owner.lower(),
            source.repo.lower(),
            source.base,
            source.head,
            source.number,
            source.dots,
            config.lang,
            config.summarizer,
        )
    )
    return keys.unfurl_link(config.redis_prefix, ident)


def remember_link(config: Config, source: Source, report_id: str) -> None:
    """Point the link at ``report_id`` so the next paste unfurls without a job."""
    ttl = config.cache_ttl_seconds if is_fixed(source) else MUTABLE_LINK_TTL
    client = get_redis(config)
    _redis_call("remember link", client.set, _link_name(config, source), report_id, ex=ttl)


def cached_for_link(config: Config, source: Source) -> tuple[Report, str] | None:
    """The report (and its id) last made for this link, when it is still cached."""
    client = get_redis(config)
    raw = _redis_call("look up link", client.get, _link_name(config, source))
    if not raw:
        return None
    report_id = raw.decode() if isinstance(raw, bytes) else str(raw)
    report = load_report_by_id(config, report_id)
    return (report, report_id) if report is not None else None


def send_unfurls(
    config: Config,
    channel: str,
    ts: str,
    unfurls: dict[str, Any],
    client: WebClient | None = None,
) -> bool:
    """``chat.unfurl``; False (logged) when Slack refuses: a preview is not worth a retry."""
    try:
        SlackPoster(config, client).unfurl(channel, ts, unfurls)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("unfurl refused", extra={"channel": channel, "error": error})
        return False
    log.info("link unfurled", extra={"channel": channel, "links": len(unfurls)})
    return True


def build_and_unfurl(config: Config, url: str, channel: str, message_ts: str) -> str:
    """The unfurl job's work: build (or find) the report for ``url`` and attach it to the message.

    A link we cannot report on (not found, private and not allowed) gets no preview and no
    retry; a transient failure (network, rate limit, Redis) raises so the queue retries it.
    """
    try:
        source = parse_source(url, github_web_host=config.github_web_host)
        outcome = cached_build(ReportRequest(source=url), config)
    except SourceError:
        return "not-a-change"
    except SourceReadError as exc:
        if exc.transient:
            raise
        log.info("unfurl skipped: source unreadable", extra={"kind": type(exc).__name__})
        return "unreadable"
    remember_link(config, source, outcome.report_id)
    page = report_url(config.public_url, outcome.report_id)
    send_unfurls(config, channel, message_ts, {url: unfurl_for(outcome.report, page)})
    return outcome.report_id
