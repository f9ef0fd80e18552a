"""From one verified delivery to the decision, and one queued job that reports it per channel.

This is the whole of the webhook's work on the request path: parse, find the subscribed
channels, claim the delivery, enqueue. Queueing each channel's report, reading GitHub and
posting to Slack happen later in a worker (bot/webhook_jobs.py), which is how the answer
stays far inside GitHub's 10-second deadline however many channels subscribe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import redis

from bot import messages
from bot.access import is_allowed
from bot.areas import matches_any
from bot.config import Config
from bot.deliveries import DELIVERY_TTL_SECONDS, delivery_dedup_key
from bot.jobs import ReportJob, enqueue
from bot.subscriptions import Subscription, SubscriptionStore
from bot.webhook_jobs import FAN_OUT_RETRIES, fan_out
from bot.webhooks import Ignored, Landed, PayloadError, Ping, parse_event


class Verdict(Enum):
    """What became of a delivery; the web handler maps each to an HTTP status."""

    PONG = "pong"
    QUEUED = "queued"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    BAD_PAYLOAD = "bad_payload"
    NO_SUBSCRIPTIONS = "no_subscriptions"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """One channel to tell about one change, with the paths it cares about (empty: all)."""

    channel: str
    paths: tuple[str, ...]
    requester: str | None


def targets_for(landed: Landed, subs: list[Subscription]) -> list[Target]:
    """One target per channel following the branch the change landed on.

    A channel may follow the same branch twice (named, and as "the default branch"); it still
    gets one report, covering every path either subscription asked for (or all of them).
    """
    default = landed.repository.default_branch
    by_channel: dict[str, list[Subscription]] = {}
    for sub in subs:
        if sub.follows(landed.branch, default):
            by_channel.setdefault(sub.channel, []).append(sub)
    targets: list[Target] = []
    for channel, mine in by_channel.items():
        if any(not s.paths for s in mine):
            paths: tuple[str, ...] = ()
        else:
            paths = tuple(dict.fromkeys(p for s in mine for p in s.paths))
        targets.append(Target(channel, paths, mine[0].created_by))
    return targets


def touches(target: Target, landed: Landed) -> bool:
    """Whether the change may concern ``target``; unknown file lists are left to the job."""
    if not target.paths or landed.touched is None:
        return True
    return any(matches_any(path, target.paths) for path in landed.touched)


def merge_dedup_key(landed: Landed, channel: str) -> str:
    """Same key for a merged pull request and the push of its merge commit, per channel."""
    return f"merge:{landed.repository.full_name.lower()}:{landed.merge_sha}:{channel}"


def _job(config: Config, landed: Landed, target: Target) -> ReportJob:
    return ReportJob(
        source=landed.source(config.github_web_url),
        channel=target.channel,
        requester=target.requester,
        paths=target.paths,
        title=landed.title,
        dedup_key=merge_dedup_key(landed, target.channel),
        origin=f"github:{landed.kind}",
        branch=landed.branch,
    )


def _queue_fan_out(
    config: Config, landed: Landed, targets: list[Target], delivery_id: str
) -> Outcome:
    """Queue one job that queues the per-channel reports, so the answer costs one enqueue.

    With 50 deliveries arriving at once every millisecond on the request path counts; the
    per-channel jobs (and their PR+push dedup) cost the same in the worker, off that path.
    The job is keyed by the delivery id, so a redelivery queues nothing.
    """
    reports = [
        # vars(), not asdict(): the fields are plain values, and asdict's deep copy costs
        # a tenth of a millisecond per channel on the request path.
        {**vars(_job(config, landed, t)), "check_paths": bool(t.paths and landed.touched is None)}
        for t in targets
    ]
    kwargs: dict[str, object] = {"reports": reports}
    if landed.kind == "push" and landed.branch == landed.repository.default_branch:
        kwargs["merged_push"] = {"repository": landed.repository.full_name, "sha": landed.head}
    queued = enqueue(
        config,
        fan_out,
        kwargs,
        delivery_dedup_key(delivery_id),
        retry_intervals=FAN_OUT_RETRIES,
        dedup_ttl=DELIVERY_TTL_SECONDS,
    )
    if queued.duplicate:
        return Outcome(Verdict.DUPLICATE, messages.WEBHOOK_DUPLICATE_DELIVERY)
    reason = messages.WEBHOOK_QUEUED.format(count=len(targets))
    return Outcome(Verdict.QUEUED, reason, tuple(t.channel for t in targets))


def handle_delivery(
    config: Config, client: redis.Redis, event: str, delivery_id: str, payload: object
) -> Outcome:
    """Decide and queue; Redis errors propagate so the handler can answer "try again"."""
    try:
        parsed = parse_event(event, payload)
    except PayloadError as exc:
        return Outcome(Verdict.BAD_PAYLOAD, exc.reason)
    store = SubscriptionStore(client, config.redis_prefix)
    if isinstance(parsed, Ping):
        if parsed.repository and not store.for_repository(parsed.repository.full_name):
            reason = messages.WEBHOOK_PONG_NO_SUBS.format(repo=parsed.repository.full_name)
            return Outcome(Verdict.PONG, reason)
        return Outcome(Verdict.PONG, messages.WEBHOOK_PONG)
    if isinstance(parsed, Ignored):
        return Outcome(Verdict.IGNORED, parsed.reason)
    repository = parsed.repository.full_name
    if parsed.repository.private and not is_allowed(repository, config.allowed_repos):
        return Outcome(Verdict.NOT_ALLOWED, messages.WEBHOOK_NOT_ALLOWED.format(repo=repository))
    subs = store.for_repository(repository)
    if not subs:
        reason = messages.WEBHOOK_NO_SUBSCRIPTIONS.format(repo=repository)
        return Outcome(Verdict.NO_SUBSCRIPTIONS, reason)
    targets = targets_for(parsed, subs)
    if not targets:
        reason = messages.WEBHOOK_BRANCH_NOT_FOLLOWED.format(branch=parsed.branch)
        return Outcome(Verdict.IGNORED, reason)
    targets = [t for t in targets if touches(t, parsed)]
    if not targets:
        return Outcome(Verdict.IGNORED, messages.WEBHOOK_NO_PATH_MATCH)
    return _queue_fan_out(config, parsed, targets, delivery_id)
