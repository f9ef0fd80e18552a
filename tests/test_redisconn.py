"""Reaching Redis: REDIS_URL, the shared embedded server, and a Redis that goes away and returns."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import redis
import redis.connection

from bot import messages
from bot.config import Config
from bot.jobs.queue import ReportJob, enqueue_report
from bot.request import ReportRequest
from bot.store.cache import cached_build, load_report_by_id, report_expired
from bot.store.connection import (
    HEALTH_TIMEOUT,
    SOCKET_TIMEOUT,
    RedisUnavailable,
    embedded_socket,
    get_redis,
    redis_ok,
    shutdown_embedded,
)
from bot.store.subscriptions import SubscriptionStore, subscribe
from bot.webhooks.events import sign
from tests.support import DATA, ROOT, ClosingListener, PrivateRedis, free_port, running_server

CHILD = """
import json, sys
from dataclasses import replace
from pathlib import Path
from bot.config import load_config
from bot.store.connection import get_redis

config = replace(load_config({}), redis_url=None, data_dir=Path(sys.argv[1]))
client = get_redis(config)
n = client.incr("di-embedded-test:n")  # the value INCR gave this child, not a later read
print(json.dumps({"pid": client.info("server")["process_id"], "n": int(n)}))
"""


def run_children(data_dir: Path, n: int) -> list[dict]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE
        )
        for _ in range(n)
    ]
    out = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return out


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "embedded"
    yield path
    shutdown_embedded(path)


def test_redis_url_clients_are_pooled_per_process(config: Config):
    client = get_redis(config)
    assert client.ping() and get_redis(config) is client
    assert redis_ok(config)


def test_embedded_redis_is_shared_by_processes_and_survives_a_restart(data_dir: Path):
    first = run_children(data_dir, 4)  # started concurrently: one server, not four
    assert len({r["pid"] for r in first}) == 1
    assert sorted(r["n"] for r in first) == [1, 2, 3, 4]
    assert (data_dir / "redis.pid").exists()
    assert shutdown_embedded(data_dir)
    [after] = run_children(data_dir, 1)
    assert after["n"] == 5  # the data came back with the new server
    assert after["pid"] != first[0]["pid"]


def test_a_stale_socket_file_is_replaced(data_dir: Path):
    data_dir.mkdir(parents=True)
    stale = embedded_socket(data_dir)
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(stale))  # a socket file nobody listens on, as a killed server leaves
    config = replace(Config(), redis_url=None, data_dir=data_dir)
    assert get_redis(config).ping()


def test_a_long_data_dir_gets_a_short_socket_path(tmp_path: Path):
    data_dir = tmp_path / ("x" * 120)
    sock = embedded_socket(data_dir)
    assert len(str(sock)) <= 100 and embedded_socket(data_dir) == sock
    config = replace(Config(), redis_url=None, data_dir=data_dir)
    try:
        assert get_redis(config).ping()
    finally:
        shutdown_embedded(data_dir)


@pytest.fixture
def socket_timeouts(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """Every timeout redis-py sets on a socket it opens (connect, then read/write)."""
    seen: list[float | None] = []

    class Recording(socket.socket):
        def settimeout(self, value: float | None) -> None:
            seen.append(value)
            super().settimeout(value)

    proxy = SimpleNamespace(**{**vars(socket), "socket": Recording})
    monkeypatch.setattr(redis.connection, "socket", proxy)
    return seen


def test_redis_ok_gives_up_after_a_few_short_attempts(config: Config, socket_timeouts):
    down = replace(config, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert redis_ok(down) is False  # nothing listens
    closing = ClosingListener()
    try:
        assert redis_ok(replace(config, redis_url=closing.url)) is False
    finally:
        closing.close()
    # Bounded: each attempt waits at most HEALTH_TIMEOUT, and the attempts are a fixed few
    # (the client's one retry, times redis-py's own on connecting), never a loop.
    assert socket_timeouts and all(t == HEALTH_TIMEOUT for t in socket_timeouts)
    assert 1 <= closing.accepted <= 4


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def repo(make_repo) -> Path:
    path, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nB.\n"}])
    return path


def cli(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DIFFINSIGHT_"))}
    return subprocess.run(
        [str(ROOT / ".venv/bin/diffinsight"), "report", "HEAD~1...HEAD", "--git", str(repo), *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_redis_that_goes_away_is_answered_fast_and_recovered_from(
    config: Config, private_redis: PrivateRedis, repo: Path, socket_timeouts
):
    cfg = replace(config, redis_url=private_redis.url)
    request = ReportRequest("HEAD~1...HEAD", git_path=str(repo))
    report_id = cached_build(request, cfg).report_id
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(repo))
    assert enqueue_report(cfg, job).duplicate is False

    private_redis.stop()
    socket_timeouts.clear()
    assert redis_ok(cfg) is False
    # The same address now drops every connection, so each call's attempts can be counted:
    # a few, each under the client's socket timeout, then RedisUnavailable; never a loop.
    closing = ClosingListener(private_redis.port)
    attempts = []
    try:
        for call in (
            lambda: enqueue_report(cfg, job),
            lambda: load_report_by_id(cfg, report_id),
            lambda: report_expired(cfg, report_id),
            lambda: cached_build(request, cfg),
        ):
            before = closing.accepted
            with pytest.raises(RedisUnavailable):
                call()
            attempts.append(closing.accepted - before)
    finally:
        closing.close()
    assert all(1 <= n <= 4 for n in attempts), attempts
    assert all(t is not None and t <= SOCKET_TIMEOUT for t in socket_timeouts), socket_timeouts

    # The command line still builds: one warning line, then the report.
    done = cli(repo, {"REDIS_URL": private_redis.url})
    assert done.returncode == 0, done.stderr
    assert "Diff Insight Report" in done.stdout
    [warning] = done.stderr.strip().splitlines()
    assert "warning" in warning and "without" in warning

    private_redis.start()  # the same clients recover by themselves
    assert redis_ok(cfg) is True
    assert enqueue_report(cfg, job).duplicate is False
    assert cached_build(request, cfg).report_id == report_id


def test_no_cache_starts_no_redis(repo: Path, tmp_path: Path):
    data_dir = tmp_path / "never"
    done = cli(repo, {"DIFFINSIGHT_DATA_DIR": str(data_dir)}, "--no-cache")
    assert done.returncode == 0 and done.stderr == ""
    assert not data_dir.exists()


def test_report_uses_the_embedded_cache_by_default(repo: Path, data_dir: Path):
    env = {"DIFFINSIGHT_DATA_DIR": str(data_dir)}
    first, second = cli(repo, env), cli(repo, env)
    assert first.returncode == 0 and second.stdout == first.stdout
    client = get_redis(replace(Config(), redis_url=None, data_dir=data_dir))
    assert len(list(client.scan_iter(match="diffinsight:report:*"))) == 1


def test_the_web_process_answers_while_redis_is_down_and_recovers_without_a_restart(
    config: Config, private_redis: PrivateRedis, socket_timeouts
):
    cfg = replace(
        config,
        redis_url=private_redis.url,
        github_webhook_secret="hook-secret",
        slack_bot_token="xoxb-unused",
        slack_signing_secret="unused",
    )
    store = SubscriptionStore(redis.Redis.from_url(private_redis.url), cfg.redis_prefix)
    subscribe(
        store, channel="C1", user="U1", repository="binkkatal/sample_app", branch=None, paths=()
    )
    body = (DATA / "github-webhooks/push.normal.go-playground-webhooks.push.json").read_bytes()

    def deliver(base: str) -> httpx.Response:
        headers = {
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign("hook-secret", body),
            "Content-Type": "application/json",
        }
        return httpx.post(f"{base}/github/webhook", content=body, headers=headers, timeout=10)

    with running_server(cfg) as base:
        assert httpx.get(f"{base}/healthz").json() == {"ok": True, "redis": True}
        private_redis.stop()
        socket_timeouts.clear()  # from here on: what the web process tries while Redis is away
        closing = ClosingListener(private_redis.port)  # a Redis dropping every connection
        try:
            assert httpx.get(f"{base}/healthz").json() == {"ok": True, "redis": False}
            down = deliver(base)  # within GitHub's 10 s delivery timeout (timeout=10)
        finally:
            closing.close()
        assert (down.status_code, down.json()["reason"]) == (503, messages.WEBHOOK_STORE_DOWN)
        # Each answer came after a few short attempts, not a retry loop.
        assert 1 <= closing.accepted <= 8, closing.accepted
        assert all(t is not None and t <= SOCKET_TIMEOUT for t in socket_timeouts)

        private_redis.start()  # an empty server: the subscription did not survive
        subscribe(
            store, channel="C1", user="U1", repository="binkkatal/sample_app", branch=None, paths=()
        )
        assert httpx.get(f"{base}/healthz").json() == {"ok": True, "redis": True}
        assert deliver(base).status_code == 202
