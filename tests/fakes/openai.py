"""FakeOpenAI: a local chat-completions server for the real ``openai`` client.

Serves ``POST /v1/chat/completions`` (OpenAI and compatible servers: ``Authorization: Bearer``)
and ``POST /openai/deployments/{deployment}/chat/completions?api-version=...`` (Azure: the
``api-key`` header), with the real response shape (id, object, created, model, choices with
message role/content/refusal and finish_reason, usage). Requests are validated as the API does
(see :mod:`tests.fakes.openai_replies`), every request is recorded, and rules make chosen
requests misbehave: malformed content, refusals, 429 with ``Retry-After``, 500, or a hang.

    with FakeOpenAI(latency=0.05) as fake:
        fake.add_rule("rate_limit", retry_after="0.2")           # the next request gets a 429
        fake.add_rule("non_json", match="docs/a.md", times=2)    # two bad replies about a.md
        fake.add_rule("omit_matching", match="docs/b.md")        # b.md's entry left out once
        client = openai.OpenAI(api_key=fake.api_key, base_url=fake.base_url)
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import openai_kinds as kinds
from tests.fakes.faults import Answer as FaultAnswer
from tests.fakes.faults import Faults
from tests.fakes.openai_replies import (
    RequestError,
    answer,
    count_tokens,
    error_body,
    rate_limited_body,
    unauthorized_body,
    validate,
)

AZURE_PATH_RE = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
BEHAVIOURS = (
    "ok", "non_json", "missing_fields", "bad_enum", "omit_matching", "garble_matching", "refusal",
    "rate_limit", "quota", "server_error", "hang",
)  # fmt: skip


@dataclass
class Rule:
    """Misbehave for requests whose user text contains ``match`` (and schema name, if given)."""

    behaviour: str
    match: str | None = None
    schema: str | None = None
    times: int | None = 1
    retry_after: str = "1"

    def applies(self, prompt: str, schema: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.schema is not None and self.schema != schema:
            return False
        return self.match is None or self.match in prompt


@dataclass
class Recorded:
    """One request received, and how it was answered."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    started: float
    finished: float = 0.0
    status: int = 0
    behaviour: str = ""
    prompt_tokens: int = 0
    deployment: str | None = None
    response: Any = None

    @property
    def schema_name(self) -> str:
        fmt = (self.body or {}).get("response_format") or {}
        return (fmt.get("json_schema") or {}).get("name", "")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])

    def text(self, role: str = "user") -> str:
        return "\n".join(str(m.get("content")) for m in self.messages if m.get("role") == role)


