"""``serve`` and ``worker`` as an operator starts them: clear refusals, and a web process that
comes up even while Slack cannot be reached."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot import messages
from tests.support import COMMAND, ROOT, free_port

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


@pytest.fixture
def env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    clean.update(
        PYTHONPATH=str(ROOT), DIFFINSIGHT_DATA_DIR=str(tmp_path / "data"), REDIS_URL=redis_url
    )
    return clean


@pytest.mark.parametrize(
    ("command", "given", "named"),
    [
        ("serve", {}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        ("serve", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ("worker", {}, "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_slack_settings_exit_2_naming_them(env, command, given, named) -> None:
    done = subprocess.run(
        [*COMMAND, command], capture_output=True, text=True, env={**env, **given}, timeout=60
    )
    assert done.returncode == 2
    expected = messages.SETTINGS_MISSING.format(command=command, names=named)
    assert done.stderr.strip() == f"diffinsight: {expected}"
    assert "Traceback" not in done.stderr


def test_serve_comes_up_while_slack_is_unreachable(env, tmp_path: Path) -> None:
    port = free_port()
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",  # nothing listens there
    )
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*COMMAND, "serve", "--port", str(port)], env=env, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json() == {"ok": True, "redis": True}
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"x", timeout=5)
        assert unsigned.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
