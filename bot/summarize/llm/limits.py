"""Calls sized to the model's context window: prompt plus the reply asked for must fit.

Without a known window (OpenAI, Azure, a server that tells nothing and no
``DIFFINSIGHT_LLM_CONTEXT``) nothing changes: the configured budgets, no ``max_tokens``, the
configured timeout. With one, a call's budget is :data:`SAFETY` of the window (the offline
estimate is not an upper bound for every tokenizer: Gemma splits every digit), and each file
and the report fields reserve reply tokens inside it, scaled to the window: a 2k-token window
asks for short replies, a 32k one for full ones. The reply is bounded three ways: ``max_tokens``
on the request, ``maxLength``/``maxItems`` in the schema a grammar-constrained server follows
(:class:`~bot.summarize.llm.formats.Bounds`), and the words of the instructions.

A slow local model is not a dead one: a sized call's timeout is the configured one plus the
time the reply takes at :data:`MIN_TOKENS_PER_SECOND` (6 tokens/s was measured for
grammar-constrained output of a 270M model on one busy CPU core).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.config import Config
from bot.summarize.llm.formats import Bounds

SAFETY = 0.9
MIN_TOKENS_PER_SECOND = 4.0
REPLY_OVERHEAD = 24
"""Reply tokens besides the entries: braces, keys and quotes of the outer object."""
FILE_KEYS = 40
REPORT_KEYS = 60
CHARS_PER_TOKEN = 2
"""Characters allowed per reserved token in the schema's bounds. Prose runs about 4, but a
small model's digits and symbols run near 1 (Gemma splits every digit), and a reply cut at
``max_tokens`` is lost: the bounds keep the worst case inside it."""


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


@dataclass(frozen=True)
class Limits:
    """Reply sizes for one report; all zero when the window is unknown (calls not sized)."""

    window: int | None = None
    per_file: int = 0
    report: int = 0

    @property
    def sized(self) -> bool:
        return self.window is not None

    def reply_tokens(self, files: int, report: bool) -> int:
        """Tokens reserved for a reply with ``files`` entries (and the report fields)."""
        if not self.sized:
            return 0
        return REPLY_OVERHEAD + files * self.per_file + (self.report if report else 0)

    def max_tokens(self, files: int, report: bool) -> int | None:
        return self.reply_tokens(files, report) or None

    def bounds(self) -> Bounds | None:
        """Field limits whose worst case (every character a token) fits the reservation,
        after :data:`FILE_KEYS` / :data:`REPORT_KEYS` tokens of keys and punctuation."""
        if not self.sized:
            return None
        file_chars = max(120, (self.per_file - FILE_KEYS) * CHARS_PER_TOKEN)
        report_chars = max(300, (self.report - REPORT_KEYS) * CHARS_PER_TOKEN)
        items = 2 if self.report < 400 else 4
        title = min(100, file_chars // 4)
        return Bounds(
            title=title,
            explanation=file_chars - title,
            text=int(report_chars * 0.3),
            item=max(30, int(report_chars * 0.4) // (3 * items)),
            items=items,
        )

    def timeout(self, configured: float, max_tokens: int | None) -> float:
        return configured + (max_tokens or 0) / MIN_TOKENS_PER_SECOND


def limits_for(config: Config, window: int | None, parallel: int | None) -> tuple[Config, Limits]:
    """The configuration a report runs with (budgets within the window, concurrency within the
    server's slots) and its reply sizes."""
    if parallel:
        config = replace(config, llm_concurrency=max(1, min(config.llm_concurrency, parallel)))
    if window is None:
        return config, Limits()
    usable = int(window * SAFETY)
    sized = replace(
        config,
        llm_call_budget=min(config.llm_call_budget, usable),
        llm_file_budget=min(config.llm_file_budget, usable),
    )
    return sized, Limits(window, _clamp(window // 16, 100, 600), _clamp(window // 6, 200, 1200))
