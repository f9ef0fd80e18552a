"""The first round trip of a larger change: its files in batches, in one wave of parallel calls.

One call per file would take ``ceil(files / concurrency)`` waves; instead the files to send are
grouped into at most ``config.llm_concurrency`` calls, all sent at once, and each call's reply
has one entry per file, keyed by the file's id (a strict schema whose ``file_id`` is an enum of
the batch's ids). The synthesis call follows: two round trips whatever the file count.

Budgets, all on the offline estimate:

* per file: a file's data block plus the call's instructions, as if the file were sent alone,
  fit ``llm_file_budget``; its patch is compressed to that allowance as before
  (:func:`plan.build_block`);
* per report: every block gets the same patch allowance, lowered until the planned calls fit the
  report budget's planning share ("water-filling"); when even the smallest allowance does not
  fit, the smallest files are summarized heuristically instead. Fewer calls than the concurrency
  are planned only when more calls' instructions would cost patch text;
* per call: instructions, blocks and schema fit ``llm_call_budget`` less the room a repair needs.
  Batches are balanced by tokens; only when the files cannot fit that many calls is another
  opened, the round then takes more than one wave, and the notes say so.

A reply is split file by file: each valid entry is accepted and cached on its own, so a later,
overlapping report sends only new patches. Files missing or garbled in a reply get one repair
call holding only their blocks; those still failing are summarized heuristically, file by file.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from bot import messages as m
from bot.config import Config
from bot.report import FileSummary
from bot.summarize.llm import plan as p
from bot.summarize.llm import schema as s
from bot.summarize.llm.budget import estimate_request, estimate_tokens
from bot.summarize.llm.client import CallFailed, ChatClient, Session, TooLarge
from bot.summarize.llm.limits import SAFETY, Limits
from bot.summarize.llm.notes import RunRecord
from bot.summarize.llm.replies import REPAIR_ROOM, parse_reply, repair_request

log = logging.getLogger(__name__)

PLANNING_SHARE = 0.8
"""Share of the report budget planned for first attempts; the rest absorbs retries and repairs."""
ROUNDING_MARGIN = 16
"""Tokens kept free in every call's budget: estimates of parts, rounded up, then joined."""
FILES_INSTRUCTION = "Describe every file in a FILE block."
MAX_SHRINKS = 3
"""Times a lone file's patch is halved after a context error before it falls back."""


class RunSteps(Protocol):
    """What the round needs from the report it works for (``llm._Run``)."""

    config: Config
    session: Session
    record: RunRecord
    limits: Limits

    def messages(self, mode: str, blocks: list[str], instruction: str) -> list[dict]: ...

    def too_large(self, exc: TooLarge) -> None: ...

    def accept(self, work: p.FileWork, summary: FileSummary) -> None: ...

    def fallback(self, work: p.FileWork, reason: str) -> None: ...


@dataclass(frozen=True)
class Fit:
    """A file's tokens in a batch call besides its patch (``share``: its block without the
    patch, the join, its id in the schema) and the most its patch may take (``cap``)."""

    share: int
    cap: int


