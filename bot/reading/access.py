"""Which repositories the bot may read: every public one, private ones only when allowed.

A token often reaches far more private repositories than the channel that asks should see,
so ``DIFFINSIGHT_ALLOWED_REPOS`` (``owner/repo`` or ``owner/*`` patterns, case-insensitive)
names the private ones a report may be built from.
"""

from __future__ import annotations

import logging

from bot import messages
from bot.config import Config
from bot.errors import NotAllowedError

log = logging.getLogger(__name__)


def is_allowed(repository: str, patterns: tuple[str, ...]) -> bool:
    """True when ``OWNER/REPO`` matches ``owner/repo`` or ``owner/*`` in ``patterns``."""
    owner, _, name = repository.strip().lower().partition("/")
    if not owner or not name:
        return False
    for pattern in patterns:
        p_owner, _, p_name = pattern.strip().lower().partition("/")
        if p_owner == owner and p_name in (name, "*"):
            return True
    return False


def require_allowed(config: Config, repository: str, private: bool) -> None:
    """Raise :class:`NotAllowedError` for a private repository the patterns do not allow."""
    if private and not is_allowed(repository, config.allowed_repos):
        # The operator learns why from the log; the person asking reads what a missing
        # repository would say (messages.GITHUB_NOT_VISIBLE).
        log.warning("private repository not allowed", extra={"repository": repository})
        raise NotAllowedError(messages.GITHUB_NOT_VISIBLE.format(repository=repository))
