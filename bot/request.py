"""What a person asks for: a report request, as plain values, and its language.

Every entry point (the command line, Slack, webhooks, the queue) turns its input into a
:class:`ReportRequest`; the configuration checks ``DIFFINSIGHT_LANG`` with the same
:func:`normalize_lang` that checks a request's ``--lang``, so this module sits below both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot import messages
from bot.sources import SourceError

ProgressFn = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while long work runs."""


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
