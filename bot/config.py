"""Configuration, read from the environment in this one place (12-factor).

Everything else receives a :class:`Config`; nothing reads ``os.environ`` at import time,
so tests build the configuration they want and hand it over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bot.request import LanguageError, normalize_lang

DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_LANG = "en_US"
REDIS_SCHEMES = ("redis", "rediss", "unix")
MAX_KEY_FILE_BYTES = 64 * 1024
"""A GitHub App's PEM is under 2 KB; a larger "key file" is the wrong file."""
RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "text")
"""Structured-output modes, strictest first (see bot/summarize/llm/formats.py)."""


@dataclass(frozen=True)
class Config:
    # Secrets stay out of repr(), so a logged or printed Config never shows one.
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    github_token: str | None = field(default=None, repr=False)
    github_api_url: str = DEFAULT_GITHUB_API_URL
    github_webhook_secret: str | None = field(default=None, repr=False)
    github_app_id: str | None = None
    github_app_private_key: str | None = field(default=None, repr=False)
    """The App's PEM, checked to be an unencrypted RSA private key."""
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: str | None = field(default=None, repr=False)
    openai_api_version: str | None = None
    model: str = DEFAULT_MODEL
    summarizer: str = "heuristic"
    lang: str = DEFAULT_LANG
    allowed_repos: tuple[str, ...] = ()
    redis_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path.home() / ".local/share/diffinsight")
    public_url: str | None = None
    port: int = 3000
    cache_ttl_seconds: int = 7 * 24 * 3600
    llm_concurrency: int = 8
    llm_file_budget: int = 8000
    llm_call_budget: int = 16000
    llm_report_budget: int = 200000
    llm_timeout_seconds: float = 60.0
    llm_deadline_seconds: float = 300.0
    llm_max_retries: int = 3
    llm_response_format: str | None = None
    """A pinned structured-output mode; ``None``: negotiated per endpoint and model."""
    llm_context: int | None = None
    """The model's context window in tokens when the server does not tell it."""
    redis_prefix: str = "diffinsight:"
    secret: str | None = field(default=None, repr=False)
    queue_name: str = "diffinsight"
    digest_hour: int = 9
    """UTC hour at which scheduled digests are posted (weekly ones on Mondays)."""

    @property
    def github_web_host(self) -> str:
        """The host whose web links (``https://HOST/OWNER/REPO/...``) point at our API.

        ``api.github.com`` serves ``github.com``; an Enterprise ``https://HOST/api/v3`` serves
        ``HOST``; a local test server serves its own ``host:port``.
        """
        parts = urlsplit(self.github_api_url)
        host = parts.netloc.lower()
        if host == "api.github.com":
            return "github.com"
        return host

    @property
    def github_web_url(self) -> str:
        """Base URL for links a person opens (compare pages, files)."""
        parts = urlsplit(self.github_api_url)
        if parts.netloc.lower() == "api.github.com":
            return "https://github.com"
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def github_app(self) -> bool:
        """Whether the bot acts as a GitHub App (installation tokens per repository)."""
        return bool(self.github_app_id and self.github_app_private_key)

    @property
    def llm_configured(self) -> bool:
        return bool(
            self.openai_api_key or (self.azure_openai_endpoint and self.azure_openai_api_key)
        )


def missing_settings(config: Config, role: str) -> list[str]:
    """The environment variables ``serve`` or ``worker`` cannot run without, unset in ``config``.

    Both post to Slack, so both need the bot token; over HTTP the web process also needs the
    signing secret (Socket Mode, with ``SLACK_APP_TOKEN``, does not).
    """
    missing = [] if config.slack_bot_token else ["SLACK_BOT_TOKEN"]
    if role == "serve" and not config.slack_signing_secret and not config.slack_app_token:
        missing.append("SLACK_SIGNING_SECRET")
    return missing


class ConfigError(ValueError):
    """An environment variable holds a value the bot cannot use; the message names it."""


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type = int, *, zero_ok: bool = False
) -> Any:
    """A positive number from ``name``, or ``default`` when unset; a clear error otherwise."""
    raw = _get(env, name)
    if raw is None:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < 0 or (value == 0 and not zero_ok):
        least = "zero or more" if zero_ok else "a positive"
        raise ConfigError(f"{name} must be {least} {kind.__name__}, not {raw!r}")
    return value


