"""Fault injection shared by the fakes: a server that is slow, refuses, truncates or hangs up.

Every fake (Slack, GitHub, OpenAI) owns a :class:`Faults` as ``fake.faults``; a test arms one
or more faults and the fake's handler applies the first that matches each request:

    slack.faults.inject(delay=2.5, path="chat.postMessage", times=1)   # answers late (posted)
    github.faults.inject(status=502, path="/compare/")                  # refuses, does nothing
    openai.faults.inject(truncate=True, times=1)                        # 200, half a JSON body
    slack.faults.inject(drop=True, after_work=True)                     # did it, hung up

``delay`` and ``truncate`` act after the fake has done the request's work (a slow or garbled
answer to something that happened); ``status`` and ``drop`` act before it (nothing happened)
unless ``after_work`` is set (it happened, the answer was lost). ``times`` bounds how many
requests a fault hits (None: until :meth:`Faults.clear`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

Answer = tuple[int, dict[str, str], bytes]
"""Status, headers (without Content-Length) and body of one answer."""


@dataclass
class Fault:
    delay: float = 0.0
    status: int | None = None
    truncate: bool = False
    drop: bool = False
    after_work: bool = False
    path: str | None = None
    times: int | None = None
    hits: int = 0

    def matches(self, path: str) -> bool:
        return (self.path is None or self.path in path) and (
            self.times is None or self.hits < self.times
        )


class Faults:
    """The armed faults of one fake (thread-safe: the fakes serve each request in a thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Fault] = []

    def inject(
        self,
        *,
        delay: float = 0.0,
        status: int | None = None,
        truncate: bool = False,
        drop: bool = False,
        after_work: bool = False,
        path: str | None = None,
        times: int | None = None,
    ) -> Fault:
        fault = Fault(delay, status, truncate, drop, after_work, path, times)
        with self._lock:
            self._armed.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, path: str) -> Fault | None:
        """The first armed fault for ``path``, counted as used."""
        with self._lock:
            for fault in self._armed:
                if fault.matches(path):
                    fault.hits += 1
                    return fault
        return None

    def serve(
        self,
        handler: BaseHTTPRequestHandler,
        work: Callable[[], Answer],
        error: Callable[[int], Answer],
    ) -> None:
        """Answer ``handler``'s request with ``work()``, bent by the fault armed for its path.

        ``error(status)`` is the fake's own error answer for an injected status (each service
        words its errors its own way).
        """
        fault = self.take(handler.path)
        if fault is None:
            _send(handler, *work())
            return
        refused_first = (fault.status or fault.drop) and not fault.after_work
        answer: Answer = (0, {}, b"") if refused_first else work()
        if fault.drop:
            handler.close_connection = True
            _hang_up(handler)
            return
        if fault.status:
            answer = error(fault.status)
        if fault.delay:
            time.sleep(fault.delay)
        status, headers, body = answer
        if fault.truncate:
            body = body[: len(body) // 2]
        _send(handler, status, headers, body)


def _send(
    handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client gave up waiting (its timeout)


def _hang_up(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with no answer at all, as a crashed proxy would."""
    try:
        handler.wfile.flush()
        handler.connection.shutdown(2)
    except OSError:
        pass