class FileRound:
    """Plans and sends the batch calls of one report."""

    def __init__(self, steps: RunSteps, chat: ChatClient) -> None:
        self.steps, self.chat, self.config = steps, chat, steps.config
        self.facts_budget = self.config.llm_file_budget // 4
        self.limits = steps.limits
        empty = steps.messages("files", [], FILES_INSTRUCTION)
        self.base = estimate_request(empty, s.files_schema([])) + self.limits.reply_tokens(0, False)
        """A batch call's tokens without its files: instructions, header, schema (and, when
        calls are sized to a window, the reply's own frame)."""
        self.capacity = self.config.llm_call_budget - REPAIR_ROOM - self.base - ROUNDING_MARGIN
        """What the files of one call may take together."""

    def fit(self, work: p.FileWork) -> Fit:
        """``work``'s share of a call and its patch cap (negative: not even the rest fits)."""
        share = (
            p.block_overhead(work, self.facts_budget)
            + 2  # the blank line joining blocks and the comma in the schema's enum
            + estimate_tokens(json.dumps(work.file_id))
            + self.limits.per_file  # its entry in the reply, when calls are sized
        )
        alone = self.config.llm_file_budget - self.base - share - ROUNDING_MARGIN
        return Fit(share, min(alone, self.capacity - share))

    def _no_room_reason(self) -> str:
        """The model's window when it is what bounds the per-file budget, else the budget."""
        window = self.limits.window
        if window is not None and int(window * SAFETY) <= self.config.llm_file_budget:
            return m.LLM_REASON_CONTEXT
        return m.LLM_REASON_BUDGET

    def build(self, work: p.FileWork, allowance: int) -> None:
        p.build_block(work, allowance, self.facts_budget)

    def run(self, pending: list[p.FileWork], reserve: int) -> None:
        """Summarize ``pending`` (``reserve`` tokens are kept for the synthesis call)."""
        fits = [self.fit(w) for w in pending]
        chosen: list[int] = []
        for i, (w, fit) in enumerate(zip(pending, fits, strict=True)):
            if fit.cap < 0:  # not even the instructions and facts fit the per-file budget
                self.steps.fallback(w, self._no_room_reason())
            else:
                chosen.append(i)
        target = int(self.config.llm_report_budget * PLANNING_SHARE) - reserve
        batches = self._plan(pending, fits, chosen, target)
        self.steps.record.file_calls = len(batches)
        self.steps.record.concurrency = self.config.llm_concurrency
        if len(batches) > self.config.llm_concurrency:
            log.info("llm files need more than one round", extra={"calls": len(batches)})
        workers = max(1, min(self.config.llm_concurrency, len(batches)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            list(pool.map(self._call, batches))

    def _plan(
        self, pending: list[p.FileWork], fits: list[Fit], chosen: list[int], target: int
    ) -> list[list[p.FileWork]]:
        """The batches, with every block built; files that cannot fit the report fall back."""
        while chosen:
            planned = self._fit_round(
                [pending[i] for i in chosen], [fits[i] for i in chosen], target
            )
            if planned is not None:
                groups, allowance = planned
                for i in chosen:
                    self.build(pending[i], min(fits[i].cap, allowance))
                return [[pending[chosen[j]] for j in group] for group in groups]
            smallest = min(chosen, key=lambda i: pending[i].change.changes)
            chosen.remove(smallest)
            self.steps.fallback(pending[smallest], m.LLM_REASON_BUDGET)
        return []

    def _fit_round(
        self, works: list[p.FileWork], fits: list[Fit], target: int
    ) -> tuple[list[list[int]], int] | None:
        """Groups of indices into ``works`` and the patch allowance, or ``None`` if they cannot
        fit ``target`` tokens even with the smallest allowance.

        As many calls as the concurrency allows, unless fewer calls leave more room for patches;
        more only when the call budget cannot hold the files in that many.
        """
        needs = [min(w.patch_tokens, fit.cap) for w, fit in zip(works, fits, strict=True)]
        shares = [fit.share for fit in fits]
        top_cap = max(fit.cap for fit in fits)

        def level(calls: int) -> int | None:
            return p.water_level(needs, shares, target - calls * self.base, top_cap)

        best = level(1)
        if best is None:
            return None
        calls = max(1, min(self.config.llm_concurrency, len(works)))
        while calls > 1 and level(calls) != best:
            calls -= 1
        while (allowance := level(calls)) is not None:
            costs = [
                share + min(need, allowance) for share, need in zip(shares, needs, strict=True)
            ]
            groups = p.pack(costs, self.capacity, calls)
            if len(groups) <= calls:
                return groups, allowance
            calls = len(groups)
        return None

    def _messages(self, batch: list[p.FileWork]) -> list[dict]:
        return self.steps.messages("files", [w.block for w in batch], FILES_INSTRUCTION)

    def _call(self, batch: list[p.FileWork], shrinks: int = 0) -> None:
        """One batch: ask, keep the valid entries, repair once for the files still missing."""
        session = self.steps.session
        ids = [w.file_id for w in batch]
        max_tokens = self.steps.limits.max_tokens(len(batch), False)
        try:
            content = self.chat.send(
                session, self._messages(batch), s.FILES_SCHEMA_NAME, s.files_schema(ids),
                max_tokens,
            )  # fmt: skip
        except TooLarge as exc:
            self._split(batch, exc, shrinks)
            return
        except CallFailed as exc:
            self._fall_back(batch, exc.reason)
            return
        failing = self._take(batch, content)
        if not failing:
            return
        ids = [w.file_id for w in failing]
        _, problems = parse_reply(content, lambda data: s.check_files(data, ids))
        schema = s.files_schema(ids)
        room = self.config.llm_call_budget - self.steps.limits.reply_tokens(len(failing), False)
        retry = repair_request(self._messages(failing), content, problems, schema, room)
        if retry is None:  # cannot happen while REPAIR_ROOM holds a problem line
            self._fall_back(failing, m.LLM_REASON_INVALID)
            return
        log.info("llm batch reply lacked files, repairing", extra={"files": len(failing)})
        try:
            content = self.chat.send(
                session, retry, s.FILES_SCHEMA_NAME, schema,
                self.steps.limits.max_tokens(len(failing), False),
            )  # fmt: skip
        except CallFailed as exc:
            self._fall_back(failing, exc.reason)
            return
        self._fall_back(self._take(failing, content), m.LLM_REASON_INVALID)

    def _split(self, batch: list[p.FileWork], exc: TooLarge, shrinks: int) -> None:
        """A call that did not fit: halve the batch, or a lone file's patch, and ask again.

        A reply cut at ``max_tokens`` (no window named) is helped by fewer files per call, not
        by a shorter patch, so a lone file then falls back. Nothing is dropped: a file that
        still cannot fit is summarized heuristically and the notes say why.
        """
        self.steps.too_large(exc)
        log.info("llm call did not fit, splitting", extra={"files": len(batch)})
        if len(batch) > 1:
            half = len(batch) // 2
            self._call(batch[:half])
            self._call(batch[half:])
            return
        work = batch[0]
        allowance = estimate_tokens(work.cut.text if work.cut else "") // 2
        reply_cut = exc.reason == m.LLM_REASON_CUT and exc.window is None
        if reply_cut or shrinks >= MAX_SHRINKS or allowance < p.MIN_PATCH_ALLOWANCE:
            self._fall_back(batch, exc.reason)
            return
        self.build(work, allowance)
        self._call(batch, shrinks + 1)

    def _take(self, batch: list[p.FileWork], content: str) -> list[p.FileWork]:
        """Accept every valid entry of ``content``; the files left without one."""
        data, _ = parse_reply(content, lambda data: [])
        entries = s.valid_file_entries(data, [w.file_id for w in batch])
        failing = []
        for w in batch:
            if w.file_id in entries:
                self.steps.accept(w, entries[w.file_id])
            else:
                failing.append(w)
        return failing

    def _fall_back(self, works: list[p.FileWork], reason: str) -> None:
        for w in works:
            self.steps.fallback(w, reason)
