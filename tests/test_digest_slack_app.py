"""``/diffinsight digest`` through the running app: a signed command, the ack, the queued check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from bot.config import Config
from bot.jobs.queue import get_queue
from bot.jobs.worker import run_worker
from bot.store.digests import digest_store
from tests.digest_history import History, make_history
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.support import command_body, post_signed, running_server
from tests.test_worker import wait_for

SECRET = "digest-signing-secret"


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[FakeGitHub]:
    history: History = make_history(tmp_path / "repo")
    with FakeGitHub(tokens=("tok",)) as fake:
        fake.add_repo("octo", "docs", history.root)
        fake.add_repo("octo", "secret", history.root, private=True)
        yield fake


@pytest.fixture
def app_cfg(cfg: Config, gh: FakeGitHub) -> Config:
    return replace(cfg, slack_signing_secret=SECRET, github_api_url=gh.api_url, github_token="tok")


def command(base: str, text: str, slack: FakeSlack) -> str:
    body = command_body(text, response_url=slack.response_url())
    answer = post_signed(base, body, SECRET)
    assert answer.status_code == 200
    return str(answer.json()["text"])


def test_a_signed_digest_command_acks_without_github_and_the_check_runs_in_a_job(
    app_cfg: Config, gh: FakeGitHub, slack: FakeSlack
) -> None:
    queue = get_queue(app_cfg)
    with running_server(app_cfg) as base:
        ack = command(base, f"digest <{gh.web_url}/octo/secret|octo/secret> weekly", slack)
        assert ack.startswith("This channel now gets a weekly digest of *octo/secret*")
        wait_for(lambda: queue.count == 1, timeout=10)  # queued right after the ack
        ok = command(base, "digest octo/docs daily docs/", slack)
        assert ok.startswith("This channel now gets a daily digest of *octo/docs*")
        wait_for(lambda: queue.count == 2, timeout=10)
        assert gh.requests == []  # nothing on the request path asked GitHub
        assert "2 digest(s)" in command(base, "digest list", slack)
    assert run_worker(app_cfg, burst=True) == 0
    store = digest_store(app_cfg)
    assert store.get("C0CHAN", "octo/secret") is None  # private, not allowed: removed
    assert store.get("C0CHAN", "octo/docs") is not None
    [told] = [m for m in slack.messages("C0CHAN") if m.ephemeral]
    assert told.user == "U0ASKER" and "DIFFINSIGHT_ALLOWED_REPOS" in told.text
    assert len(ScheduledJobRegistry(queue=queue).get_job_ids()) == 1  # the next tick
