"""POST /slack/events under hostile input (issue 11, items 4 and 16), on the real app.

The body is capped before it is read whole, the signature is checked before anything is
parsed, and a signed body that is not what it claims gets a 400, never a 500 and a traceback.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from bot.config import Config
from handlers.app import MAX_SLACK_BODY_BYTES
from tests.fakes.slack import FakeSlack
from tests.support import command_body, running_server, sign_slack

SECRET = "hostile-signing-secret"


@pytest.fixture
def base(config: Config, slack: FakeSlack) -> Iterator[str]:
    cfg = replace(
        config,
        slack_signing_secret=SECRET,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
    )
    with running_server(cfg) as url:
        yield url


def post(base: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{base}/slack/events", content=body, headers=headers, timeout=30)


def test_an_oversized_declared_body_is_refused_unread(base: str) -> None:
    """Content-Length alone decides: the 150 MB are never sent, let alone held."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 157286400\r\n\r\n{"  # declares 150 MB, sends one byte
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert post(base, b"x" * (MAX_SLACK_BODY_BYTES + 1), {}).status_code == 413


def test_an_oversized_streamed_body_is_refused_at_the_cap(base: str) -> None:
    """No Content-Length (chunked): reading stops once the cap is passed."""

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 64 MB offered, far past the cap
            yield b"y" * (1 << 20)

    answer = httpx.post(f"{base}/slack/events", content=chunks(), timeout=30)
    assert answer.status_code == 413  # unfixed, the whole body was read, then a 401


def test_unsigned_junk_is_refused_without_a_traceback(
    base: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    junk = [
        (b"\xff\xfe\x00garbage", {"Content-Type": "application/json"}),
        (b"{not json", {"Content-Type": "application/json"}),
        (b"payload=%7Bbroken", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"a=1", {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}),
    ]
    for body, headers in junk:
        assert post(base, body, headers).status_code == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_but_malformed_bodies_get_a_400_not_a_traceback(
    base: str, body: bytes, ctype: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {**sign_slack(body, SECRET), "Content-Type": ctype}
    answer = post(base, body, headers)
    assert answer.status_code == 400, answer.text
    assert not [r for r in caplog.records if r.exc_info]


def test_a_signed_command_still_works(base: str) -> None:
    body = command_body("help")
    answer = post(base, body, sign_slack(body, SECRET))
    assert answer.status_code == 200
    assert "/diffinsight" in answer.json()["text"]


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"[1, 2]", "application/json"),
        (b'{"type": "event_callback"}', "application/json"),
        (b'{"type": "event_callback", "event": "x"}', "application/json"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b'payload={"type":"block_actions"}', "application/x-www-form-urlencoded"),
        (b'payload={"type":"block_actions","actions":"x"}', "application/x-www-form-urlencoded"),
        (b"command=%2Fdiffinsight", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_odd_shapes_never_give_a_500(
    base: str, body: bytes, ctype: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {**sign_slack(body, SECRET), "Content-Type": ctype}
    answer = post(base, body, headers)
    assert answer.status_code < 500, answer.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]
