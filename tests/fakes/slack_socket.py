"""A Socket Mode WebSocket endpoint: accepts the client, says hello, keeps the line open.

    with FakeSocketMode() as ws:
        slack.socket_url = ws.url

Slack's first frame on a Socket Mode connection is ``{"type": "hello", ...}``; the client
counts itself connected from then on. ``connections`` counts the clients that came.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.connections = 0
        self._live: list[ServerConnection] = []
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def _session(self, conn: ServerConnection) -> None:
        self.connections += 1
        self._live.append(conn)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}}
        conn.send(json.dumps(hello))
        try:
            for _ in conn:  # the client's acks and pings; nothing else is needed
                pass
        except ConnectionClosed:
            pass  # the client went away: its business

    def drop_all(self) -> None:
        """Close every live connection from Slack's side, as a Slack restart does."""
        for conn in list(self._live):
            conn.close()
        self._live.clear()

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
