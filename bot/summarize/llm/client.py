"""One structured chat-completions call, with retries, a deadline, a token ledger and one repair.

The ``openai`` client is built with ``max_retries=0`` on purpose: its own retries would resend
the prompt without our ledger seeing the tokens, and would sleep for a ``Retry-After`` of up to
two minutes whatever the report's deadline. Here each attempt is charged to the report's budget
before it is sent, 429 and 5xx (and timeouts, lost connections) are retried with exponential
backoff and jitter, ``retry-after-ms`` / ``Retry-After`` are honoured when the deadline allows
it, and every attempt's timeout is the smaller of the per-call timeout and the time left.

A repair resends the request with what was wrong (and as much of the bad reply as fits) within
the same per-call budget: every call keeps :data:`REPAIR_ROOM` tokens free for that.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import openai

from bot import messages as m
from bot.config import Config
from bot.summarize.llm import formats
from bot.summarize.llm.budget import estimate_request
from bot.summarize.llm.formats import JSON_SCHEMA
from bot.summarize.llm.limits import Limits
from bot.summarize.llm.negotiate import Negotiation
from bot.summarize.llm.replies import parse_reply, parses, repair_request

log = logging.getLogger(__name__)

DEFAULT_AZURE_API_VERSION = "2024-10-21"
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0


class CallFailed(Exception):
    """A call that produced no usable reply; ``reason`` is worded for the report's notes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(CallFailed):
    """The call did not fit: the server's context window (``window`` when it named it) or,
    when ``window`` is ``None``, the reply was cut at ``max_tokens``. Smaller calls may fit."""

    def __init__(self, reason: str, window: int | None = None) -> None:
        super().__init__(reason)
        self.window = window


@dataclass
class Session:
    """What one report may still spend: time until its deadline and tokens of its budget."""

    deadline: float
    budget: int
    sent: int = 0
    attempts: int = 0
    reported_prompt_tokens: int = 0
    fatal: str | None = None
    negotiation: Negotiation = field(
        default_factory=lambda: Negotiation(JSON_SCHEMA, pinned=False, trusts_schema=True)
    )
    limits: Limits = field(default_factory=Limits)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(cls, seconds: float, budget: int) -> Session:
        return cls(deadline=time.monotonic() + seconds, budget=budget)

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    @property
    def tokens_left(self) -> int:
        return self.budget - self.sent

    def reserve(self, tokens: int) -> bool:
        """Charge ``tokens`` to the budget if they fit; the caller sends only when this is True."""
        with self._lock:
            if self.sent + tokens > self.budget:
                return False
            self.sent += tokens
            self.attempts += 1
            return True

    def record_usage(self, prompt_tokens: int) -> None:
        with self._lock:
            self.reported_prompt_tokens += prompt_tokens


def make_openai_client(config: Config) -> openai.OpenAI:
    """Azure when its endpoint and key are set, else OpenAI or any compatible server."""
    if config.azure_openai_endpoint and config.azure_openai_api_key:
        return openai.AzureOpenAI(
            azure_endpoint=config.azure_openai_endpoint,
            api_key=config.azure_openai_api_key,
            api_version=config.openai_api_version or DEFAULT_AZURE_API_VERSION,
            max_retries=0,
            timeout=config.llm_timeout_seconds,
        )
    return openai.OpenAI(
        # A local server (Ollama, llama.cpp) may need no key, but the client insists on one.
        api_key=config.openai_api_key or ("unused" if config.openai_base_url else None),
        base_url=config.openai_base_url or DEFAULT_OPENAI_BASE_URL,
        max_retries=0,
        timeout=config.llm_timeout_seconds,
    )


