"""Socket Mode with Slack unreachable at start, then reachable (issue 11 #20), on a real
``diffinsight serve`` process: it keeps trying (a log line per attempt), stays up for HTTP,
``/healthz`` says whether Slack is connected, and it connects once Slack answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.config import Config
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_socket import FakeSocketMode
from tests.support import free_port

ROOT = Path(__file__).parent.parent


def health(base: str) -> dict:
    return httpx.get(f"{base}/healthz", timeout=5).json()


def wait_for(predicate, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


@pytest.mark.timeout(90)
def test_socket_mode_retries_until_slack_answers_and_health_says_so(
    config: Config, slack: FakeSlack, tmp_path: Path
) -> None:
    slack.faults.inject(drop=True, path="apps.connections.open")  # Slack unreachable
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIFFINSIGHT_"))}
    env.update(
        SLACK_APP_TOKEN=slack.app_token,
        SLACK_BOT_TOKEN=slack.token,
        SLACK_SIGNING_SECRET="socket-secret",
        SLACK_API_URL=slack.api_url,
        DIFFINSIGHT_DATA_DIR=str(tmp_path / "data"),
        REDIS_URL=config.redis_url or "",
    )
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log, FakeSocketMode() as socket_server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: _up(base), timeout=30)
            wait_for(lambda: log_path.read_text().count("socket mode not connected") >= 2, 30)
            assert proc.poll() is None  # still serving HTTP, still trying
            assert health(base)["slack"] is False
            slack.faults.clear()
            slack.socket_url = socket_server.url
            wait_for(lambda: health(base).get("slack") is True, timeout=30)
            assert socket_server.connections >= 1
            # Slack drops the connection: the link comes back by itself.
            before = socket_server.connections
            socket_server.drop_all()
            wait_for(lambda: socket_server.connections > before, timeout=40)
            wait_for(lambda: health(base).get("slack") is True, timeout=30)
            assert proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log_path.read_text()
    assert "socket mode connected" in text
    assert "Traceback" not in text


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
