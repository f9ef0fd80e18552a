"""The notes an LLM report carries: what the model did, what came from elsewhere, what was cut.

Every report says how many files the model summarized, how many came from the cache and how
many were described from metadata only, and the calls and tokens it cost; then, grouped so a
large change still gets a short list, which files were summarized heuristically and why, and
which prompts were compressed to fit the budget, and when the files needed more batch calls
than are sent at once (the one round trip then took several).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import messages as m
from bot.summarize.llm.formats import JSON_SCHEMA
from bot.summarize.llm.negotiate import Negotiation
from bot.summarize.llm.plan import CACHED, METADATA, FileWork


@dataclass
class RunRecord:
    """What happened while one report was summarized, for its notes."""

    model: str
    lang: str
    budget: int
    calls: int = 0
    tokens: int = 0
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    overall_reason: str | None = None
    synthesis_omitted: int = 0
    file_calls: int = 0
    """Batch calls of the first round trip (0 when the change took one call)."""
    concurrency: int = 0
    mode_note: str | None = None
    """Which response format the replies came in, when not strict ``json_schema``."""
    split_calls: int = 0
    window: int | None = None


def name_list(paths: Sequence[str], limit: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 7 more``: notes stay short on large changes."""
    if len(paths) <= limit:
        return ", ".join(paths)
    return m.LLM_MORE.format(names=", ".join(paths[:limit]), count=len(paths) - limit)


def mode_note(negotiation: Negotiation) -> str | None:
    """Which response format the replies came in and why, when it is not strict json_schema."""
    if negotiation.mode not in negotiation.used or negotiation.mode == JSON_SCHEMA:
        return None
    if negotiation.pinned:
        why = m.LLM_MODE_WHY_PINNED
    elif negotiation.refused:
        why = m.LLM_MODE_WHY_REFUSED.format(refused=", ".join(negotiation.refused))
    else:
        why = m.LLM_MODE_WHY_REMEMBERED
    words = m.LLM_MODE[negotiation.mode]
    return m.LLM_MODE_NOTE.format(words=words, mode=negotiation.mode, why=why)


def report_notes(record: RunRecord, works: Sequence[FileWork]) -> list[str]:
    notes = [
        m.LLM_COUNTS.format(
            model=record.model,
            by_model=sum(1 for w in works if w.by_model),
            cached=sum(1 for w in works if w.kind == CACHED),
            metadata=sum(1 for w in works if w.kind == METADATA),
            fallback=sum(len(paths) for paths in record.fallbacks.values()),
            calls=record.calls,
            tokens=record.tokens,
            budget=record.budget,
        )
    ]
    # Calls finish in any order on pool threads; the notes list files as the report does.
    order = {w.path: i for i, w in enumerate(works)}
    for reason, paths in record.fallbacks.items():
        listed = sorted(paths, key=lambda path: order.get(path, len(order)))
        notes.append(m.LLM_FILE_FALLBACK.format(reason=reason, files=name_list(listed)))
    for kind, sentence in (("context", m.LLM_CUT_CONTEXT), ("hunks", m.LLM_CUT_HUNKS)):
        cut = [w.path for w in works if w.cut_kind == kind and (w.by_model or w.kind == CACHED)]
        if cut:
            notes.append(sentence.format(files=name_list(cut)))
    if record.overall_reason:
        notes.append(m.LLM_OVERALL_FALLBACK.format(reason=record.overall_reason))
    if record.concurrency and record.file_calls > record.concurrency:
        rounds = math.ceil(record.file_calls / record.concurrency)
        notes.append(
            m.LLM_FILE_ROUNDS.format(
                calls=record.file_calls, concurrency=record.concurrency, rounds=rounds
            )
        )
    if record.mode_note:
        notes.append(record.mode_note)
    if record.split_calls:
        window = m.LLM_WINDOW.format(window=record.window) if record.window else ""
        notes.append(m.LLM_SPLIT.format(calls=record.split_calls, window=window))
    if record.synthesis_omitted:
        notes.append(m.LLM_SYNTHESIS_OMITTED.format(count=record.synthesis_omitted))
    heuristic_words = bool(record.fallbacks or record.overall_reason)
    if heuristic_words and not record.lang.lower().startswith("en"):
        notes.append(m.HEURISTIC_ENGLISH_ONLY.format(lang=record.lang))
    return notes
