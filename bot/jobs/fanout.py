"""The work behind the webhook: fan a delivery out to its channels, and check paths first.

The web process queues one fan-out job per delivery (the cheapest durable hand-off,
so the answer to GitHub stays fast); that job queues one report per channel, each keyed by
the merge commit so a merge seen as both a pull request and a push is reported once.

A push delivery lists the files each commit touched, so the webhook already dropped channels
whose paths were not touched. A merged pull request (and a forced push) does not say, so for
a path-filtered subscription's job reads the change first (:func:`touches_paths`) and posts only
when a file matches; otherwise the channel would get an empty per-area report.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from bot import messages
from bot.build import filter_change, read_change
from bot.config import Config
from bot.errors import SourceReadError
from bot.jobs.queue import FAN_OUT, REPORT_IF_TOUCHED, Origin, ReportJob, enqueue, enqueue_report
from bot.reading.github import MergedPull, merged_pull_for
from bot.sources import SourceError, parse_source
from bot.store.deliveries import DELIVERY_TTL_SECONDS, delivery_dedup_key
from bot.webhooks.dispatch import Outcome, Target, Verdict, decide
from bot.webhooks.events import Landed

log = logging.getLogger(__name__)

SKIPPED = "no-matching-paths"
FAN_OUT_RETRIES = (2, 10, 30)
"""A fan-out only talks to Redis, so it is retried sooner than a report build."""


def merge_dedup_key(landed: Landed, channel: str) -> str:
    """Same key for a merged pull request and the push of its merge commit, per channel."""
    return f"merge:{landed.repository.full_name.lower()}:{landed.merge_sha}:{channel}"


def _origin(landed: Landed) -> Origin:
    if landed.kind == "pull_request":
        return Origin.PULL_REQUEST
    return Origin.FORCE_PUSH if landed.forced else Origin.PUSH


def _job(config: Config, landed: Landed, target: Target) -> ReportJob:
    return ReportJob(
        source=landed.source(config.github_web_url),
        channel=target.channel,
        requester=target.requester,
        paths=target.paths,
        dedup_key=merge_dedup_key(landed, target.channel),
        origin=_origin(landed),
        branch=landed.branch,
        pull_number=landed.number if landed.kind == "pull_request" else None,
    )


def queue_delivery(
    config: Config, client: redis.Redis, event: str, delivery_id: str, payload: object
) -> Outcome:
    """A verified delivery: decide, then queue one job that queues the per-channel reports.

    The answer costs one enqueue (Redis errors propagate, so the handler answers "try again").

    With 50 deliveries arriving at once every millisecond on the request path counts; the
    per-channel jobs (and their PR+push dedup) cost the same in the worker, off that path.
    The job is keyed by the delivery id, so a redelivery queues nothing.
    """
    decision = decide(config, client, event, payload)
    if isinstance(decision, Outcome):
        return decision
    landed, targets = decision.landed, decision.targets
    reports = [
        # vars(), not asdict(): the fields are plain values, and asdict's deep copy costs
        # a tenth of a millisecond per channel on the request path.
        {
            **_job(config, landed, t).fields(),
            "check_paths": bool(t.paths and landed.touched is None),
        }
        for t in targets
    ]
    kwargs: dict[str, object] = {"reports": reports}
    if landed.kind == "push" and landed.branch == landed.repository.default_branch:
        kwargs["merged_push"] = {"repository": landed.repository.full_name, "sha": landed.head}
    queued = enqueue(
        config,
        FAN_OUT,
        kwargs,
        delivery_dedup_key(delivery_id),
        retry_intervals=FAN_OUT_RETRIES,
        dedup_ttl=DELIVERY_TTL_SECONDS,
    )
    if queued.duplicate:
        return Outcome(Verdict.DUPLICATE, messages.WEBHOOK_DUPLICATE_DELIVERY)
    reason = messages.WEBHOOK_QUEUED.format(count=len(targets))
    return Outcome(Verdict.QUEUED, reason, tuple(t.channel for t in targets))


def fan_out(
    config: Config, reports: list[dict[str, Any]], merged_push: dict[str, str] | None = None
) -> str:
    """Queue each channel's report; re-running it queues nothing twice.

    ``merged_push`` (``repository`` and ``sha``) marks a push to the default branch: when
    GitHub says a merged pull request has that merge commit, the pull request is reported
    instead of an untitled compare, under the same per-channel key as its own event.
    """
    pull = _merged_pull(config, merged_push) if merged_push else None
    queued = duplicates = 0
    for fields in reports:
        fields = dict(fields)
        if pull is not None:
            repository = merged_push["repository"] if merged_push else ""
            fields.update(
                source=f"{config.github_web_url.rstrip('/')}/{repository}/pull/{pull.number}",
                origin=Origin.PULL_REQUEST.value,
                pull_number=pull.number,
            )
        check_paths = bool(fields.pop("check_paths", False))
        job = ReportJob.from_fields(fields)
        if check_paths:
            result = enqueue_report(config, job, func=REPORT_IF_TOUCHED)
        else:
            result = enqueue_report(config, job)
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


def touches_paths(config: Config, fields: dict[str, Any], post_key: str | None) -> bool:
    """Whether the job's change touches its ``paths`` (no paths: all of them).

    An unreadable change counts as touching: the report job that follows retries transient
    failures and tells the subscriber about lasting ones.
    """
    paths = tuple(fields.get("paths") or ())
    if not paths:
        return True
    try:
        source = parse_source(fields["source"], github_web_host=config.github_web_host)
        change = read_change(source, config)
    except (SourceError, SourceReadError):
        return True
    if filter_change(change, paths).files:
        return True
    log.info("webhook report skipped", extra={"job": post_key, "reason": SKIPPED})
    return False
