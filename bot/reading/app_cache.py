"""What is known of the GitHub App's installations, kept in Redis for every process.

A repository's installation is recorded when a lookup or an App webhook delivery names it,
and dropped, with the installation's token, when GitHub says the installation was removed,
suspended or lost the repository; a repository just granted loses its brief "not installed"
answer. Lookups and tokens themselves are in :mod:`bot.reading.app`.
"""

from __future__ import annotations

import logging

from bot.config import Config
from bot.store import keys
from bot.store.connection import REDIS_DOWN, get_redis, running_redis

log = logging.getLogger(__name__)

INSTALLATION_TTL_SECONDS = 3600
"""A repository's installation is looked up again after an hour (it rarely changes)."""
NOT_INSTALLED = "none"
"""Stored in place of an installation id where GitHub said the App is not installed."""


def remember_installation(config: Config, repository: str, installation: int) -> None:
    """Record (from a lookup or a delivery) that ``installation`` reads ``repository``."""
    try:
        client = running_redis(config)
        if client is None:
            return
        with client.pipeline() as pipe:
            pipe.set(
                keys.app_installation(config.redis_prefix, repository),
                str(installation),
                ex=INSTALLATION_TTL_SECONDS,
            )
            members = keys.app_installation_repos(config.redis_prefix, installation)
            pipe.sadd(members, repository.lower())
            pipe.expire(members, INSTALLATION_TTL_SECONDS)
            pipe.execute()
    except REDIS_DOWN:
        log.warning("app installation not remembered", extra={"installation": installation})


def forget_installation(
    config: Config, installation: int, repositories: tuple[str, ...], *, entirely: bool = True
) -> None:
    """Drop the token of ``installation`` and what is known of where it is installed.

    ``entirely`` (removed or suspended): every repository it was found on is forgotten;
    otherwise only ``repositories`` (taken out of the installation) are.
    """
    prefix = config.redis_prefix
    client = get_redis(config)
    members = keys.app_installation_repos(prefix, installation)
    known = {r.lower() for r in repositories}
    if entirely:
        known |= {m.decode() if isinstance(m, bytes) else str(m) for m in client.smembers(members)}
    with client.pipeline() as pipe:
        pipe.delete(keys.app_token(prefix, installation))
        if entirely:
            pipe.delete(members)
        elif known:
            pipe.srem(members, *known)
        for repository in known:
            pipe.delete(keys.app_installation(prefix, repository))
        pipe.execute()


def forget_not_installed(config: Config, repositories: tuple[str, ...]) -> None:
    """A repository just got the App: forget the brief "not installed" answer about it."""
    if not repositories:
        return
    client = get_redis(config)
    for repository in repositories:
        key = keys.app_installation(config.redis_prefix, repository)
        client.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
            " return 0",
            1,
            key,
            NOT_INSTALLED,
        )
