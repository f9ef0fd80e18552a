"""``/diffinsight subscribe | unsubscribe | list``: parse the words, call the store, word the reply.

The reply is shown only to the person who typed the command (ephemeral), so it can carry the
webhook setup steps without cluttering the channel.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from bot import messages
from bot.config import Config
from bot.jobs.queue import SUBSCRIBE, enqueue
from bot.names import is_branch_name, strip_slack_link
from bot.render.slack.mrkdwn import escape_mrkdwn
from bot.store.connection import REDIS_DOWN
from bot.store.subscriptions import (
    Subscription,
    SubscriptionError,
    check_paths,
    check_repository,
    store_for,
    unsubscribe,
)

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT = 120
"""Seconds the access-check job may take (GitHub's own timeout with its retries fits)."""


def parse_repository_arg(text: str, config: Config) -> str:
    """``OWNER/REPO`` from ``OWNER/REPO`` or a repository link on GitHub or the Enterprise host."""
    text = strip_slack_link(text)
    if "://" in text:
        parts = urlsplit(text)
        host = parts.netloc.lower().rsplit("@", 1)[-1]
        if host not in {"github.com", "www.github.com", config.github_web_host}:
            raise SubscriptionError(messages.SUBS_BAD_REPOSITORY.format(text=text[:200]))
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2:
            raise SubscriptionError(messages.SUBS_BAD_REPOSITORY.format(text=text[:200]))
        return check_repository(segments[0], segments[1])
    pieces = text.strip("/").split("/")
    if len(pieces) != 2:
        raise SubscriptionError(messages.SUBS_BAD_REPOSITORY.format(text=text[:200]))
    return check_repository(pieces[0], pieces[1])


def split_branch_and_paths(args: list[str]) -> tuple[str | None, bool, tuple[str, ...]]:
    """(branch, branch_given, paths) from the words after the repository.

    The first word is the branch when it is a valid branch name that does not end in ``/``;
    anything else (``docs/``, ``docs/**``, ``*.md``) starts the path globs and keeps the
    default branch. That is the one rule a person needs to know.
    """
    words = [strip_slack_link(w) for w in args if w.strip()]
    if words and is_branch_name(words[0]):
        return words[0], True, check_paths(words[1:])
    return None, False, check_paths(words)


def _describe(sub: Subscription) -> str:
    return escape_mrkdwn(sub.describe())


def _subscribe(
    config: Config, args: list[str], channel: str, user: str, response_url: str | None
) -> str:
    """Check the words here; the access check (GitHub) and the store run in a job."""
    if not args:
        return messages.SUBS_USAGE
    repository = parse_repository_arg(args[0], config)
    branch, _, paths = split_branch_and_paths(args[1:])
    fields = {
        "channel": channel,
        "user": user,
        "repository": repository,
        "branch": branch,
        "paths": list(paths),
        "response_url": response_url,
    }
    enqueue(config, SUBSCRIBE, fields, job_timeout=SUBSCRIBE_TIMEOUT)
    what = Subscription(channel, repository, branch, paths).describe()
    return messages.SUBS_CHECKING.format(
        repository=escape_mrkdwn(repository), what=escape_mrkdwn(what)
    )


def _unsubscribe(config: Config, args: list[str], channel: str) -> str:
    if not args:
        return messages.SUBS_USAGE
    repository = parse_repository_arg(args[0], config)
    branch, branch_given, paths = split_branch_and_paths(args[1:])
    narrowed = branch_given or bool(paths)
    removed, kept = unsubscribe(
        store_for(config),
        channel=channel,
        repository=repository,
        branch=branch,
        narrowed=narrowed,
        paths=paths,
    )
    if kept:
        return messages.SUBS_NARROWED.format(what=_describe(kept[0]))
    if not removed:
        return messages.SUBS_NOTHING_TO_REMOVE.format(repository=repository)
    lines = [messages.SUBS_REMOVED.format(count=len(removed))]
    lines += [f"• {_describe(s)}" for s in removed]
    return "\n".join(lines)


def _list(config: Config, channel: str) -> str:
    subs = store_for(config).for_channel(channel)
    if not subs:
        return messages.SUBS_NONE
    lines = [messages.SUBS_LIST_HEAD.format(count=len(subs))]
    lines += [f"• {_describe(s)}" for s in subs]
    return "\n".join(lines)


def answer(
    config: Config, words: list[str], channel: str, user: str, response_url: str | None = None
) -> str:
    """The ephemeral reply to ``subscribe``/``unsubscribe``/``list`` (``words[0]`` is the verb)."""
    if not words:
        return messages.SUBS_USAGE
    verb, args = words[0].lower(), words[1:]
    try:
        if verb == "subscribe":
            return _subscribe(config, args, channel, user, response_url)
        if verb == "unsubscribe":
            return _unsubscribe(config, args, channel)
        if verb == "list":
            return _list(config, channel)
    except SubscriptionError as exc:
        return escape_mrkdwn(str(exc)) + "\n" + messages.SUBS_USAGE
    except REDIS_DOWN:
        log.warning("subscription store unavailable", extra={"channel": channel})
        return messages.SUBS_STORE_DOWN
    return messages.SUBS_USAGE
