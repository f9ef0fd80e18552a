"""The LLM summarizer: any OpenAI-compatible model writes the report, within set budgets.

Round trips are fixed whatever the file count: a change whose whole prompt fits one call's
budget takes exactly one call (every file and the report fields in one schema); a larger one
takes per-file calls in parallel (``config.llm_concurrency`` at once) and then one synthesis
call over their results. Files described from metadata alone, or found in the cache, cost no
tokens. Whatever fails, a report is produced: a file the model could not summarize is
summarized heuristically, and the report's notes say so, as they say what was cut to fit.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import openai

from bot import messages as m
from bot.config import Config
from bot.diff import Change, FileChange
from bot.report import FileSummary, Highlights, ReportSummary
from bot.summarize import ProgressFn, SummaryResult, heuristic, prompts
from bot.summarize import plan as p
from bot.summarize import schema as s
from bot.summarize.budget import estimate_request
from bot.summarize.filecache import FileCache, default_cache
from bot.summarize.llm_client import CallFailed, ChatClient, Session
from bot.summarize.llm_notes import RunRecord, report_notes

log = logging.getLogger(__name__)

PLANNING_SHARE = 0.8
"""Share of the report budget planned for first attempts; the rest absorbs retries and repairs."""
ROUNDING_MARGIN = 16
"""Tokens kept free in every call's budget: estimates of parts, rounded up, then joined."""

FILE_INSTRUCTION = "Describe the file in the FILE block."
CHANGE_INSTRUCTION = "Describe every file in a FILE block, then the change as a whole."
REPORT_INSTRUCTION = "Describe the change as a whole from the SUMMARIZED block."


class LLMSummarizer:
    """The ``openai`` summarizer; ``cache`` defaults to Redis, else this process's memory."""

    name = "openai"

    def __init__(
        self, config: Config, cache: FileCache | None = None, *, client: openai.OpenAI | None = None
    ) -> None:
        self.config = config
        self.cache = cache if cache is not None else default_cache(config)
        self.heuristic = heuristic
        usable = client is not None or config.llm_configured or bool(config.openai_base_url)
        self.chat = ChatClient(config, client) if usable else None

    def summarize(
        self, change: Change, lang: str, progress: ProgressFn | None = None
    ) -> SummaryResult:
        return _Run(self, change, lang, progress).execute()


