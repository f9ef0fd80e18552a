"""FakeSlack: a local HTTP server speaking the parts of Slack's Web API that diffinsight uses.

Real request and response shapes (form, query or JSON arguments; ``Authorization: Bearer``;
``{"ok": false, "error": ...}`` answers; HTTP 429 with ``Retry-After``), the documented limits
of tests/data/LIMITS.md (see :mod:`tests.fakes.slack_limits`), and every call recorded so
tests can assert on what the bot really sent.

    with FakeSlack() as slack:
        client = WebClient(token=slack.token, base_url=slack.api_url)
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.faults import Answer, Faults
from tests.fakes.slack_limits import BlockError
from tests.fakes.slack_methods import BOT_ID, BOT_USER, Call, Message, SlackMethods

__all__ = ["BOT_ID", "BOT_USER", "Call", "FakeSlack", "Message"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        raw = isinstance(payload, bytes)
        body = payload if raw else json.dumps(payload).encode()
        self.send_response(status)
        ctype = "text/plain" if raw else "application/json"
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _dispatch(self, body: bytes) -> None:
        fake = self.server.fake

        def work() -> Answer:
            status, payload, headers = fake.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
            return _encoded(status, payload, headers)

        fake.faults.serve(self, work, _server_error)


def _encoded(status: int, payload: Any, headers: dict[str, str] | None) -> Answer:
    raw = isinstance(payload, bytes)
    body = payload if raw else json.dumps(payload).encode()
    ctype = "text/plain" if raw else "application/json"
    return status, {"Content-Type": f"{ctype}; charset=utf-8", **(headers or {})}, body


def _server_error(status: int) -> Answer:
    """What Slack's edge answers when it is down: a status and an HTML-ish body, not JSON."""
    return status, {"Content-Type": "text/html"}, b"<html><body>upstream error</body></html>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    fake: FakeSlack


def _parse_args(path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Slack reads arguments from the query, a form body or a JSON body."""
    args: dict[str, Any] = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if body and "application/json" in ctype:
        loaded = json.loads(body.decode("utf-8"))
        if isinstance(loaded, dict):
            args.update(loaded)
    elif body:
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in ("blocks", "unfurls", "files"):
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                args[key] = {"__invalid__": args[key]}
    return args


class FakeSlack(SlackMethods):
    """The Slack Web API on 127.0.0.1, with failure knobs.

    Knobs: ``faults.inject(delay=, status=, truncate=, drop=, path=, times=)``;
    ``ratelimit_next(n, retry_after, method=None)``; ``channel_rate`` (posts per second
    per channel before 429, None = unlimited); ``not_in_channel`` and ``channel_not_found``
    (sets of channel ids); ``fail_next(method, error)``.
    """

    def __init__(self, token: str = "xoxb-fake-token") -> None:
        self.token = token
        self.faults = Faults()
        """Slow, refusing, truncated or dropped answers (see tests/fakes/faults.py)."""
        self.app_token = "xapp-fake-app-token"
        self.socket_url: str | None = None
        """The WebSocket apps.connections.open hands out (tests.fakes.slack_socket serves one)."""
        self.calls: list[Call] = []
        self.unfurled: list[tuple[str, dict[str, Any], Any]] = []
        self.not_in_channel: set[str] = set()
        self.channel_not_found: set[str] = set()
        self.channel_rate: float | None = None
        self._messages: dict[str, list[Message]] = defaultdict(list)
        self._ratelimited: deque[tuple[str | None, int]] = deque()
        self._failures: dict[str, deque[str]] = defaultdict(deque)
        self._posts: dict[str, deque[float]] = defaultdict(deque)
        self._uploads: dict[str, dict[str, Any]] = {}
        self._responses: dict[str, list[dict[str, Any]]] = {}
        self._seq = itertools.count(1)
        self._lock = threading.RLock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- knobs and views -------------------------------------------------------------------
    def ratelimit_next(self, n: int = 1, retry_after: int = 1, method: str | None = None) -> None:
        """The next ``n`` calls (of ``method``, or any) answer HTTP 429 ``ratelimited``."""
        with self._lock:
            self._ratelimited.extend([(method, retry_after)] * n)

    def fail_next(self, method: str, error: str) -> None:
        """The next call of ``method`` answers ``{"ok": false, "error": error}``."""
        with self._lock:
            self._failures[method].append(error)

    def response_url(self, name: str = "cmd") -> str:
        """A fresh slash-command ``response_url`` served by this fake."""
        with self._lock:
            key = f"{name}-{next(self._seq)}"
            self._responses[key] = []
            return f"{self.base_url}/commands/{key}"

    def responses(self, url: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._responses[url.rsplit("/", 1)[-1]])

    def messages(self, channel: str) -> list[Message]:
        """Messages in ``channel`` in posting order (ephemeral ones included, flagged)."""
        with self._lock:
            return list(self._messages[channel])

    def thread(self, channel: str, ts: str) -> list[Message]:
        return [m for m in self.messages(channel) if m.thread_ts == ts]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # --- request handling ------------------------------------------------------------------
    def handle(
        self, verb: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(path).path.strip("/").split("/")
        if parts[:2] == ["upload", "v1"] and len(parts) == 3:
            return self._upload(parts[2], headers, body)
        if parts[0] == "commands" and len(parts) == 2:
            return self._respond(parts[1], headers, body)
        if parts[0] != "api" or len(parts) != 2:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        method = parts[1]
        args = _parse_args(path, headers, body)
        call = Call(method, args, headers, time.time(), body=body)
        with self._lock:
            self.calls.append(call)
            status, payload, extra = self._api(method, args, headers)
            call.status, call.response = status, payload
        return status, payload, extra

    def _auth(self, headers: dict[str, str], args: dict[str, Any], method: str = "") -> str | None:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else args.get("token")
        if not token:
            return "not_authed"
        # apps.connections.open takes the app-level token (xapp-...), every other the bot's.
        expected = self.app_token if method == "apps.connections.open" else self.token
        if token != expected:
            return "invalid_auth"
        return None

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """Socket Mode: where to open the WebSocket (``socket_url``, set by the test)."""
        if not self.socket_url:
            raise BlockError("internal_error", "no socket server")
        return {"url": self.socket_url}

    def _rate_limited(self, method: str, channel: str | None) -> int | None:
        if self._ratelimited and self._ratelimited[0][0] in (None, method):
            return self._ratelimited.popleft()[1]
        if channel and self.channel_rate and method == "chat.postMessage":
            now = time.monotonic()
            window = self._posts[channel]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.channel_rate:
                return 1
            window.append(now)
        return None

    def _api(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        error = self._auth(headers, args, method)
        if error:
            return 200, {"ok": False, "error": error}, {}
        channel = args.get("channel") or args.get("channel_id")
        retry_after = self._rate_limited(method, channel)
        if retry_after is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        if self._failures[method]:
            return 200, {"ok": False, "error": self._failures[method].popleft()}, {}
        try:
            return 200, {"ok": True, **handler(args)}, {}
        except BlockError as exc:
            payload = {"ok": False, "error": exc.error}
            if exc.error == "invalid_blocks":
                payload["errors"] = [exc.detail]
                payload["response_metadata"] = {"messages": [f"[ERROR] {exc.detail}"]}
            return 200, payload, {}
