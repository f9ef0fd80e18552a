"""From one verified delivery to the decision: which subscribed channels get which change.

Parsing and deciding is the webhook's whole work on the request path, with the one enqueue
that bot/jobs/fanout.py adds. Queueing each channel's report, reading GitHub and posting to
Slack happen later in a worker, which is how the answer stays far inside GitHub's 10-second
deadline however many channels subscribe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import redis

from bot import messages
from bot.areas import matches_any
from bot.config import Config
from bot.reading.access import is_allowed
from bot.reading.app_cache import remember_installation
from bot.store.subscriptions import Subscription, SubscriptionStore
from bot.webhooks.events import Ignored, Landed, PayloadError, Ping, parse_event
from bot.webhooks.installations import EVENTS as INSTALLATION_EVENTS
from bot.webhooks.installations import acknowledge


class Verdict(Enum):
    """What became of a delivery; the web handler maps each to an HTTP status."""

    PONG = "pong"
    QUEUED = "queued"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    BAD_PAYLOAD = "bad_payload"
    NO_SUBSCRIPTIONS = "no_subscriptions"
    NOT_ALLOWED = "not_allowed"
    ACKNOWLEDGED = "acknowledged"


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


@dataclass(frozen=True)
class Accepted:
    """A change to report, and the channels that get it; the queue does the rest."""

    landed: Landed
    targets: list[Target]


def decide(config: Config, client: redis.Redis, event: str, payload: object) -> Outcome | Accepted:
    """What a verified delivery asks for; Redis errors propagate (the answer is "try again")."""
    try:
        if event in INSTALLATION_EVENTS and isinstance(payload, dict):
            return Outcome(Verdict.ACKNOWLEDGED, acknowledge(config, event, payload))
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
    if config.github_app and parsed.installation is not None:
        # The delivery names the installation that reads the repository: no lookup needed.
        remember_installation(config, repository, parsed.installation)
    return Accepted(parsed, targets)
