"""Worker jobs behind the webhook: fan a delivery out to its channels, and check paths first.

The web process queues one :func:`fan_out` job per delivery (the cheapest durable hand-off,
so the answer to GitHub stays fast); that job queues one report per channel, each keyed by
the merge commit so a merge seen as both a pull request and a push is reported once.

A push delivery lists the files each commit touched, so the webhook already dropped channels
whose paths were not touched. A merged pull request (and a forced push) does not say, so for
a path-filtered subscription :func:`report_if_touched` reads the change first and posts only
when a file matches; otherwise the channel would get an empty per-area report.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.build import filter_change, read_change
from bot.config import Config
from bot.errors import SourceReadError
from bot.github import MergedPull, merged_pull_for
from bot.jobs import (
    ReportJob,
    build_and_post,
    current_config,
    enqueue_report,
)
from bot.sources import SourceError, parse_source

log = logging.getLogger(__name__)

SKIPPED = "no-matching-paths"
FAN_OUT_RETRIES = (2, 10, 30)
"""A fan-out only talks to Redis, so it is retried sooner than a report build."""


def fan_out(reports: list[dict[str, Any]], merged_push: dict[str, str] | None = None) -> str:
    """Worker job: queue each channel's report; re-running it queues nothing twice.

    ``merged_push`` (``repository`` and ``sha``) marks a push to the default branch: when
    GitHub says a merged pull request has that merge commit, the pull request is reported
    instead of an untitled compare, under the same per-channel key as its own event.
    """
    config = current_config()
    pull = _merged_pull(config, merged_push) if merged_push else None
    queued = duplicates = 0
    for fields in reports:
        fields = dict(fields)
        if pull is not None:
            repository = merged_push["repository"] if merged_push else ""
            fields.update(
                source=f"{config.github_web_url.rstrip('/')}/{repository}/pull/{pull.number}",
                title=pull.title,
                origin="github:pull_request",
            )
        check_paths = bool(fields.pop("check_paths", False))
        job = ReportJob.from_fields(fields)
        result = enqueue_report(config, job, func=report_if_touched if check_paths else None)
        duplicates += result.duplicate
        queued += not result.duplicate
    log.info("webhook reports queued", extra={"queued": queued, "duplicates": duplicates})
    return f"{queued} queued, {duplicates} already reported"


def _merged_pull(config: Config, merged_push: dict[str, str]) -> MergedPull | None:
    """The pull request a pushed merge commit came from; None when there is none or GitHub
    cannot say right now (the push is then reported as its compare, as before)."""
    try:
        return merged_pull_for(config, merged_push["repository"], merged_push["sha"])
    except SourceReadError as exc:
        log.warning("merged pull lookup failed", extra={"error": type(exc).__name__})
        return None


def report_if_touched(post_key: str | None = None, **fields: Any) -> str:
    """Worker job: build and post the report only when the change touches ``paths``.

    An unreadable change is handed on to :func:`bot.jobs.build_and_post` unchanged, which
    retries transient failures and tells the subscriber about lasting ones.
    """
    config = current_config()
    paths = tuple(fields.get("paths") or ())
    if paths:
        try:
            source = parse_source(fields["source"], github_web_host=config.github_web_host)
            change = read_change(source, config)
        except (SourceError, SourceReadError):
            change = None
        if change is not None and not filter_change(change, paths).files:
            log.info("webhook report skipped", extra={"job": post_key, "reason": SKIPPED})
            return SKIPPED
    return build_and_post(post_key=post_key, **fields)
