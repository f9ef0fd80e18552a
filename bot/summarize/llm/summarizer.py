"""The LLM summarizer: any OpenAI-compatible model writes the report, within set budgets.

Round trips are fixed whatever the file count: a change whose whole prompt fits one call's
budget takes exactly one call (every file and the report fields in one schema); a larger one
takes one wave of parallel calls over batches of its files (at most ``config.llm_concurrency``
of them, see :mod:`bot.summarize.llm.batches`) and then one synthesis call over their results.
Files described from metadata alone, or found in the cache, cost no tokens. Whatever fails, a
report is produced: a file the model could not summarize is summarized heuristically, and the
report's notes say so, as they say what was cut to fit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, replace

import openai

from bot import messages as m
from bot.config import Config
from bot.diff import Change, FileChange
from bot.report import FileSummary, Highlights, ReportSummary
from bot.request import ProgressFn
from bot.summarize import SummaryResult
from bot.summarize.heuristic import summarizer as heuristic
from bot.summarize.llm import plan as p
from bot.summarize.llm import prompts
from bot.summarize.llm import schema as s
from bot.summarize.llm.batches import ROUNDING_MARGIN, FileRound
from bot.summarize.llm.budget import estimate_request
from bot.summarize.llm.client import CallFailed, ChatClient, Session, TooLarge
from bot.summarize.llm.endpoint import Endpoint
from bot.summarize.llm.filecache import FileCache, default_cache
from bot.summarize.llm.limits import limits_for
from bot.summarize.llm.negotiate import EndpointMemo, Negotiation
from bot.summarize.llm.notes import RunRecord, mode_note, report_notes
from bot.summarize.llm.replies import REPAIR_ROOM

log = logging.getLogger(__name__)

CHANGE_INSTRUCTION = "Describe every file in a FILE block, then the change as a whole."
REPORT_INSTRUCTION = "Describe the change as a whole from the SUMMARIZED block."


class LLMSummarizer:
    """The ``openai`` summarizer; ``cache`` defaults to Redis, else this process's memory."""

    name = "openai"

    def __init__(
        self,
        config: Config,
        cache: FileCache | None = None,
        *,
        client: openai.OpenAI | None = None,
        memo: EndpointMemo | None = None,
    ) -> None:
        self.config = config
        self.cache = cache if cache is not None else default_cache(config)
        self.heuristic = heuristic
        usable = client is not None or config.llm_configured or bool(config.openai_base_url)
        self.chat = ChatClient(config, client) if usable else None
        # What each endpoint took is kept where the summaries are: Redis when they are.
        store = getattr(self.cache, "inner", self.cache)
        self.memo = memo or EndpointMemo(getattr(store, "client", None), config.redis_prefix)

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
        self.base_config = owner.config
        self.heuristic = owner.heuristic
        self.change, self.lang, self.progress = change, lang, progress
        # Started first: discovery (when nothing is remembered) overlaps preparing the files.
        self.endpoint = Endpoint(owner.config, owner.memo) if self.chat is not None else None
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
        # The same whole-file facts (API, metadata, changelog) and facts across docs pages
        # the heuristic report is built from, so the model's words are grounded in them too.
        self.whole = self.heuristic.change_facts(change)
        self.docs = self.heuristic.docs_context(change.files)
        self.works = [self._prepare(i, f) for i, f in enumerate(change.files)]
        self.report_key = p.report_key(
            self.config.model, lang, change.repository, self.header, [w.key for w in self.works]
        )
        self.limits = self.session.limits

    def _connect(self) -> None:
        """Size the report to its server and start the mode negotiation (before any call)."""
        assert self.endpoint is not None
        record = self.endpoint.ready()
        self.session.negotiation = Negotiation.start(self.base_config, record, record.kind)
        self._resize()

    def _resize(self) -> None:
        assert self.endpoint is not None
        parallel = self.endpoint.ready().parallel
        self.config, self.limits = limits_for(self.base_config, self.endpoint.window, parallel)
        self.session.limits = self.limits

    def too_large(self, exc: TooLarge) -> None:
        """A call did not fit and is split (called from pool threads)."""
        assert self.endpoint is not None
        with self.lock:
            self.record.split_calls += 1
            if self.endpoint.learn(exc.window):
                self._resize()
            self.record.window = self.endpoint.window

    def _prepare(self, index: int, f: FileChange) -> p.FileWork:
        facts = list(self.heuristic.file_facts(f, self.whole, self.docs))
        key = p.file_key(f, self.config.model, self.lang, facts)
        work = p.FileWork(f"F{index + 1}", f, key, facts, p.MODEL)
        if p.metadata_only(f):
            summary = self.heuristic.summarize_file(f, self.whole, self.docs)
            work.kind, work.summary = p.METADATA, summary
        elif self.chat is not None and (hit := self.cache.get(work.key)) is not None:
            work.kind, work.summary = p.CACHED, FileSummary(**hit["summary"])
            work.cut_kind = hit.get("cut_kind")
        return work

    def execute(self) -> SummaryResult:
        self._tick(0)
        pending = [w for w in self.works if w.kind == p.MODEL]
        if self.chat is None:
            for w in pending:
                self.fallback(w, m.LLM_REASON_NOT_CONFIGURED)
            overall = self._heuristic_overall(m.LLM_REASON_NOT_CONFIGURED)
        elif not self.works:
            overall = self._heuristic_overall(None)
        elif not pending and (hit := self.cache.get(self.report_key)) is not None:
            overall = _report_from_dict(hit)
        else:
            self._connect()
            overall = self._model_overall(pending)
            self._note_mode()
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

    def _note_mode(self) -> None:
        """Say which mode the replies came in, and remember it for the endpoint."""
        assert self.endpoint is not None
        negotiation = self.session.negotiation
        self.endpoint.save(negotiation)
        self.record.mode_note = mode_note(negotiation)

    def _model_overall(self, pending: list[p.FileWork]) -> ReportSummary:
        """One call when it fits, else a round of batch calls and a synthesis call (or only the
        latter, when every file is known already)."""
        assert self.chat is not None
        files = FileRound(self, self.chat)
        single = self._single_call(files, pending) if pending else None
        overall: ReportSummary | None = None
        if single is not None:
            try:
                overall, reason = self._run_single(pending, *single)
            except TooLarge as exc:  # the one call did not fit: batches and a synthesis
                self.too_large(exc)
                files, single = FileRound(self, self.chat), None
        if single is None:
            if pending:
                # Kept for the synthesis call: its instructions and a line per file.
                reserve = min(self.config.llm_call_budget, 600 + 120 * len(self.works))
                files.run(pending, reserve)
            result = self._synthesize()
            overall, reason = (None, result) if isinstance(result, str) else (result, None)
        if overall is None:
            return self._heuristic_overall(reason)
        if not self.record.fallbacks:
            self.cache.set(self.report_key, asdict(overall))
        return overall

    # -- the one call of a small change --

    def _single_call(
        self, files: FileRound, pending: list[p.FileWork]
    ) -> tuple[list[dict], list[str]] | None:
        """The one-call messages and file ids when they fit the call and report budgets.

        Each patch gets the allowance it would have in a batch call, so a change is cut the
        same way whichever path it takes.
        """
        for w in pending:
            files.build(w, files.fit(w).cap)
        ids = [w.file_id for w in pending]
        known = [w for w in self.works if w.kind != p.MODEL]
        blocks = [w.block for w in pending]
        if known:
            lines, _ = p.synthesis_lines(known, self.config.llm_call_budget // 4)
            blocks.insert(0, prompts.data_block("SUMMARIZED", "\n".join(lines)))
        messages = self.messages("change", blocks, CHANGE_INSTRUCTION)
        tokens = estimate_request(messages, s.change_schema(ids))
        tokens += self.limits.reply_tokens(len(ids), report=True)
        limit = min(self.config.llm_call_budget - REPAIR_ROOM, self.config.llm_report_budget)
        if tokens > limit:
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
                self.config.llm_call_budget - self.limits.reply_tokens(len(ids), report=True),
                self.limits.max_tokens(len(ids), report=True),
            )  # fmt: skip
        except TooLarge:
            raise
        except CallFailed as exc:
            for w in pending:
                self.fallback(w, exc.reason)
            return None, exc.reason
        entries = s.valid_file_entries(reply.data, ids)
        for w in pending:
            if w.file_id in entries:
                self.accept(w, entries[w.file_id])
            else:
                self.fallback(w, m.LLM_REASON_INVALID)
        if s.check_report(reply.data):
            return None, m.LLM_REASON_INVALID
        return s.to_report_summary(reply.data), None

    # -- the synthesis call --

    def _synthesize(self) -> ReportSummary | str:
        """The report fields from every file's summary, or the reason there are none."""
        assert self.chat is not None
        fixed = estimate_request(
            self.messages("report", [prompts.data_block("SUMMARIZED", "")], REPORT_INSTRUCTION),
            s.report_schema(),
        )
        reply_room = self.limits.reply_tokens(0, report=True)
        call_room = self.config.llm_call_budget - REPAIR_ROOM - reply_room
        limit = min(call_room, self.session.tokens_left)
        room = limit - fixed - ROUNDING_MARGIN
        lines, omitted = p.synthesis_lines(self.works, max(0, room))
        if not lines:
            return m.LLM_REASON_BUDGET
        block = prompts.data_block("SUMMARIZED", "\n".join(lines))
        messages = self.messages("report", [block], REPORT_INSTRUCTION)
        try:
            reply = self.chat.structured(
                self.session, messages, s.REPORT_SCHEMA_NAME, s.report_schema(), s.check_report,
                self.config.llm_call_budget - reply_room,
                self.limits.max_tokens(0, report=True),
            )  # fmt: skip
        except CallFailed as exc:
            return exc.reason
        if reply.problems:
            return m.LLM_REASON_INVALID
        if omitted:
            self.record.synthesis_omitted = omitted
        return s.to_report_summary(reply.data)

    # -- shared steps --

    def messages(self, mode: str, blocks: list[str], instruction: str) -> list[dict]:
        return [
            {"role": "system", "content": prompts.system_prompt(self.lang, mode)},
            {"role": "user", "content": prompts.user_message(self.header, blocks, instruction)},
        ]

    def accept(self, work: p.FileWork, summary: FileSummary) -> None:
        """Take the model's summary of ``work`` and cache it on its own, by content."""
        work.summary, work.by_model = summary, True
        self.cache.set(work.key, {"summary": asdict(summary), "cut_kind": work.cut_kind})
        self._tick()

    def fallback(self, work: p.FileWork, reason: str) -> None:
        """Summarize ``work`` heuristically and note why (called from pool threads).

        The file's own explanation says so too: in a Slack thread or on the web page a reader
        sees that section, not the report's notes."""
        summary = self.heuristic.summarize_file(work.change, self.whole, self.docs)
        if reason != m.LLM_REASON_NOT_CONFIGURED:  # no model at all: the notes say it once
            mark = m.LLM_FILE_FALLBACK.format(reason=reason, files=work.path)
            summary = replace(summary, explanation=f"{summary.explanation}\n\n{mark}")
        work.summary = summary
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
