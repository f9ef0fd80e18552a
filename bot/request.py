"""What a person asks for: a report request, as plain values, and its language.

Every entry point (the command line, Slack, webhooks, the queue) turns its input into a
:class:`ReportRequest`; the configuration checks ``DIFFINSIGHT_LANG`` with the same
:func:`normalize_lang` that checks a request's ``--lang``, so this module sits below both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from bot import messages
from bot.names import REF_RE, is_branch_name, is_owner, is_repo_name
from bot.sources import SourceError

ProgressFn = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while long work runs."""


class CacheMode(Enum):
    """How a build treats the model's per-file cache."""

    USE = "use"
    """Answers cached by content are reused, new ones stored."""
    REFRESH = "refresh"
    """Regenerate: the model is asked afresh and what it says overwrites the cache."""
    OFF = "off"
    """``--no-cache``: this run's memory only, so no Redis is started."""


@dataclass(frozen=True)
class ReportRequest:
    """Plain values only, so a request can travel through a job queue unchanged."""

    source: str
    git_path: str | None = None
    paths: tuple[str, ...] = ()
    lang: str | None = None
    summarizer: str | None = None
    no_cache: bool = False


_LANG_RE = re.compile(r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}|[0-9]{3}|[A-Za-z]{4}))?")


class LanguageError(SourceError):
    """A report language that is not a locale such as ``en_US`` or ``ja_JP`` (exit 2)."""

    def __init__(self, lang: str) -> None:
        ValueError.__init__(self, messages.LANGUAGE_NOT_A_LOCALE.format(lang=lang[:40]))
        self.reason = str(self)


def normalize_lang(lang: str) -> str:
    """``ja-jp`` -> ``ja_JP``: one spelling for titles, prompts and cache keys.

    The language goes into the report's title and the LLM's instructions, so anything but
    a locale is refused rather than passed on.
    """
    match = _LANG_RE.fullmatch(lang.strip())
    if not match:
        raise LanguageError(lang)
    language, region = match.group(1).lower(), match.group(2)
    if region is None:
        return language
    return f"{language}_{region.upper() if len(region) == 2 else region.title()}"


# --- digests: a report over a time window --------------------------------------------------
_SPAN_RE = re.compile(r"([0-9]{1,6})([hdw])")
_SPAN_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_YEARS_BACK = 50
"""A WHEN further back than this is a typo (``70000d``), not a digest anyone wants."""


class DigestInputError(SourceError):
    """A digest's source or WHEN that cannot be used (exit 2); names the digest's forms."""

    def __init__(self, reason: str) -> None:
        ValueError.__init__(
            self, messages.DIGEST_INPUT_ERROR.format(reason=reason, forms=messages.DIGEST_FORMS)
        )
        self.reason = reason


def iso_utc(when: datetime) -> str:
    """``2026-11-23T09:00:00Z``: the one spelling of a window's edges (JSON, titles, keys)."""
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_when(text: str, now: datetime) -> datetime:
    """An aware UTC time from ISO 8601 (UTC unless it carries an offset) or ``24h``/``7d``/``2w``.

    A date alone is its midnight UTC. Sub-second parts are dropped: git and GitHub keep
    commit times to the second, so a window edge finer than that would only mislead.
    """
    raw = text.strip()
    span = _SPAN_RE.fullmatch(raw.lower())
    try:
        if span:
            when = now - int(span.group(1)) * _SPAN_UNITS[span.group(2)]
        elif len(raw) > 40:
            raise ValueError(raw)
        elif _DATE_RE.fullmatch(raw):
            day = date.fromisoformat(raw)
            when = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(raw)
            when = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    except (ValueError, OverflowError):
        raise DigestInputError(messages.WHEN_UNREADABLE.format(text=raw[:40])) from None
    if now - when > timedelta(days=366 * MAX_YEARS_BACK):
        raise DigestInputError(messages.WHEN_TOO_FAR.format(text=raw[:40], years=MAX_YEARS_BACK))
    return when.astimezone(UTC).replace(microsecond=0)


def parse_window(since: str, until: str | None, now: datetime) -> tuple[datetime, datetime]:
    """``--since``/``--until`` (default: now) as UTC times, since strictly before until."""
    start = parse_when(since, now)
    end = parse_when(until, now) if until else now.astimezone(UTC).replace(microsecond=0)
    if start >= end:
        raise DigestInputError(messages.WHEN_ORDER.format(since=iso_utc(start), until=iso_utc(end)))
    return start, end


@dataclass(frozen=True)
class DigestSource:
    """What a digest follows: a GitHub repository's branch (None: its default) or a local ref."""

    repository: str | None
    branch: str | None
    git_path: str | None = None

    @property
    def local(self) -> bool:
        return self.git_path is not None


def parse_digest_source(text: str, git_path: str | None = None) -> DigestSource:
    """``OWNER/REPO`` or ``OWNER/REPO@BRANCH``; with ``git_path``, a local branch or ref."""
    raw = text.strip()
    if git_path is not None:
        ref = raw or "HEAD"
        if not REF_RE.fullmatch(ref) or ref.startswith("-") or ".." in ref:
            raise DigestInputError(messages.DIGEST_BAD_REF.format(text=ref[:80]))
        return DigestSource(None, ref, git_path)
    name, at, branch = raw.partition("@")
    owner, slash, repo = name.partition("/")
    repo = repo.removesuffix(".git")
    if not slash or not is_owner(owner) or not is_repo_name(repo):
        raise DigestInputError(messages.DIGEST_BAD_SOURCE.format(text=raw[:80]))
    if at and not is_branch_name(branch):
        raise DigestInputError(messages.DIGEST_BAD_REF.format(text=branch[:80]))
    return DigestSource(f"{owner}/{repo}", branch or None)


@dataclass(frozen=True)
class DigestRequest:
    """A digest as plain values: the window is already resolved to UTC ISO strings."""

    source: str
    since: str
    until: str
    git_path: str | None = None
    paths: tuple[str, ...] = ()
    lang: str | None = None
    summarizer: str | None = None
    no_cache: bool = False