def _lang(raw: str) -> str:
    """The locale, spelt one way (``ja-jp`` -> ``ja_JP``); anything else is refused here."""
    try:
        return normalize_lang(raw)
    except LanguageError as exc:
        raise ConfigError(f"DIFFINSIGHT_LANG: {exc}") from None


def _hour(env: Mapping[str, str]) -> int:
    """DIFFINSIGHT_DIGEST_HOUR: a whole hour of the UTC day, 0 to 23."""
    raw = _get(env, "DIFFINSIGHT_DIGEST_HOUR")
    if raw is None:
        return 9
    if not raw.isdigit() or int(raw) > 23:
        raise ConfigError(
            f"DIFFINSIGHT_DIGEST_HOUR must be an hour from 0 to 23 (UTC), not {raw[:20]!r}"
        )
    return int(raw)


def _redacted(url: str) -> str:
    """``url`` without its password, so the error never shows a secret."""
    parts = urlsplit(url)
    if parts.password is None:
        return url[:100]
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()[:100]


def _pem(text: str, name: str) -> str:
    """``text`` as the App's PEM, or a ConfigError naming ``name`` (never showing the key).

    A PEM pasted into a one-line variable often arrives with literal ``\\n`` or in quotes;
    both are undone.
    """
    pem = text.strip()
    if len(pem) > 1 and pem[0] == pem[-1] and pem[0] in "\"'":  # quoted in a .env file
        pem = pem[1:-1].strip()
    if "\n" not in pem and "\\n" in pem:
        pem = pem.replace("\\n", "\n")
    try:
        key = load_pem_private_key(pem.encode("utf-8"), password=None)
    except TypeError:
        raise ConfigError(
            f"{name} holds an encrypted key; use the unencrypted .pem file GitHub generated"
        ) from None
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            f"{name} is not a PEM private key: it should be the whole .pem file GitHub "
            "generated for the App, from -----BEGIN RSA PRIVATE KEY----- to its END line"
        ) from None
    except Exception:  # noqa: BLE001 - cryptography's UnsupportedAlgorithm and kin
        raise ConfigError(f"{name} is not a private key this bot can use") from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError(f"{name} is not an RSA key; GitHub Apps sign with RSA (RS256)")
    return pem + "\n"


