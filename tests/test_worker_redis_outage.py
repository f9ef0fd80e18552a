"""A Redis outage that starts and ends mid-job: the worker process lives on (issue 11 #2).

RQ's work loop used to quit ("found an unhandled exception, quitting") when its work-horse
monitor lost Redis, leaving a machine with no worker. Here a real worker process runs against
a redis-server of the test's own (the machine's shared Redis is never stopped), which is
shut down while the job waits on a slow Slack, and started again on the same port and data.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from bot.config import Config
from bot.jobs.queue import ReportJob, enqueue_report
from tests.fakes.slack import FakeSlack
from tests.support import REDIS_SERVER, free_port
from tests.test_worker import parents, repo, wait_for, workers  # noqa: F401 - fixtures


class OwnRedis:
    """A redis-server on a free port with an append-only file, so a restart keeps the queue."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.data = data
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--dir", str(self.data),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, timeout=10)

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """SHUTDOWN (the append-only file is complete), then wait for the process to end."""
        with contextlib.suppress(redis.ConnectionError):  # it hangs up as it goes
            redis.Redis(port=self.port, socket_timeout=2).shutdown(nosave=False)
        assert self.proc is not None
        self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=10)


@pytest.mark.timeout(120)
def test_the_worker_survives_a_redis_outage_mid_job_and_finishes_it(
    cfg: Config,
    own_redis: OwnRedis,
    slack: FakeSlack,
    repo: Path,  # noqa: F811
    workers,  # noqa: F811
) -> None:
    config = replace(cfg, redis_url=own_redis.url)
    # The placeholder's first progress update takes 3 s: Redis goes away meanwhile.
    slack.faults.inject(delay=3.0, path="chat.update", times=1)
    worker = workers(config)
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", requester="U1", git_path=str(repo))
    enqueue_report(config, job, retry_intervals=(1, 1, 1))
    wait_for(lambda: slack.calls_to("chat.update"), timeout=30)  # the slow call has begun
    own_redis.stop()
    time.sleep(4.0)  # the slow call answers while Redis is down; the job's next write fails
    assert worker.poll() is None, "the worker process ended with Redis"
    own_redis.start()
    wait_for(lambda: any("Diff Insight Report" in m.text for m in parents(slack, "C1")), timeout=60)
    assert worker.poll() is None
    assert len(parents(slack, "C1")) == 1  # resumed its placeholder, no second report
    assert not [m for m in slack.messages("C1") if m.ephemeral]  # nothing told: it worked
    os.kill(worker.pid, signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
