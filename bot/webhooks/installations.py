"""The GitHub App's own events: installed, removed, suspended, repositories added or removed.

Nothing is reported for them; they only keep the shared App cache true. A removed or
suspended installation loses its cached token and its repositories at once (so no worker goes
on trying a token GitHub has revoked); a repository just granted loses the brief "not
installed" answer about it, so a report asked for right after installing works.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot import messages
from bot.config import Config
from bot.names import is_owner, is_repo_name
from bot.reading.app_cache import (
    forget_installation,
    forget_not_installed,
    remember_installation,
)
from bot.webhooks.events import PayloadError, installation_id

log = logging.getLogger(__name__)

EVENTS = ("installation", "installation_repositories")
MAX_LISTED = 5000
"""More repositories than any selection lists; a longer list is not from GitHub."""
GONE = ("deleted", "suspend")
GRANTED = ("created", "unsuspend", "new_permissions_accepted")


def _repositories(payload: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """The ``owner/repo`` names listed under ``name`` (absent: none), each checked."""
    listed = payload.get(name)
    if listed is None:
        return ()
    if not isinstance(listed, list) or len(listed) > MAX_LISTED:
        raise PayloadError(messages.WEBHOOK_BAD_FIELD.format(field=name))
    names: list[str] = []
    for entry in listed:
        full = entry.get("full_name") if isinstance(entry, dict) else None
        owner, _, repo = full.partition("/") if isinstance(full, str) else ("", "", "")
        if not is_owner(owner) or not is_repo_name(repo):
            raise PayloadError(messages.WEBHOOK_BAD_FIELD.format(field=f"{name}[].full_name"))
        names.append(f"{owner}/{repo}".lower())
    return tuple(names)


def acknowledge(config: Config, event: str, payload: Mapping[str, Any]) -> str:
    """Bring the App cache in line with one ``installation*`` delivery; the reason to answer.

    Redis errors propagate, so GitHub is told to redeliver rather than the cache left stale.
    """
    number = installation_id(payload)
    action = payload.get("action")
    if number is None:
        raise PayloadError(messages.WEBHOOK_MISSING_FIELD.format(field="installation.id"))
    if not isinstance(action, str):
        raise PayloadError(messages.WEBHOOK_MISSING_FIELD.format(field="action"))
    action = action[:64]
    if event == "installation":
        listed = _repositories(payload, "repositories")
        if action in GONE:
            forget_installation(config, number, listed)
            log.info("app installation gone", extra={"installation": number, "action": action})
            return messages.WEBHOOK_INSTALLATION_GONE.format(id=number, action=action)
        if action in GRANTED:
            forget_not_installed(config, listed)
            if action == "new_permissions_accepted":  # a token made before has the old ones
                forget_installation(config, number, (), entirely=False)
        return messages.WEBHOOK_INSTALLATION_SEEN.format(id=number, action=action)
    added = _repositories(payload, "repositories_added")
    removed = _repositories(payload, "repositories_removed")
    if removed:
        forget_installation(config, number, removed, entirely=False)
    forget_not_installed(config, added)
    for repository in added:
        remember_installation(config, repository, number)
    log.info(
        "app installation repositories",
        extra={"installation": number, "added": len(added), "removed": len(removed)},
    )
    return messages.WEBHOOK_INSTALLATION_REPOS.format(
        id=number, added=len(added), removed=len(removed)
    )