def _app_settings(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``GITHUB_APP_ID`` and the App's key (inline, or from ``GITHUB_APP_PRIVATE_KEY_FILE``)."""
    app_id = _get(env, "GITHUB_APP_ID")
    inline = _get(env, "GITHUB_APP_PRIVATE_KEY")
    path = _get(env, "GITHUB_APP_PRIVATE_KEY_FILE")
    if app_id is None and inline is None and path is None:
        return None, None
    if inline is not None and path is not None:
        raise ConfigError(
            "GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_FILE are both set; keep one"
        )
    if app_id is None:
        which = "GITHUB_APP_PRIVATE_KEY" if inline else "GITHUB_APP_PRIVATE_KEY_FILE"
        raise ConfigError(f"{which} is set but GITHUB_APP_ID is not: set the App's ID too")
    if not app_id.isdigit() or len(app_id) > 20:
        raise ConfigError(
            f"GITHUB_APP_ID must be the App's numeric ID (its settings page, About), "
            f"not {app_id[:40]!r}"
        )
    if inline is not None:
        return app_id, _pem(inline, "GITHUB_APP_PRIVATE_KEY")
    if path is None:
        raise ConfigError(
            "GITHUB_APP_ID is set but neither GITHUB_APP_PRIVATE_KEY nor "
            "GITHUB_APP_PRIVATE_KEY_FILE is: the bot needs the App's private key"
        )
    try:
        with open(Path(path).expanduser(), "rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"GITHUB_APP_PRIVATE_KEY_FILE: cannot read {path[:200]}: {reason}"
        ) from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise ConfigError(
            f"GITHUB_APP_PRIVATE_KEY_FILE: {path[:200]} is too large to be a private key"
        )
    return app_id, _pem(raw.decode("utf-8", "replace"), "GITHUB_APP_PRIVATE_KEY_FILE")


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    openai_key = _get(env, "OPENAI_API_KEY")
    azure_endpoint = _get(env, "AZURE_OPENAI_ENDPOINT")
    azure_key = _get(env, "AZURE_OPENAI_API_KEY")
    has_llm = bool(openai_key or (azure_endpoint and azure_key))
    summarizer = (
        _get(env, "DIFFINSIGHT_SUMMARIZER") or ("openai" if has_llm else "heuristic")
    ).lower()
    allowed = tuple(
        p.strip().lower()
        for p in (env.get("DIFFINSIGHT_ALLOWED_REPOS") or "").split(",")
        if p.strip()
    )
    if summarizer not in ("heuristic", "openai"):
        raise ConfigError(f"DIFFINSIGHT_SUMMARIZER must be heuristic or openai, not {summarizer!r}")
    data_dir = _get(env, "DIFFINSIGHT_DATA_DIR")
    redis_url = _get(env, "REDIS_URL")
    if redis_url is not None and urlsplit(redis_url).scheme.lower() not in REDIS_SCHEMES:
        raise ConfigError(
            "REDIS_URL is not a Redis URL: it must start with redis://, rediss:// or unix://, "
            f"not {_redacted(redis_url)!r}"
        )
    app_id, app_key = _app_settings(env)
    response_format = (_get(env, "DIFFINSIGHT_LLM_RESPONSE_FORMAT") or "").lower() or None
    if response_format is not None and response_format not in RESPONSE_FORMATS:
        raise ConfigError(
            "DIFFINSIGHT_LLM_RESPONSE_FORMAT must be one of "
            f"{', '.join(RESPONSE_FORMATS)}, not {response_format!r}"
        )
    context = _get(env, "DIFFINSIGHT_LLM_CONTEXT")
    return Config(
        slack_bot_token=_get(env, "SLACK_BOT_TOKEN"),
        slack_signing_secret=_get(env, "SLACK_SIGNING_SECRET"),
        slack_app_token=_get(env, "SLACK_APP_TOKEN"),
        slack_api_url=_get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL,
        github_token=_get(env, "GITHUB_TOKEN"),
        github_api_url=(_get(env, "GITHUB_API_URL") or DEFAULT_GITHUB_API_URL).rstrip("/"),
        github_webhook_secret=_get(env, "GITHUB_WEBHOOK_SECRET"),
        github_app_id=app_id,
        github_app_private_key=app_key,
        openai_api_key=openai_key,
        openai_base_url=_get(env, "OPENAI_BASE_URL"),
        azure_openai_endpoint=azure_endpoint,
        azure_openai_api_key=azure_key,
        openai_api_version=_get(env, "OPENAI_API_VERSION"),
        model=_get(env, "DIFFINSIGHT_MODEL") or DEFAULT_MODEL,
        summarizer=summarizer,
        lang=_lang(_get(env, "DIFFINSIGHT_LANG") or DEFAULT_LANG),
        allowed_repos=allowed,
        redis_url=redis_url,
        data_dir=Path(data_dir).expanduser()
        if data_dir
        else Path.home() / ".local/share/diffinsight",
        public_url=(_get(env, "PUBLIC_URL") or "").rstrip("/") or None,
        port=_number(env, "PORT", 3000),
        cache_ttl_seconds=_number(env, "DIFFINSIGHT_CACHE_TTL", 7 * 24 * 3600),
        llm_concurrency=_number(env, "DIFFINSIGHT_LLM_CONCURRENCY", 8),
        llm_file_budget=_number(env, "DIFFINSIGHT_LLM_FILE_BUDGET", 8000),
        llm_call_budget=_number(env, "DIFFINSIGHT_LLM_CALL_BUDGET", 16000),
        llm_report_budget=_number(env, "DIFFINSIGHT_LLM_REPORT_BUDGET", 200000),
        llm_timeout_seconds=_number(env, "DIFFINSIGHT_LLM_TIMEOUT", 60, float),
        llm_deadline_seconds=_number(env, "DIFFINSIGHT_LLM_DEADLINE", 300, float),
        llm_max_retries=_number(env, "DIFFINSIGHT_LLM_RETRIES", 3, zero_ok=True),
        llm_response_format=response_format,
        llm_context=None if context is None else _number(env, "DIFFINSIGHT_LLM_CONTEXT", 0),
        redis_prefix=_get(env, "DIFFINSIGHT_REDIS_PREFIX") or "diffinsight:",
        secret=_get(env, "DIFFINSIGHT_SECRET"),
        queue_name=_get(env, "DIFFINSIGHT_QUEUE") or "diffinsight",
        digest_hour=_hour(env),
    )
