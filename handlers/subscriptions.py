"""``/diffinsight subscribe | unsubscribe | list``: parse the words, call the store, word the reply.

The reply is shown only to the person who typed the command (ephemeral), so it can carry the
webhook setup steps without cluttering the channel.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from bot import messages
from bot.config import Config
from bot.errors import SourceReadError
from bot.names import WEBHOOK_PATH, is_branch_name, strip_slack_link
from bot.reading.github_client import check_access
from bot.render.slack.mrkdwn import escape_mrkdwn
from bot.store.connection import REDIS_DOWN
from bot.store.subscriptions import (
    Subscription,
    SubscriptionError,
    check_paths,
    check_repository,
    store_for,
    subscribe,
    unsubscribe,
)

log = logging.getLogger(__name__)


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


def webhook_setup(config: Config, repository: str, *, by_app: bool = False) -> str:
    """How to point the repository's webhook at this server, with what is still missing.

    ``by_app``: the bot's GitHub App is installed on it, and its webhook delivers the events.
    """
    if config.public_url:
        payload_url = f"`{config.public_url}{WEBHOOK_PATH}`"
    else:
        payload_url = messages.SUBS_SETUP_NO_PUBLIC_URL.format(path=WEBHOOK_PATH)
    if by_app:
        text = messages.SUBS_SETUP_APP.format(payload_url=payload_url)
    else:
        text = messages.SUBS_SETUP.format(
            settings=f"{config.github_web_url}/{repository}/settings/hooks/new",
            payload_url=payload_url,
        )
    if not config.github_webhook_secret:
        text += "\n" + messages.SUBS_SETUP_NO_SECRET
    return text


def _describe(sub: Subscription) -> str:
    return escape_mrkdwn(sub.describe())


def _subscribe(config: Config, args: list[str], channel: str, user: str) -> str:
    if not args:
        return messages.SUBS_USAGE
    repository = parse_repository_arg(args[0], config)
    branch, _, paths = split_branch_and_paths(args[1:])
    owner, name = repository.split("/")
    by_app = check_access(config, owner, name)
    sub, replaced = subscribe(
        store_for(config),
        channel=channel,
        user=user,
        repository=repository,
        branch=branch,
        paths=paths,
    )
    log.info("subscription stored", extra={"channel": channel, "repository": repository})
    head = messages.SUBS_UPDATED if replaced else messages.SUBS_STORED
    setup = webhook_setup(config, repository, by_app=by_app)
    return head.format(what=_describe(sub)) + "\n" + setup


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


def answer(config: Config, words: list[str], channel: str, user: str) -> str:
    """The ephemeral reply to ``subscribe``/``unsubscribe``/``list`` (``words[0]`` is the verb)."""
    if not words:
        return messages.SUBS_USAGE
    verb, args = words[0].lower(), words[1:]
    try:
        if verb == "subscribe":
            return _subscribe(config, args, channel, user)
        if verb == "unsubscribe":
            return _unsubscribe(config, args, channel)
        if verb == "list":
            return _list(config, channel)
    except SubscriptionError as exc:
        return escape_mrkdwn(str(exc)) + "\n" + messages.SUBS_USAGE
    except SourceReadError as exc:
        return escape_mrkdwn(str(exc))
    except REDIS_DOWN:
        log.warning("subscription store unavailable", extra={"channel": channel})
        return messages.SUBS_STORE_DOWN
    return messages.SUBS_USAGE
