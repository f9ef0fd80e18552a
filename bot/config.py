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

from bot.request import LanguageError, normalize_lang

DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_LANG = "en_US"
REDIS_SCHEMES = ("redis", "rediss", "unix")
RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "text")
"""Structured-output modes, strictest first (see bot/summarize/llm/formats.py)."""


@dataclass(frozen=True)
class Config:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    github_token: str | None = None
    github_api_url: str = DEFAULT_GITHUB_API_URL
    github_webhook_secret: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: str | None = None
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
    secret: str | None = None
    queue_name: str = "diffinsight"

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


def _redacted(url: str) -> str:
    """``url`` without its password, so the error never shows a secret."""
    parts = urlsplit(url)
    if parts.password is None:
        return url[:100]
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()[:100]


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
    )
