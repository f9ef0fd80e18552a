"""Run the real web app on a free port and sign requests the way Slack does.

with running_server(config) as base:
    httpx.post(f"{base}/slack/events", content=body, headers=sign_slack(body, secret))
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import httpx
import uvicorn

from bot.config import Config
from handlers.app import create_app, uvicorn_config
from tests.conftest import free_port


def sign_slack(body: bytes, secret: str, ts: int | None = None) -> dict[str, str]:
    """Headers of a request signed with ``secret`` (v0 HMAC-SHA256 of ``v0:ts:body``)."""
    stamp = str(int(time.time()) if ts is None else ts)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(text: str, **fields: str) -> bytes:
    """A slash-command form body in Slack's field names."""
    data = {
        "token": "deprecated-verification-token",
        "team_id": "T0FAKE",
        "team_domain": "fake",
        "channel_id": "C0CHAN",
        "channel_name": "general",
        "user_id": "U0ASKER",
        "user_name": "asker",
        "command": "/diffinsight",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": "http://127.0.0.1:9/commands/none",
        "trigger_id": f"{time.time_ns()}.trigger",
        **fields,
    }
    return urlencode(data).encode()


@contextmanager
def running_server(config: Config, app=None) -> Iterator[str]:
    """uvicorn with the production settings in a thread; yields ``http://127.0.0.1:PORT``."""
    port = free_port()
    server = uvicorn.Server(uvicorn_config(app or create_app(config), port, host="127.0.0.1"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post_signed(base: str, body: bytes, secret: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{base}/slack/events",
        content=body,
        headers={**sign_slack(body, secret), **headers},
        timeout=10,
    )