class FakeOpenAI:
    """The server; use as a context manager, read ``requests`` after the code under test ran."""

    def __init__(
        self,
        api_key: str = "sk-test-fake-key",
        *,
        latency: float = 0.0,
        context_window: int = 128_000,
        hang_seconds: float = 30.0,
        deployments: tuple[str, ...] | None = None,
        kind: str = "openai",
        model: str = "gpt-4o-mini",
    ) -> None:
        if kind not in kinds.KINDS:
            raise ValueError(f"unknown server kind {kind}")
        self.kind, self.model = kind, model
        self.api_key = api_key
        self.latency = latency
        self.context_window = context_window
        self.hang_seconds = hang_seconds
        self.deployments = deployments
        self.requests: list[Recorded] = []
        self.gets: list[str] = []
        """Paths of the discovery GETs answered (``/v1/models``, ``/props``, ...)."""
        self.rules: list[Rule] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.faults = Faults()
        """Slow, refusing, truncated or dropped answers (see tests/fakes/faults.py); the
        request is recorded and answered first, then bent, as a proxy in between would."""
        self.stopping = threading.Event()
        self._ids = itertools.count(1)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """For ``OPENAI_BASE_URL``."""
        return self.url + "/v1"

    @property
    def azure_endpoint(self) -> str:
        """For ``AZURE_OPENAI_ENDPOINT``."""
        return self.url

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def add_rule(self, behaviour: str, **kwargs: Any) -> Rule:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour}")
        rule = Rule(behaviour, **kwargs)
        with self.lock:
            self.rules.append(rule)
        return rule

    def completions(self, schema: str | None = None) -> list[Recorded]:
        """Requests that reached the model (authorized and valid), optionally of one schema."""
        return [
            r
            for r in self.requests
            if r.prompt_tokens and (schema is None or r.schema_name == schema)
        ]

    @property
    def tokens_sent(self) -> int:
        """Prompt tokens of every request the model received, by the fake's own count."""
        return sum(r.prompt_tokens for r in self.requests)

    def _choose(self, prompt: str, schema: str) -> Rule:
        with self.lock:
            for rule in self.rules:
                if rule.applies(prompt, schema):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return Rule("ok")

    def respond(self, record: Recorded) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, extra headers and JSON body for one authorized, routed request."""
        try:
            validate(record.body, model_required=record.deployment is None)
        except RequestError as exc:
            return 400, {}, exc.body()
        fmt = record.body.get("response_format")
        refused = kinds.format_refusal(self.kind, fmt)
        if refused is not None:
            return refused[0], {}, refused[1]
        record.prompt_tokens = count_tokens(record.body)
        max_tokens = record.body.get("max_tokens")
        too_long = kinds.context_error(
            self.kind, record.prompt_tokens, max_tokens, self.context_window
        )
        if too_long is not None:
            record.prompt_tokens = 0  # refused before the model saw it
            return too_long[0], {}, too_long[1]
        rule = self._choose(record.text("user"), record.schema_name)
        record.behaviour = rule.behaviour
        if self.latency:
            self.stopping.wait(self.latency)
        if rule.behaviour == "hang":
            self.stopping.wait(self.hang_seconds)
        if rule.behaviour in ("rate_limit", "quota"):
            return 429, {"Retry-After": rule.retry_after}, rate_limited_body(rule.behaviour)
        if rule.behaviour == "server_error":
            return 500, {}, error_body("The server had an error while processing your request.")
        return 200, {}, self._completion(record, rule)

    def _completion(self, record: Recorded, rule: Rule) -> dict[str, Any]:
        refusal = "I'm sorry, I can't help with that." if rule.behaviour == "refusal" else None
        content = None if refusal else answer(record.body, rule.behaviour, rule.match)
        fmt = record.body.get("response_format")
        if content is not None and kinds.ignores_format(self.kind, fmt):
            content = "The change updates the documentation; see the files for details."
        elif content is not None and not fmt and self.kind != "openai":
            content = kinds.text_reply(content)
        completion_tokens = len(content or refusal or "") // 4 + 1
        finish_reason = "stop"
        limit = record.body.get("max_tokens")
        if not limit and self.kind == "llama-cpp-python":  # it stops at its window, silently
            limit = max(1, self.context_window - record.prompt_tokens)
        if content is not None and limit and completion_tokens > limit:
            content, completion_tokens, finish_reason = content[: limit * 4], limit, "length"
        return {
            "id": f"chatcmpl-fake{next(self._ids):06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": record.body.get("model") or record.deployment,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": record.prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": record.prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_fake",
        }


class _Server(ThreadingHTTPServer):
    """A listen backlog for many parallel callers (the default of 5 drops connections, and
    a dropped SYN is retried only after a second)."""

    request_queue_size = 128
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes; no 40 ms delayed-ACK stall
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """``/_fake/requests``: the records, for a test or benchmark in another process."""
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        if path == "/v1/models":
            if self.headers.get("authorization", "") != f"Bearer {fake.api_key}":
                self._send(401, {}, unauthorized_body(bool(self.headers.get("authorization"))))
                return
            fake.gets.append(path)
            self._send(200, {}, kinds.models_listing(fake.kind, fake.model, fake.context_window))
            return
        extra = kinds.extra_get(fake.kind, path, fake.model, fake.context_window)
        if extra is not None:
            fake.gets.append(path)
            self._send(200, {}, extra)
            return
        if path != "/_fake/requests":
            self._send(
                404, {}, error_body(f"Invalid URL (GET {self.path})", "invalid_request_error")
            )
            return
        with fake.lock:
            records = [asdict(r) for r in fake.requests]
        self._send(200, {}, records)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            body = None
        record = Recorded(
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            started=time.monotonic(),
        )
        with fake.lock:
            fake.requests.append(record)
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            status, headers, payload = self._route(fake, record)
        finally:
            with fake.lock:
                fake.in_flight -= 1
        record.status, record.response, record.finished = status, payload, time.monotonic()
        self._send(status, headers, payload)

    def _route(self, fake: FakeOpenAI, record: Recorded) -> tuple[int, dict[str, str], Any]:
        azure = AZURE_PATH_RE.match(record.path)
        if record.path == "/api/show" and fake.kind in ("ollama", "ollama-old"):
            return 200, {}, kinds.ollama_show(fake.context_window)
        if record.path == "/v1/chat/completions":
            key = record.headers.get("authorization", "")
            if key != f"Bearer {fake.api_key}":
                return 401, {}, unauthorized_body(bool(key))
            return fake.respond(record)
        if azure:
            if record.headers.get("api-key") != fake.api_key:
                message = (
                    "Access denied due to invalid subscription key or wrong API endpoint. Make "
                    "sure to provide a valid key for an active subscription and use a correct "
                    "regional API endpoint for your resource."
                )
                return 401, {}, {"error": {"code": "401", "message": message}}
            if not record.query.get("api-version"):
                return 404, {}, {"error": {"code": "404", "message": "Resource not found"}}
            record.deployment = azure.group(1)
            if fake.deployments is not None and record.deployment not in fake.deployments:
                message = "The API deployment for this resource does not exist."
                return 404, {}, {"error": {"code": "DeploymentNotFound", "message": message}}
            return fake.respond(record)
        return 404, {}, error_body(f"Invalid URL (POST {record.path})", "invalid_request_error")

    def _send(self, status: int, headers: dict[str, str], payload: Any) -> None:
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        data = json.dumps(payload).encode("utf-8")
        sent = {
            "Content-Type": "application/json",
            "x-request-id": f"req_fake{id(payload):x}",
            **headers,
        }
        try:
            fake.faults.serve(self, lambda: (status, sent, data), _server_error)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _server_error(status: int) -> FaultAnswer:
    body = error_body("The server had an error while processing your request.", "server_error")
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
