"""The subscribe job: check that the bot may read the repository, store, tell the person.

``/diffinsight subscribe`` answers within Slack's 3 seconds without calling GitHub (the
request path never does): the access check, which may be slow or fail, runs here in the
worker, and its outcome reaches the person privately. A subscription is stored only once the
repository is known to be readable, so no channel ever waits on one that cannot work.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import messages
from bot.config import Config
from bot.errors import SourceReadError
from bot.names import WEBHOOK_PATH
from bot.reading.github_client import check_access
from bot.render.slack.mrkdwn import escape_mrkdwn
from bot.slack.poster import SlackPoster, SlackTarget
from bot.store.subscriptions import SubscriptionError, store_for, subscribe

log = logging.getLogger(__name__)


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


def verify_and_subscribe(config: Config, fields: dict[str, Any], *, final: bool) -> str:
    """Check access, store, and tell ``fields["user"]`` how it went; the outcome's word.

    A transient failure (GitHub slow or down) raises while retries remain (``final`` False);
    the last one is told, and nothing is stored.
    """
    repository = str(fields["repository"])
    owner, name = repository.split("/", 1)
    target = SlackTarget(
        channel=str(fields["channel"]),
        requester=fields.get("user") or None,
        response_url=fields.get("response_url"),
    )
    poster = SlackPoster(config)
    try:
        by_app = check_access(config, owner, name)
        sub, replaced = subscribe(
            store_for(config),
            channel=target.channel,
            user=target.requester,
            repository=repository,
            branch=fields.get("branch"),
            paths=tuple(fields.get("paths") or ()),
        )
    except SourceReadError as exc:
        if exc.transient and not final:
            raise
        log.info("subscription refused", extra={"kind": type(exc).__name__})
        poster.post_error(target, messages.SUBS_NOT_STORED.format(reason=str(exc)))
        return "refused"
    except SubscriptionError as exc:
        poster.post_error(target, str(exc))
        return "refused"
    log.info("subscription stored", extra={"channel": target.channel})
    head = messages.SUBS_UPDATED if replaced else messages.SUBS_STORED
    text = (
        head.format(what=escape_mrkdwn(sub.describe()))
        + "\n"
        + webhook_setup(config, repository, by_app=by_app)
    )
    poster.tell(target, text)
    return "stored"
