"""One configured PyGithub client, and GitHub's failures turned into errors a person can act on.

Every GitHub call in the bot goes through :func:`make_client` (so base URL, token, timeouts
and retries are set in one place) and :func:`github_errors` (so a 404, a 422 for an unknown
ref, a rate limit or a refused connection each becomes its own error with its own sentence).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from github import Auth, Github, GithubException
from github.Repository import Repository
from urllib3.util.retry import Retry

from bot import messages
from bot.config import Config
from bot.errors import (
    NetworkError,
    NotFoundError,
    RateLimitedError,
    SourceReadError,
    UnknownRefError,
)
from bot.reading.access import require_allowed

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
DIFF_MEDIA_TYPE = "application/vnd.github.diff"

# A dropped connection or a 502/503 from a proxy is retried twice, quickly; rate limits are
# not retried here (PyGithub's default would sleep until the reset, possibly an hour): the
# caller raises RateLimitedError and the job queue decides when to try again.
RETRY = Retry(
    total=2,
    connect=2,
    read=1,
    status=2,
    status_forcelist=(502, 503, 504),
    backoff_factor=0.2,
    allowed_methods=frozenset({"GET"}),
    raise_on_status=False,
    respect_retry_after_header=False,
)


def make_client(config: Config) -> Github:
    """A PyGithub client for ``GITHUB_API_URL``, authenticated only when a token is set."""
    auth = Auth.Token(config.github_token) if config.github_token else None
    return Github(
        base_url=config.github_api_url,
        auth=auth,
        timeout=TIMEOUT_SECONDS,
        retry=RETRY,
        per_page=100,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def fetch_repository(client: Github, config: Config, owner: str, repo: str) -> Repository:
    """The repository, after checking it may be read (NotFoundError / NotAllowedError)."""
    repository = f"{owner}/{repo}"
    with github_errors(config, repository):
        found = client.get_repo(repository)
        private = bool(found.private)
        full_name = found.full_name or repository
    require_allowed(config, full_name, private)
    return found


@contextmanager
def github_errors(
    config: Config, repository: str, *, ref: str | None = None, pull: int | None = None
) -> Iterator[None]:
    """Translate PyGithub and network failures inside the block into SourceReadError."""
    try:
        yield
    except GithubException as exc:
        raise translate(
            exc.status, exc.data, exc.headers or {}, config, repository, ref, pull
        ) from exc
    except json.JSONDecodeError as exc:
        # A 200 whose body is cut short or is not JSON (a proxy's page): worth a retry.
        log.warning("github answer garbled", extra={"error": type(exc).__name__})
        raise NetworkError(messages.GITHUB_GARBLED.format(url=config.github_api_url)) from exc
    except requests.exceptions.RequestException as exc:
        log.warning("github unreachable", extra={"error": type(exc).__name__})
        raise NetworkError(
            messages.GITHUB_UNREACHABLE.format(
                url=config.github_api_url, reason=_network_reason(exc)
            )
        ) from exc


def translate(
    status: int,
    data: Any,
    headers: dict[str, str],
    config: Config,
    repository: str,
    ref: str | None = None,
    pull: int | None = None,
) -> SourceReadError:
    """The error for one failed GitHub answer (status, decoded body, headers)."""
    headers = {k.lower(): v for k, v in headers.items()}
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    limited = _rate_limit(status, headers, message, config)
    if limited is not None:
        return limited
    if status == 401:
        return SourceReadError(messages.GITHUB_BAD_TOKEN)
    if status == 404 and pull is not None:
        return NotFoundError(
            messages.GITHUB_PULL_NOT_FOUND.format(repository=repository, number=pull)
        )
    if status == 404 and message and message.lower() != "not found":
        return NotFoundError(
            messages.GITHUB_SAYS_NOT_FOUND.format(repository=repository, detail=message)
        )
    if status == 404:
        return not_found(config, repository)
    if status == 422 and ref is not None:
        return UnknownRefError(messages.GITHUB_UNKNOWN_REF.format(repository=repository, ref=ref))
    if status >= 500:
        return NetworkError(
            messages.GITHUB_SERVER_ERROR.format(status=status, repository=repository)
        )
    return SourceReadError(
        messages.GITHUB_REFUSED.format(
            repository=repository, status=status, detail=message or "no details"
        )
    )


def not_found(config: Config, repository: str) -> NotFoundError:
    if config.github_token:  # alike for missing and for private-but-not-allowed
        return NotFoundError(messages.GITHUB_NOT_VISIBLE.format(repository=repository))
    return NotFoundError(
        messages.GITHUB_REPO_NOT_FOUND.format(
            repository=repository,
            who=messages.GITHUB_WHO_ANONYMOUS,
            hint=messages.GITHUB_HINT_SET_TOKEN,
        )
    )


def _rate_limit(
    status: int, headers: dict[str, str], message: str, config: Config
) -> RateLimitedError | None:
    """Primary (remaining 0, wait for reset) or secondary (retry-after) rate limits."""
    if status not in (403, 429):
        return None
    detail = "" if config.github_token else "anonymous"
    if headers.get("x-ratelimit-remaining") == "0":
        return RateLimitedError(_int(headers.get("x-ratelimit-reset")), detail)
    retry_after = _int(headers.get("retry-after"))
    if retry_after is not None or "rate limit" in message.lower():
        return RateLimitedError(int(time.time()) + (retry_after or 60), detail)
    return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _network_reason(exc: requests.exceptions.RequestException) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.Timeout):
        return messages.GITHUB_NO_ANSWER.format(seconds=TIMEOUT_SECONDS)
    if "refused" in text:
        return messages.GITHUB_CONNECTION_REFUSED
    if "name or service not known" in text or "nodename nor servname" in text:
        return messages.GITHUB_UNKNOWN_HOST
    return messages.GITHUB_CONNECTION_FAILED


def check_access(config: Config, owner: str, repo: str) -> None:
    """Look the repository up on GitHub and raise NotFoundError or NotAllowedError.

    For callers that have no repository object at hand (webhooks, unfurls); the report
    reader checks the repository it has already fetched with :func:`require_allowed`.
    """
    client = make_client(config)
    try:
        fetch_repository(client, config, owner, repo)
    finally:
        client.close()
