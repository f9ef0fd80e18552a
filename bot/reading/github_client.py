"""One configured PyGithub client, and GitHub's failures turned into errors a person can act on.

Every GitHub call in the bot goes through :func:`open_access` (so base URL, credential,
timeouts and retries are set in one place) and :func:`github_errors` (so a 404, a 422 for an
unknown ref, a rate limit or a refused connection each becomes its own error with its own
sentence). The credential is chosen per repository: the GitHub App's installation token where
the App is installed, else ``GITHUB_TOKEN``, else none (public repositories).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.Repository import Repository
from urllib3.util.retry import Retry

from bot import messages
from bot.config import Config
from bot.errors import (
    AppTokenRefusedError,
    BadCredentialsError,
    NetworkError,
    NotFoundError,
    NotInstalledError,
    RateLimitedError,
    SourceReadError,
    UnknownRefError,
)
from bot.reading.access import require_allowed
from bot.reading.app import GitHubApp, InstallationAuth

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


T = TypeVar("T")


@dataclass
class Access:
    """How one repository is read: a client, and what the GitHub App has to do with it.

    ``installation`` is the App's installation whose token the client carries; ``app`` is
    set whenever the App is configured, so a repository it is not installed on (read with
    ``GITHUB_TOKEN`` or anonymously instead) can be told apart when GitHub cannot see it.
    """

    client: Github
    repository: str
    app: GitHubApp | None = None
    installation: int | None = None

    def close(self) -> None:
        self.client.close()


def _client(config: Config, auth: Auth.Auth | None) -> Github:
    return Github(
        base_url=config.github_api_url,
        auth=auth,
        timeout=TIMEOUT_SECONDS,
        retry=RETRY,
        per_page=100,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def make_client(config: Config) -> Github:
    """A PyGithub client for ``GITHUB_API_URL`` with ``GITHUB_TOKEN`` when one is set."""
    return _client(config, Auth.Token(config.github_token) if config.github_token else None)


def open_access(config: Config, repository: str) -> Access:
    """The client to read ``owner/repo`` with: the App's installation token where the App is
    installed (looked up once an hour, shared in Redis), else as :func:`make_client`."""
    if not config.github_app:
        return Access(make_client(config), repository)
    app = GitHubApp(config)
    with github_errors(config, repository):
        installation = app.installation(repository)
    if installation is None:
        return Access(make_client(config), repository, app)
    client = _client(config, InstallationAuth(app, installation))
    return Access(client, repository, app, installation)


def with_access(config: Config, repository: str, work: Callable[[Access], T]) -> T:
    """``work(access)``, once more with a new token if GitHub refused the installation's."""
    for attempt in (1, 2):
        access = open_access(config, repository)
        try:
            return work(access)
        except AppTokenRefusedError:
            if attempt == 2:
                raise
            log.info("installation token refused; retrying", extra={"attempt": attempt})
        finally:
            access.close()
    raise AssertionError("unreachable")


@contextmanager
def refused_tokens(access: Access) -> Iterator[None]:
    """A 401 to an installation token: drop the shared token and say so (the read may retry)."""
    try:
        yield
    except BadCredentialsError as exc:
        if access.app is None or access.installation is None:
            raise
        access.app.forget_token(access.installation)
        raise AppTokenRefusedError(
            messages.GITHUB_APP_TOKEN_REFUSED.format(repository=access.repository)
        ) from exc


def fetch_repository(access: Access, config: Config, owner: str, repo: str) -> Repository:
    """The repository, after checking it may be read (NotFoundError / NotAllowedError).

    Where the App is configured but not installed, a repository GitHub will not show is
    answered with how to install the App, since that is the likeliest remedy.
    """
    repository = f"{owner}/{repo}"
    try:
        with refused_tokens(access), github_errors(config, repository):
            found = access.client.get_repo(repository)
            private = bool(found.private)
            full_name = found.full_name or repository
    except NotFoundError as exc:
        if access.app is not None and repository.lower() == access.repository.lower():
            if access.installation is not None:
                access.app.forget_installation_of(repository)
            raise not_installed(access.app, repository) from exc
        raise
    require_allowed(config, full_name, private)
    return found


def not_installed(app: GitHubApp, repository: str) -> NotInstalledError:
    identity = app.identity()
    owner = repository.partition("/")[0]
    url = identity.install_url
    template = (
        messages.GITHUB_APP_NOT_INSTALLED if url else messages.GITHUB_APP_NOT_INSTALLED_NO_URL
    )
    return NotInstalledError(
        template.format(app=identity.name, repository=repository, owner=owner, url=url)
    )


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
        return BadCredentialsError(messages.GITHUB_BAD_TOKEN)
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


def check_access(config: Config, owner: str, repo: str) -> bool:
    """Look the repository up on GitHub and raise NotFoundError or NotAllowedError.

    For callers that have no repository object at hand (webhooks, unfurls); the report
    reader checks the repository it has already fetched with :func:`require_allowed`.
    True when the GitHub App is installed on it (so its webhook delivers the repository's
    events), False when it is read with GITHUB_TOKEN or anonymously.
    """

    def check(access: Access) -> bool:
        fetch_repository(access, config, owner, repo)
        return access.installation is not None

    return with_access(config, f"{owner}/{repo}", check)