def retry_after_seconds(headers: Any) -> float | None:
    """The server's requested wait from ``retry-after-ms`` or ``Retry-After`` (seconds or date)."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


@dataclass
class Reply:
    """A parsed reply and the problems it still has (empty when it passed its checks)."""

    data: Any
    problems: list[str]
    repaired: bool = False


class ChatClient:
    """Structured calls for one model, shared by the threads of a report."""

    def __init__(self, config: Config, client: openai.OpenAI | None = None) -> None:
        self.config = config
        self.client = client or make_openai_client(config)
        self.model = config.model
        # The client loads its chat resources on first use; do it now, not inside a report.
        self.completions = self.client.chat.completions

    def structured(
        self,
        session: Session,
        messages: list[dict[str, str]],
        name: str,
        schema: dict,
        check: Callable[[Any], list[str]],
        limit: int,
        max_tokens: int | None = None,
    ) -> Reply:
        """Ask, check the reply, and when it fails its checks ask once more saying why.

        ``limit`` bounds the repair request's estimated tokens (the per-call budget).
        """
        content = self.send(session, messages, name, schema, max_tokens)
        data, problems = parse_reply(content, check)
        if not problems:
            return Reply(data, [])
        retry = repair_request(messages, content, problems, schema, limit)
        if retry is None:
            log.info("llm reply failed its checks, no room to repair", extra={"schema": name})
            return Reply(data, problems)
        log.info("llm reply failed its checks, repairing", extra={"schema": name})
        content = self.send(session, retry, name, schema, max_tokens)
        data, problems = parse_reply(content, check)
        return Reply(data, problems, repaired=True)

    def send(
        self,
        session: Session,
        messages: list[dict[str, str]],
        name: str,
        schema: dict,
        max_tokens: int | None = None,
    ) -> str:
        """The reply's content, after retries; raises :class:`CallFailed` when there is none.

        A refused response format (or, from a server not known to honour schemas, a reply that
        ignores it) steps the report's negotiation down and resends at once; that is not a
        retry. A context error raises :class:`TooLarge`: resending the same prompt is useless.
        """
        tokens = estimate_request(messages, schema)
        retries = 0
        while True:
            if session.fatal:
                raise CallFailed(session.fatal)
            time_left = session.time_left()
            if time_left <= 0:
                raise CallFailed(m.LLM_REASON_DEADLINE)
            if not session.reserve(tokens):
                raise CallFailed(m.LLM_REASON_BUDGET)
            mode = session.negotiation.mode
            try:
                content, finish, used = self._create(
                    session, mode, messages, name, schema, time_left, max_tokens
                )
            except openai.APIStatusError as exc:
                if formats.is_context_error(exc.body):
                    raise TooLarge(m.LLM_REASON_CONTEXT, formats.context_window(exc.body)) from exc
                if formats.refuses_format(exc.status_code, exc.body):
                    log.info("llm response format refused", extra={"mode": mode})
                    if session.negotiation.step_down(mode):
                        continue
                    if session.negotiation.pinned:
                        reason = m.LLM_REASON_FORMAT_PINNED.format(mode=mode)
                    else:
                        reason = m.LLM_REASON_FORMAT.format(mode=mode, status=exc.status_code)
                    raise CallFailed(reason) from exc
                wait, reason = self._status_error(session, exc)
            except openai.APITimeoutError:
                wait, reason = None, m.LLM_REASON_TIMEOUT
            except openai.APIConnectionError:
                wait, reason = None, m.LLM_REASON_UNREACHABLE
            except (json.JSONDecodeError, openai.APIResponseValidationError):
                # A 200 whose body is cut short or not the API's shape (a proxy's error page,
                # a dropped stream): the server's fault, retried like a 5xx, then a fallback.
                wait, reason = None, m.LLM_REASON_GARBLED
            else:
                if (
                    session.negotiation.watches_for_ignored_schema(mode)
                    and finish != "length"
                    and formats.ignores_schema(content, schema)
                ):
                    log.info("llm reply ignored the schema", extra={"mode": mode})
                    if session.negotiation.step_down(mode):
                        continue
                if finish == "length" and not parses(content):
                    # Unsized, a server stops at its window (llama-cpp-python does, without an
                    # error): prompt plus reply is then the window.
                    raise TooLarge(m.LLM_REASON_CUT, None if max_tokens else used)
                session.negotiation.worked(mode)
                return content
            if retries >= self.config.llm_max_retries:
                raise CallFailed(reason)
            if wait is None:
                wait = min(BACKOFF_BASE_SECONDS * 2**retries, BACKOFF_MAX_SECONDS)
                wait *= 1 - 0.25 * random.random()
            if wait >= session.time_left():
                raise CallFailed(m.LLM_REASON_NO_TIME.format(reason=reason))
            log.info("llm call retried", extra={"reason": reason, "wait": round(wait, 3)})
            time.sleep(wait)
            retries += 1

    def _status_error(
        self, session: Session, exc: openai.APIStatusError
    ) -> tuple[float | None, str]:
        """The wait and reason of a retryable status error; raises for the others."""
        if isinstance(exc, openai.RateLimitError | openai.InternalServerError):
            if _quota_exhausted(exc):
                session.fatal = m.LLM_REASON_QUOTA
                raise CallFailed(session.fatal) from exc
            wait = retry_after_seconds(exc.response.headers)
            return wait, m.LLM_REASON_HTTP.format(status=exc.status_code)
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            session.fatal = m.LLM_REASON_CREDENTIALS.format(status=exc.status_code)
            raise CallFailed(session.fatal) from exc
        raise CallFailed(m.LLM_REASON_REQUEST.format(status=exc.status_code)) from exc

    def _create(
        self,
        session: Session,
        mode: str,
        messages: list[dict[str, str]],
        name: str,
        schema: dict,
        time_left: float,
        max_tokens: int | None,
    ) -> tuple[str, str | None, int | None]:
        """One request in ``mode``: its reply's content, finish reason and total tokens."""
        options: dict[str, Any] = {}
        fmt = formats.response_format(mode, name, schema, session.limits.bounds())
        if fmt is not None:
            options["response_format"] = fmt
        if max_tokens:
            options["max_tokens"] = max_tokens
        timeout = session.limits.timeout(self.config.llm_timeout_seconds, max_tokens)
        response = self.completions.create(
            model=self.model,
            messages=cast(Any, formats.framed(mode, messages, schema)),
            timeout=max(0.05, min(timeout, time_left)),
            **options,
        )
        if response.usage is not None:
            session.record_usage(response.usage.prompt_tokens)
        if not response.choices:
            return "", None, None
        choice = response.choices[0]
        if getattr(choice.message, "refusal", None):
            raise CallFailed(m.LLM_REASON_DECLINED)
        used = response.usage.total_tokens if response.usage is not None else None
        return choice.message.content or "", choice.finish_reason, used


def _quota_exhausted(exc: openai.APIStatusError) -> bool:
    """A 429 for an exhausted quota needs someone to act; retrying only burns the deadline."""
    return exc.code == "insufficient_quota"
