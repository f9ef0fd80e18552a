"""Acting as a GitHub App: which installation reads a repository, and that installation's token.

PyGithub signs the App's JWT (``Auth.AppAuth``) and asks GitHub for an installation and its
token (``GithubIntegration``); this module keeps what GitHub answers in Redis so every web
process and worker shares it: a repository's installation id for an hour (a "not installed"
answer for a minute, since installing takes one), an installation token until five minutes
before GitHub's ``expires_at``, and the App's name and page for the "install it" message.
A missing token is fetched by one caller only (single flight); the others wait for it.
Tokens never reach a log line: PyGithub's debug log prints response bodies, so a filter on its
logger removes them. With Redis down nothing is cached, and every read asks GitHub again.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC

import redis
from github import Auth, GithubException, GithubIntegration

from bot import messages
from bot.config import Config
from bot.errors import AppCredentialsError
from bot.reading.app_cache import NOT_INSTALLED, remember_installation
from bot.store import keys
from bot.store.connection import REDIS_ERRORS, RedisUnavailable, running_redis
from bot.store.singleflight import single_flight

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
REFRESH_MARGIN_SECONDS = 300
"""A cached token is renewed when it has less than this left (GitHub gives an hour)."""
NOT_INSTALLED_TTL_SECONDS = 60
IDENTITY_TTL_SECONDS = 24 * 3600
TOKEN_LOCK_TTL = 30.0
TOKEN_WAIT_SECONDS = 60.0
_NONE = NOT_INSTALLED.encode()
_SECRETS = re.compile(r'("token"\s*:\s*")[^"]*(")|\bgh[opsu]_[A-Za-z0-9_.-]{16,}')
"""A token field in a JSON body, or a GitHub token by its prefix (the newer installation
tokens, ``ghs_APPID_JWT``, are longer and carry dots)."""


@dataclass(frozen=True)
class Granted:
    """An installation token and when GitHub said it expires (epoch seconds)."""

    token: str = field(repr=False)
    expires_at: float

    @property
    def fresh(self) -> bool:
        """Still more than the margin away from expiry: usable for a whole read."""
        return self.expires_at - REFRESH_MARGIN_SECONDS > time.time()


@dataclass(frozen=True)
class AppIdentity:
    """The App as people see it: its name and its page (``https://github.com/apps/SLUG``)."""

    name: str
    html_url: str | None

    @property
    def install_url(self) -> str | None:
        return f"{self.html_url.rstrip('/')}/installations/new" if self.html_url else None


def _removed(match: re.Match[str]) -> str:
    return f"{match[1]}(removed){match[2]}" if match[1] else "(removed)"


class _NoTokens(logging.Filter):
    """Removes installation tokens from PyGithub's debug lines (it logs response bodies)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "token" in text or "gh" in text:
            record.msg = _SECRETS.sub(_removed, text)
            record.args = ()
        return True


def guard_library_logs() -> None:
    """Install the token filter on PyGithub's request logger, once per process."""
    logger = logging.getLogger("github.Requester")
    if not any(isinstance(f, _NoTokens) for f in logger.filters):
        logger.addFilter(_NoTokens())


class GitHubApp:
    """The configured App, its Redis cache, and the calls PyGithub makes as the App."""

    def __init__(self, config: Config) -> None:
        assert config.github_app_id and config.github_app_private_key
        self.config = config
        self.app_id = config.github_app_id
        self.prefix = config.redis_prefix
        guard_library_logs()

    # --- Redis, best effort -------------------------------------------------------------
    def _redis(self) -> redis.Redis | None:
        """Redis if there is one (an embedded one is used, never started, for this)."""
        try:
            return running_redis(self.config)
        except RedisUnavailable:
            log.warning("app cache unavailable", extra={"app": self.app_id})
            return None

    def _get(self, key: str) -> bytes | None:
        client = self._redis()
        try:
            value = client.get(key) if client is not None else None
        except REDIS_ERRORS:
            log.warning("app cache unavailable", extra={"app": self.app_id})
            return None
        return value if isinstance(value, bytes) or value is None else str(value).encode()

    def _set(self, key: str, value: str, ttl: int) -> None:
        client = self._redis()
        if client is None or ttl <= 0:
            return
        try:
            client.set(key, value, ex=ttl)
        except REDIS_ERRORS:
            log.warning("app cache unavailable", extra={"app": self.app_id})

    # --- GitHub, as the App --------------------------------------------------------------
    def _integration(self) -> GithubIntegration:
        assert self.config.github_app_private_key
        return GithubIntegration(
            auth=Auth.AppAuth(self.app_id, self.config.github_app_private_key),
            base_url=self.config.github_api_url,
            timeout=TIMEOUT_SECONDS,
        )

    def _refused(self, exc: GithubException) -> AppCredentialsError:
        data = exc.data if isinstance(exc.data, dict) else {}
        detail = str(data.get("message") or "no details")[:200]
        return AppCredentialsError(
            messages.GITHUB_APP_REFUSED.format(app_id=self.app_id, detail=detail)
        )

    def installation(self, repository: str) -> int | None:
        """The id of the App's installation on ``owner/repo``, or None where it is not installed.

        GitHub answers 404 both for a repository the App is not installed on and for one that
        does not exist; the caller tells the two apart by reading it another way.
        """
        key = keys.app_installation(self.prefix, repository)
        hit = self._get(key)
        if hit is not None:
            return None if hit == _NONE else int(hit)
        owner, _, name = repository.partition("/")
        integration = self._integration()
        try:
            found: int | None = integration.get_repo_installation(owner, name).id
        except GithubException as exc:
            if exc.status == 401:
                raise self._refused(exc) from exc
            if exc.status != 404:
                raise
            found = None
        finally:
            integration.close()
        if found is None:
            self._set(key, NOT_INSTALLED, NOT_INSTALLED_TTL_SECONDS)
        else:
            remember_installation(self.config, repository, found)
        log.info("app installation looked up", extra={"installed": found is not None})
        return found

    def token(self, installation: int) -> Granted:
        """A live token of ``installation``: the shared one, or a new one asked for once."""
        key = keys.app_token(self.prefix, installation)

        def lookup() -> Granted | None:
            raw = self._get(key)
            if raw is None:
                return None
            entry = json.loads(raw)
            found = Granted(str(entry["token"]), float(entry["expires_at"]))
            return found if found.fresh else None

        def build() -> Granted:
            integration = self._integration()
            try:
                granted = integration.get_access_token(installation)
            except GithubException as exc:
                if exc.status == 401:
                    raise self._refused(exc) from exc
                raise
            finally:
                integration.close()
            expires = granted.expires_at.astimezone(UTC).timestamp()
            entry = json.dumps({"token": granted.token, "expires_at": expires})
            self._set(key, entry, int(expires - time.time() - REFRESH_MARGIN_SECONDS))
            log.info("app installation token issued", extra={"installation": installation})
            return Granted(granted.token, expires)

        found = lookup()
        if found is not None:
            return found
        client = self._redis()
        if client is None:
            return build()
        try:
            return single_flight(
                client,
                keys.app_token_lock(self.prefix, installation),
                build=build,
                lookup=lookup,
                lock_ttl=TOKEN_LOCK_TTL,
                wait_timeout=TOKEN_WAIT_SECONDS,
            ).value
        except REDIS_ERRORS:
            log.warning("app cache unavailable", extra={"app": self.app_id})
            return build()

    def _delete(self, key: str) -> None:
        client = self._redis()
        try:
            if client is not None:
                client.delete(key)
        except REDIS_ERRORS:
            log.warning("app cache unavailable", extra={"app": self.app_id})

    def forget_token(self, installation: int) -> None:
        """Drop a token GitHub refused, so the next read asks for a new one."""
        self._delete(keys.app_token(self.prefix, installation))

    def forget_installation_of(self, repository: str) -> None:
        """Its installation's token cannot see ``repository`` (any more): look it up again."""
        self._delete(keys.app_installation(self.prefix, repository))

    def identity(self) -> AppIdentity:
        """The App's name and page, for telling people where to install it."""
        key = keys.app_identity(self.prefix, self.app_id)
        hit = self._get(key)
        if hit is not None:
            data = json.loads(hit)
            return AppIdentity(str(data["name"]), data.get("html_url"))
        integration = self._integration()
        try:
            app = integration.get_app()
            found = AppIdentity(app.name or app.slug or self.app_id, app.html_url or None)
        except (GithubException, OSError):
            log.warning("app identity unavailable", extra={"app": self.app_id})
            return AppIdentity(messages.GITHUB_APP_UNNAMED.format(app_id=self.app_id), None)
        finally:
            integration.close()
        payload = json.dumps({"name": found.name, "html_url": found.html_url})
        self._set(key, payload, IDENTITY_TTL_SECONDS)
        return found


class InstallationAuth(Auth.Auth):
    """PyGithub auth whose token is the installation's shared one, checked on each request,
    so a long read that outlives a token carries on with the next. The token in hand is kept
    until it nears expiry, so requests cost no Redis round trip (and, with Redis down, no new
    token each)."""

    def __init__(self, app: GitHubApp, installation: int) -> None:
        self.app = app
        self.installation = installation
        self._held: Granted | None = None

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        if self._held is None or not self._held.fresh:
            self._held = self.app.token(self.installation)
        return self._held.token

    @property
    def _masked_token(self) -> str:
        return "token (installation token removed)"
