"""The commit messages of a GitHub range, for what its authors say about the change.

A compare answers its commits (the first page, up to 250) beside its files; a pull request's
range is compared from its base to its head once, which also gives the merge base the pull
request's diff starts from (the old side of its files).
"""

from __future__ import annotations

import json
from typing import Any

from github import Github

from bot.config import Config
from bot.diff import CommitMessage
from bot.reading.github_client import github_errors


def compare_messages(commits: Any) -> list[CommitMessage]:
    """Commit messages from a compare's ``commits`` (raw JSON), oldest first."""
    found: list[CommitMessage] = []
    for item in commits if isinstance(commits, list) else []:
        message = (
            ((item or {}).get("commit") or {}).get("message") if isinstance(item, dict) else None
        )
        if isinstance(message, str) and message.strip():
            found.append(CommitMessage(str(item.get("sha", "")), message.strip()))
    return found


def pull_history(
    client: Github,
    config: Config,
    repo_url: str,
    repository: str,
    shas: tuple[str, str],
    number: int,
) -> tuple[str, list[CommitMessage]]:
    """The merge base a pull request's diff starts from, and its commits' messages."""
    base, head = shas
    url = f"{repo_url}/compare/{base}...{head}?per_page=100"
    with github_errors(config, repository, pull=number):
        status, _, body = client.requester.requestJson("GET", url)
    try:
        data = json.loads(body) if status < 400 else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return base, []
    start = str((data.get("merge_base_commit") or {}).get("sha") or base)
    return start, compare_messages(data.get("commits"))