class _Run:
    """The state of one report: its works, its budget and deadline, and what to note."""

    def __init__(
        self, owner: LLMSummarizer, change: Change, lang: str, progress: ProgressFn | None
    ) -> None:
        self.config, self.chat, self.cache = owner.config, owner.chat, owner.cache
        self.heuristic = owner.heuristic
        self.change, self.lang, self.progress = change, lang, progress
        self.session = Session.start(
            self.config.llm_deadline_seconds, self.config.llm_report_budget
        )
        self.record = RunRecord(self.config.model, lang, self.config.llm_report_budget)
        self.done = 0
        self.lock = threading.Lock()
        self.progress_lock = threading.Lock()
        self.header = prompts.change_header(
            change.repository, change.base.ref, change.head.ref, change.title
        )
        self.works = [self._prepare(i, f) for i, f in enumerate(change.files)]
        self.report_key = p.report_key(
            self.config.model, lang, change.repository, self.header, [w.key for w in self.works]
        )

    def _prepare(self, index: int, f: FileChange) -> p.FileWork:
        work = p.FileWork(
            f"F{index + 1}",
            f,
            p.file_key(f, self.config.model, self.lang),
            list(self.heuristic.file_facts(f)),
            p.MODEL,
        )
        if p.metadata_only(f):
            work.kind, work.summary = p.METADATA, self.heuristic.summarize_file(f)
        elif self.chat is not None and (hit := self.cache.get(work.key)) is not None:
            work.kind, work.summary = p.CACHED, FileSummary(**hit["summary"])
            work.cut_kind = hit.get("cut_kind")
        return work

    def execute(self) -> SummaryResult:
        self._tick(0)
        pending = [w for w in self.works if w.kind == p.MODEL]
        if self.chat is None:
            for w in pending:
                self._fallback(w, m.LLM_REASON_NOT_CONFIGURED)
            overall = self._heuristic_overall(m.LLM_REASON_NOT_CONFIGURED)
        elif not self.works:
            overall = self._heuristic_overall(None)
        elif not pending and (hit := self.cache.get(self.report_key)) is not None:
            overall = _report_from_dict(hit)
        else:
            overall = self._model_overall(pending)
        self._tick(len(self.works))
        self.record.calls, self.record.tokens = self.session.attempts, self.session.sent
        log.info(
            "llm report summarized",
            extra={
                "calls": self.session.attempts,
                "estimated_prompt_tokens": self.session.sent,
                "reported_prompt_tokens": self.session.reported_prompt_tokens,
            },
        )
        notes = report_notes(self.record, self.works)
        return SummaryResult([w.final for w in self.works], overall, notes)

    def _model_overall(self, pending: list[p.FileWork]) -> ReportSummary:
        """One call when it fits, else per-file calls and a synthesis call (or only the latter)."""
        single = self._single_call(pending) if pending else None
        if single is not None:
            overall, reason = self._run_single(pending, *single)
        else:
            if pending:
                self._run_per_file(pending)
            result = self._synthesize()
            overall, reason = (None, result) if isinstance(result, str) else (result, None)
        if overall is None:
            return self._heuristic_overall(reason)
        if not self.record.fallbacks:
            self.cache.set(self.report_key, asdict(overall))
        return overall

    # -- the one call of a small change --

    def _single_call(self, pending: list[p.FileWork]) -> tuple[list[dict], list[str]] | None:
        """The one-call messages and file ids when they fit the call and report budgets."""
        facts_budget = self.config.llm_file_budget // 4
        fixed = self._file_call_fixed()
        for w in pending:
            overhead = fixed + p.block_overhead(w, facts_budget) + ROUNDING_MARGIN
            allowance = self.config.llm_file_budget - overhead
            p.build_block(w, allowance, facts_budget)
        ids = [w.file_id for w in pending]
        known = [w for w in self.works if w.kind != p.MODEL]
        blocks = [w.block for w in pending]
        if known:
            lines, _ = p.synthesis_lines(known, self.config.llm_call_budget // 4)
            blocks.insert(0, prompts.data_block("SUMMARIZED", "\n".join(lines)))
        messages = self._messages("change", blocks, CHANGE_INSTRUCTION)
        tokens = estimate_request(messages, s.change_schema(ids))
        if tokens > min(self.config.llm_call_budget, self.config.llm_report_budget):
            return None
        return messages, ids

    def _run_single(
        self, pending: list[p.FileWork], messages: list[dict], ids: list[str]
    ) -> tuple[ReportSummary | None, str | None]:
        assert self.chat is not None
        try:
            reply = self.chat.structured(
                self.session, messages, s.CHANGE_SCHEMA_NAME, s.change_schema(ids),
                lambda data: s.check_change(data, ids),
            )  # fmt: skip
        except CallFailed as exc:
            for w in pending:
                self._fallback(w, exc.reason)
            return None, exc.reason
        entries = s.valid_file_entries(reply.data, ids)
        for w in pending:
            if w.file_id in entries:
                self._accept(w, entries[w.file_id])
            else:
                self._fallback(w, m.LLM_REASON_INVALID)
        if s.check_report(reply.data):
            return None, m.LLM_REASON_INVALID
        return s.to_report_summary(reply.data), None

    # -- per-file calls of a larger change --

    def _file_call_fixed(self) -> int:
        messages = self._messages("file", [], FILE_INSTRUCTION)
        return estimate_request(messages, s.file_schema())

    def _run_per_file(self, pending: list[p.FileWork]) -> None:
        facts_budget = self.config.llm_file_budget // 4
        fixed = self._file_call_fixed()
        overheads = [fixed + p.block_overhead(w, facts_budget) + ROUNDING_MARGIN for w in pending]
        caps = [self.config.llm_file_budget - o for o in overheads]
        reserve = min(self.config.llm_call_budget, 600 + 120 * len(self.works))
        target = int(self.config.llm_report_budget * PLANNING_SHARE) - reserve
        sendable: list[int] = []
        level: int | None = None
        for i, w in enumerate(pending):
            if caps[i] < 0:  # not even the instructions and facts fit the per-file budget
                self._fallback(w, m.LLM_REASON_BUDGET)
            else:
                sendable.append(i)
        while sendable:
            needs = [min(pending[i].patch_tokens, caps[i]) for i in sendable]
            level = p.water_level(needs, [overheads[i] for i in sendable], target, max(caps))
            if level is not None:
                break
            smallest = min(sendable, key=lambda i: pending[i].change.changes)
            sendable.remove(smallest)
            self._fallback(pending[smallest], m.LLM_REASON_BUDGET)
        jobs = [pending[i] for i in sendable]
        for i in sendable:
            p.build_block(pending[i], min(caps[i], level or 0), facts_budget)
        workers = max(1, min(self.config.llm_concurrency, len(jobs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            list(pool.map(self._file_call, jobs))

    def _file_call(self, work: p.FileWork) -> None:
        assert self.chat is not None
        messages = self._messages("file", [work.block], FILE_INSTRUCTION)
        try:
            reply = self.chat.structured(
                self.session, messages, s.FILE_SCHEMA_NAME, s.file_schema(), s.check_file
            )
        except CallFailed as exc:
            self._fallback(work, exc.reason)
            return
        if reply.problems:
            self._fallback(work, m.LLM_REASON_INVALID)
        else:
            self._accept(work, s.to_file_summary(reply.data))

    # -- the synthesis call --

    def _synthesize(self) -> ReportSummary | str:
        """The report fields from every file's summary, or the reason there are none."""
        assert self.chat is not None
        fixed = estimate_request(
            self._messages("report", [prompts.data_block("SUMMARIZED", "")], REPORT_INSTRUCTION),
            s.report_schema(),
        )
        room = min(self.config.llm_call_budget, self.session.tokens_left) - fixed - ROUNDING_MARGIN
        lines, omitted = p.synthesis_lines(self.works, max(0, room))
        if not lines:
            return m.LLM_REASON_BUDGET
        block = prompts.data_block("SUMMARIZED", "\n".join(lines))
        messages = self._messages("report", [block], REPORT_INSTRUCTION)
        try:
            reply = self.chat.structured(
                self.session, messages, s.REPORT_SCHEMA_NAME, s.report_schema(), s.check_report
            )
        except CallFailed as exc:
            return exc.reason
        if reply.problems:
            return m.LLM_REASON_INVALID
        if omitted:
            self.record.synthesis_omitted = omitted
        return s.to_report_summary(reply.data)

    # -- shared steps --

    def _messages(self, mode: str, blocks: list[str], instruction: str) -> list[dict]:
        return [
            {"role": "system", "content": prompts.system_prompt(self.lang, mode)},
            {"role": "user", "content": prompts.user_message(self.header, blocks, instruction)},
        ]

    def _accept(self, work: p.FileWork, summary: FileSummary) -> None:
        work.summary, work.by_model = summary, True
        self.cache.set(work.key, {"summary": asdict(summary), "cut_kind": work.cut_kind})
        self._tick()

    def _fallback(self, work: p.FileWork, reason: str) -> None:
        work.summary = self.heuristic.summarize_file(work.change)
        with self.lock:
            self.record.fallbacks.setdefault(reason, []).append(work.path)
        self._tick()

    def _heuristic_overall(self, reason: str | None) -> ReportSummary:
        """The heuristic's overview over whatever summaries the files have (noted if ``reason``)."""
        self.record.overall_reason = reason
        files = [w.final for w in self.works]
        return self.heuristic.summarize_overall(self.change, files, [w.facts for w in self.works])

    def _tick(self, done: int | None = None) -> None:
        """Report progress; one caller at a time, since file calls finish on pool threads."""
        with self.progress_lock:
            with self.lock:
                self.done = self.done + 1 if done is None else done
                value = min(self.done, len(self.works))
            if self.progress is not None:
                self.progress("summarizing", value, len(self.works))


def _report_from_dict(data: dict) -> ReportSummary:
    return ReportSummary(
        summary=data["summary"],
        highlights=Highlights(**data["highlights"]),
        insights=data["insights"],
    )
