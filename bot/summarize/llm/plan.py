"""What each file costs the model, and how a report's files are fitted into its budgets.

A file is either described from metadata alone (removed, binary, submodule, no patch: the model
would learn nothing from the patch), found in the cache, or sent to the model as a data block.
Blocks are built to a patch allowance: the per-file budget at most, less when the whole report
would otherwise exceed its budget (every file then gets the same allowance, "water-filling",
so small files stay whole and only the large ones are compressed). Blocks are then packed into
the calls of one round (:func:`pack`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.diff import FileChange
from bot.report import FileSummary
from bot.summarize.llm import prompts
from bot.summarize.llm.budget import CompressedPatch, compress_patch, estimate_tokens, fit_text
from bot.summarize.llm.filecache import content_key

MAX_FACTS = 30
MIN_PATCH_ALLOWANCE = 200
SYNTHESIS_EXPLANATION_CHARS = (600, 300, 120, 0)

METADATA, CACHED, MODEL = "metadata", "cached", "model"
KINDS = (METADATA, CACHED, MODEL)


@dataclass
class FileWork:
    """One file on its way through the summarizer."""

    file_id: str
    change: FileChange
    key: str
    facts: list[str]
    kind: str
    summary: FileSummary | None = None
    cut: CompressedPatch | None = None
    block: str = ""
    by_model: bool = False
    cut_kind: str | None = None
    """``context`` or ``hunks`` when the patch sent (now or when cached) was compressed."""

    @property
    def path(self) -> str:
        return self.change.filename

    @property
    def final(self) -> FileSummary:
        """The summary, once every path through the summarizer has given one."""
        if self.summary is None:
            raise RuntimeError(f"{self.file_id} has no summary yet")
        return self.summary

    @property
    def patch_tokens(self) -> int:
        return estimate_tokens(self.change.patch or "")


def metadata_only(f: FileChange) -> bool:
    """Removed, binary, submodule or patch-less files: their metadata says all there is."""
    return (
        f.status == "removed"
        or f.binary
        or f.submodule
        or bool(f.missing_reason)
        or not (f.patch or "").strip()
    )


def file_key(f: FileChange, model: str, lang: str, facts: list[str] | None = None) -> str:
    """The cache key of one file's summary: its diff, and the facts its prompt carries (a
    docs page's facts also depend on the change's other pages: content moved to one of them)."""
    return content_key(
        "file", prompts.PROMPT_VERSION, model, lang, f.filename, f.previous_filename, f.status,
        f.patch, *(facts or []),
    )  # fmt: skip


def report_key(model: str, lang: str, repository: str, header: str, file_keys: list[str]) -> str:
    return content_key(
        "report", prompts.PROMPT_VERSION, model, lang, repository, header, *file_keys
    )


def cut_words(cut: CompressedPatch) -> str | None:
    if cut.dropped_hunks:
        return (
            f"context lines and {cut.dropped_hunks} of {cut.total_hunks} hunk bodies left out "
            "to fit the budget"
        )
    return "unchanged context lines left out to fit the budget" if cut.dropped_context else None


def _facts_text(facts: list[str], max_tokens: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for fact in facts[:MAX_FACTS]:
        cost = estimate_tokens(fact) + 1
        if used + cost > max_tokens:
            break
        kept.append(fact)
        used += cost
    return kept


def build_block(work: FileWork, allowance: int, facts_budget: int) -> None:
    """Fill ``work.block`` with its data block, the patch compressed to ``allowance`` tokens."""
    facts = _facts_text(work.facts, facts_budget)
    cut = compress_patch(work.change.patch or "", max(0, allowance))
    work.cut = cut
    work.cut_kind = ("hunks" if cut.dropped_hunks else "context") if cut.cut else None
    body = prompts.file_body(facts, cut.text, cut_words(cut))
    work.block = prompts.data_block(prompts.file_label(work.file_id, work.change), body)


def block_overhead(work: FileWork, facts_budget: int) -> int:
    """Tokens of ``work``'s block without its patch."""
    facts = _facts_text(work.facts, facts_budget)
    body = prompts.file_body(facts, "", "x" * 80)
    return estimate_tokens(prompts.data_block(prompts.file_label(work.file_id, work.change), body))


def water_level(needs: list[int], overheads: list[int], target: int, cap: int) -> int | None:
    """The largest patch allowance ``a <= cap`` with sum(min(need, a) + overhead) <= target.

    ``None`` when not even :data:`MIN_PATCH_ALLOWANCE` per file fits.
    """

    def cost(a: int) -> int:
        return sum(min(n, a) + o for n, o in zip(needs, overheads, strict=True))

    if cost(MIN_PATCH_ALLOWANCE) > target:
        return None
    low, high = MIN_PATCH_ALLOWANCE, max(cap, MIN_PATCH_ALLOWANCE)
    while low < high:
        mid = (low + high + 1) // 2
        if cost(mid) <= target:
            low = mid
        else:
            high = mid - 1
    return low


def synthesis_lines(works: list[FileWork], max_tokens: int) -> tuple[list[str], int]:
    """One line per file for the synthesis prompt, fitted to ``max_tokens``.

    Explanations shrink first, then the smallest files are left out; returns the lines and the
    number of files left out.
    """
    for chars in SYNTHESIS_EXPLANATION_CHARS:
        lines = [_line(w, chars) for w in works]
        if sum(estimate_tokens(line) + 1 for line in lines) <= max_tokens:
            return lines, 0
    order = sorted(range(len(works)), key=lambda i: works[i].change.changes, reverse=True)
    kept: list[int] = []
    used = 0
    for i in order:
        cost = estimate_tokens(lines[i]) + 1
        if used + cost > max_tokens:
            break
        kept.append(i)
        used += cost
    kept.sort()
    return [lines[i] for i in kept], len(works) - len(kept)


def _line(work: FileWork, chars: int) -> str:
    assert work.summary is not None
    explanation = work.summary.explanation.replace("\n", " ")
    explanation = fit_text(explanation, max(1, chars // 3)) if chars else ""
    return prompts.summarized_line(work.file_id, work.change, work.summary, explanation)


def pack(costs: list[int], capacity: int, groups: int) -> list[list[int]]:
    """The indices of ``costs`` in ``groups`` groups (more only when needed) within ``capacity``.

    Largest first into the lightest group, so the groups come out balanced: the slowest call of
    a round sets the round's time. A cost that does not fit the lightest group fits no group and
    opens another. Every cost must be within ``capacity``; each group lists its indices in order.
    """
    found: list[list[int]] = [[] for _ in range(max(1, min(groups, len(costs))))]
    loads = [0] * len(found)
    for i in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        lightest = min(range(len(found)), key=loads.__getitem__)
        if loads[lightest] + costs[i] > capacity:
            found.append([])
            loads.append(0)
            lightest = len(found) - 1
        found[lightest].append(i)
        loads[lightest] += costs[i]
    return [sorted(group) for group in found if group]
