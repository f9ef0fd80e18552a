"""``/diffinsight digest OWNER/REPO daily|weekly [BRANCH] [GLOB ...]``, ``list``, ``stop``.

The acknowledgement only parses the words and stores the subscription (Redis); it never asks
GitHub. Right after it, a lazy step queues the job that checks the repository may be read
(with the report's allowance rules) and makes sure the daily tick is scheduled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import messages
from bot.config import Config
from bot.jobs.queue import CHECK_DIGEST, enqueue
from bot.jobs.schedule import ensure_schedule
from bot.render.slack.mrkdwn import escape_mrkdwn
from bot.store.connection import REDIS_DOWN
from bot.store.digests import (
    CADENCES,
    Cadence,
    DigestError,
    DigestSubscription,
    digest_store,
    subscribe_digest,
)
from bot.store.subscriptions import SubscriptionError
from handlers.subscriptions import parse_repository_arg, split_branch_and_paths

log = logging.getLogger(__name__)

WORD = "digest"


@dataclass(frozen=True)
class DigestCommand:
    verb: str
    """``subscribe``, ``list``, ``stop`` or ``help``."""
    repository: str | None = None
    cadence: Cadence | None = None
    branch: str | None = None
    paths: tuple[str, ...] = ()


def parse_digest_command(config: Config, words: list[str]) -> DigestCommand:
    """The words after ``digest``; SubscriptionError/DigestError name what is wrong."""
    if not words or words[0].lower() in ("help", "-h", "--help"):
        return DigestCommand("help")
    head = words[0].lower()
    if head == "list" and len(words) == 1:
        return DigestCommand("list")
    if head == "stop":
        if len(words) != 2:
            return DigestCommand("help")
        return DigestCommand("stop", parse_repository_arg(words[1], config))
    repository = parse_repository_arg(words[0], config)
    if len(words) < 2:
        return DigestCommand("help")
    cadence = words[1].lower()
    if cadence not in CADENCES:
        raise DigestError(messages.DIGEST_BAD_CADENCE.format(text=words[1][:40]))
    branch, _, paths = split_branch_and_paths(words[2:])
    chosen: Cadence = "weekly" if cadence == "weekly" else "daily"
    return DigestCommand("subscribe", repository, chosen, branch, paths)


def usage(config: Config) -> str:
    return messages.DIGEST_USAGE.format(hour=f"{config.digest_hour:02d}")


def _subscribe(config: Config, command: DigestCommand, channel: str, user: str) -> str:
    assert command.repository is not None and command.cadence is not None
    sub = DigestSubscription(
        channel=channel,
        repository=command.repository,
        cadence=command.cadence,
        branch=command.branch,
        paths=command.paths,
        created_by=user or None,
    )
    replaced = subscribe_digest(digest_store(config), sub)
    log.info("digest stored", extra={"channel": channel, "repository": sub.repository})
    text = messages.DIGEST_UPDATED if replaced else messages.DIGEST_STORED
    day = messages.DIGEST_ON_MONDAYS if sub.cadence == "weekly" else ""
    return text.format(
        cadence=sub.cadence,
        what=escape_mrkdwn(sub.describe()),
        hour=f"{config.digest_hour:02d}",
        day=day,
    )


def _list(config: Config, channel: str) -> str:
    subs = digest_store(config).for_channel(channel)
    if not subs:
        return messages.DIGEST_NONE
    lines = [messages.DIGEST_LIST_HEAD.format(count=len(subs))]
    return "\n".join([*lines, *(f"• {escape_mrkdwn(s.describe())}" for s in subs)])


def _stop(config: Config, repository: str, channel: str) -> str:
    gone = digest_store(config).delete(channel, repository)
    if gone is None:
        return messages.DIGEST_NOTHING_TO_STOP.format(repository=escape_mrkdwn(repository))
    return messages.DIGEST_STOPPED.format(what=escape_mrkdwn(gone.describe()))


def answer(config: Config, words: list[str], channel: str, user: str) -> str:
    """The ephemeral reply to ``digest ...`` (``words[0]`` is ``digest``)."""
    try:
        command = parse_digest_command(config, words[1:])
        if command.verb == "subscribe":
            return _subscribe(config, command, channel, user)
        if command.verb == "list":
            return _list(config, channel)
        if command.verb == "stop" and command.repository is not None:
            return _stop(config, command.repository, channel)
    except (SubscriptionError, DigestError) as exc:
        return escape_mrkdwn(str(exc)) + "\n" + usage(config)
    except REDIS_DOWN:
        log.warning("digest store unavailable", extra={"channel": channel})
        return messages.DIGEST_STORE_DOWN
    return usage(config)


def after_ack(config: Config, words: list[str], channel: str, user: str, dedup: str) -> str | None:
    """After a stored subscription: queue its access check, make sure the tick is scheduled.

    Returns the sentence to send when that failed (Redis down), else None.
    """
    try:
        command = parse_digest_command(config, words[1:])
    except (SubscriptionError, DigestError):
        return None
    if command.verb != "subscribe" or command.repository is None:
        return None
    try:
        if digest_store(config).get(channel, command.repository) is None:
            return None
        fields = {
            "channel": channel,
            "repository": command.repository,
            "cadence": command.cadence,
            "created_by": user or None,
        }
        enqueue(config, CHECK_DIGEST, fields, dedup)
        ensure_schedule(config)
    except REDIS_DOWN:
        log.warning("digest check not queued", extra={"channel": channel})
        return messages.SLACK_UNAVAILABLE
    return None
