"""Socket Mode kept up: connect with a backoff, reconnect after a drop, say whether it is up.

With ``SLACK_APP_TOKEN`` set, Slack's requests arrive over a WebSocket. The stock handler's
``connect()`` raises when Slack cannot be reached at start, and in a thread of its own that
ended Socket Mode for good while the process went on serving HTTP: the bot looked up and
heard nothing. Here a supervisor thread connects, watches the connection, and starts again
with a doubling wait (one log line per attempt); ``/healthz`` reports :meth:`connected`.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.config import Config

log = logging.getLogger(__name__)

FIRST_WAIT = 1.0
MAX_WAIT = 60.0
CHECK_SECONDS = 5.0
"""How often the supervisor looks at a live connection (the client pings on its own)."""
GRACE_CHECKS = 3
"""Checks a connection may be down (the client's own reconnect) before it is started anew."""


class SocketLink:
    """One supervised Socket Mode connection for the web process."""

    def __init__(self, config: Config, bolt_app: App) -> None:
        self.config = config
        self.bolt_app = bolt_app
        self.stop = threading.Event()
        self._handler: SocketModeHandler | None = None
        self.attempts = 0
        self.thread = threading.Thread(target=self._run, name="slack-socket-mode", daemon=True)

    def start(self) -> SocketLink:
        self.thread.start()
        return self

    def connected(self) -> bool:
        handler = self._handler
        try:
            return handler is not None and bool(handler.client.is_connected())
        except Exception:  # noqa: BLE001 - a health check answers, it does not raise
            return False

    def close(self) -> None:
        self.stop.set()
        self._drop()

    def _run(self) -> None:
        wait = FIRST_WAIT
        while not self.stop.is_set():
            self.attempts += 1
            try:
                self._handler = SocketModeHandler(
                    self.bolt_app,
                    app_token=self.config.slack_app_token,
                    web_client=WebClient(base_url=self.config.slack_api_url),
                )
                self._handler.connect()
                # A recovery is worth the operator's eye (the server logs warnings and up).
                level = logging.WARNING if self.attempts > 1 else logging.INFO
                log.log(level, "socket mode connected", extra={"attempt": self.attempts})
                wait = FIRST_WAIT
                self._watch()
                if self.stop.is_set():
                    return
                log.warning("socket mode connection lost; reconnecting")
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                log.warning(
                    "socket mode not connected; retrying",
                    extra={"attempt": self.attempts, "wait": wait, "error": type(exc).__name__},
                )
            self._drop()
            if self.stop.wait(wait):
                return
            wait = min(wait * 2, MAX_WAIT)

    def _watch(self) -> None:
        """Return once the connection has been down for GRACE_CHECKS checks in a row."""
        down = 0
        while not self.stop.wait(CHECK_SECONDS):
            down = 0 if self.connected() else down + 1
            if down >= GRACE_CHECKS:
                return

    def _drop(self) -> None:
        handler, self._handler = self._handler, None
        if handler is not None:
            try:
                handler.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may fail; no matter
                log.info("socket mode close failed")
