"""Real worker processes running queued report jobs end to end against FakeSlack."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rq import Worker
from rq.job import Job, JobStatus

from bot import messages
from bot.config import Config
from bot.jobs.queue import ReportJob, enqueue, enqueue_report, get_queue
from bot.request import ReportRequest
from bot.store.cache import build_lock_key, request_key
from bot.store.connection import shutdown_embedded
from tests.fakes.slack import FakeSlack
from tests.support import ROOT, PrivateRedis

FAST_RETRIES = (0, 0, 0)

# A worker process with test-sized timings: a 1 s job lease and maintenance every 2 s.
# Slack pacing is off so twenty jobs take seconds, not minutes (FakeSlack has no rate by default).
WORKER = """
import functools, json, sys
from dataclasses import replace
from pathlib import Path
import bot.jobs.run
from bot.config import load_config
from bot.slack.poster import SlackPoster
from bot.jobs.worker import run_worker

opts = json.loads(sys.argv[1])
bot.jobs.run.SlackPoster = functools.partial(SlackPoster, pace_seconds=0, progress_interval=0)
config = replace(load_config({}), **opts["config"], data_dir=Path(opts["data_dir"]))
sys.exit(run_worker(config, burst=opts["burst"], lease_seconds=1.0, maintenance_interval=1,
                    worker_ttl=17))
"""


@pytest.fixture
def repo(make_repo) -> Path:
    path, _ = make_repo(
        [{"README.md": "# Demo\n", "app.py": "x = 1\n"}, {"README.md": "# Demo\n\nMore.\n"}]
    )
    return path


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start worker processes, each in its own process group; kill what is left at the end."""
    started: list[subprocess.Popen] = []

    def start(cfg: Config, *, burst: bool = False) -> subprocess.Popen:
        fields = ("redis_url", "redis_prefix", "queue_name", "slack_bot_token", "slack_api_url")
        opts = {
            "config": {f: getattr(cfg, f) for f in fields},
            "data_dir": str(cfg.data_dir),
            "burst": burst,
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(opts)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            kill_tree(proc)


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (RQ puts its work horse in a process group of its own)."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [d for kid in map(int, kids) for d in (kid, *descendants(kid))]


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started, as a machine dying would."""
    for pid in [proc.pid, *descendants(proc.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def finished(cfg: Config, job_ids: list[str], client) -> bool:
    return all(Job.fetch(j, connection=client).get_status() == JobStatus.FINISHED for j in job_ids)


def parents(slack: FakeSlack, channel: str) -> list:
    return [m for m in slack.messages(channel) if not m.thread_ts and not m.ephemeral]


def top_level_posts(slack: FakeSlack) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]


def job(repo: Path, channel: str) -> ReportJob:
    return ReportJob(source="HEAD~1...HEAD", channel=channel, requester="U1", git_path=str(repo))


def test_a_burst_worker_runs_queued_jobs_end_to_end(cfg, repo, slack, workers, redis_client):
    ids = [
        enqueue_report(cfg, job(repo, ch), retry_intervals=FAST_RETRIES).job_id
        for ch in ("C1", "C2")
    ]
    proc = workers(cfg, burst=True)
    assert proc.wait(timeout=60) == 0
    assert finished(cfg, ids, redis_client)
    for channel in ("C1", "C2"):
        [parent] = parents(slack, channel)
        assert "Diff Insight Report" in parent.text and parent.edits >= 1
    assert len(top_level_posts(slack)) == 2


def test_a_job_queued_by_the_previous_release_still_runs(cfg, repo, slack, workers, redis_client):
    """Regression: RQ stores a job's function path; the layout move must not strand old jobs.

    The previous release queued ``bot.jobs.build_and_post`` with a ``title`` field that this
    release no longer has.
    """
    fields = {**job(repo, "C3").fields(), "title": None, "post_key": "old-release-job"}
    old = enqueue(cfg, "bot.jobs.build_and_post", fields, retry_intervals=FAST_RETRIES)
    proc = workers(cfg, burst=True)
    assert proc.wait(timeout=60) == 0
    assert finished(cfg, [old.job_id], redis_client)
    [parent] = parents(slack, "C3")
    assert "Diff Insight Report" in parent.text


def test_a_worker_killed_mid_job_is_replaced_and_the_report_posted_once(
    cfg, repo, slack, workers, redis_client
):
    # Hold the report's build lock, so the first worker's job waits mid-build.
    key = request_key(ReportRequest("HEAD~1...HEAD", git_path=str(repo)), cfg)
    lock = build_lock_key(cfg, key)
    redis_client.set(lock, "someone-else", px=60_000)
    job_id = enqueue_report(cfg, job(repo, "C1"), retry_intervals=FAST_RETRIES).job_id
    first = workers(cfg)
    wait_for(lambda: len(parents(slack, "C1")) == 1)  # its placeholder is up
    kill_tree(first)
    redis_client.delete(lock)

    workers(cfg)
    wait_for(lambda: finished(cfg, [job_id], redis_client))
    done = Job.fetch(job_id, connection=redis_client)
    assert done.retries_left == 2  # one retry, after the lapsed lease
    [parent] = parents(slack, "C1")
    assert "Diff Insight Report" in parent.text
    assert len(top_level_posts(slack)) == 1  # the placeholder was reused, not posted again
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


def test_a_lost_job_without_retries_left_is_told_to_the_requester(
    cfg, repo, slack, workers, redis_client
):
    key = request_key(ReportRequest("HEAD~1...HEAD", git_path=str(repo)), cfg)
    redis_client.set(build_lock_key(cfg, key), "someone-else", px=60_000)
    job_id = enqueue_report(cfg, job(repo, "C1"), retry_intervals=()).job_id
    first = workers(cfg)
    wait_for(lambda: len(parents(slack, "C1")) == 1)
    kill_tree(first)

    workers(cfg)
    wait_for(lambda: any(m.ephemeral for m in slack.messages("C1")))
    [told] = [m for m in slack.messages("C1") if m.ephemeral]
    assert told.user == "U1" and messages.WORKER_LOST in told.text
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FAILED


def test_two_workers_share_one_queue_and_post_each_job_once(
    cfg, repo, slack, workers, redis_client
):
    for _ in range(2):
        workers(cfg)
    queue = get_queue(cfg)
    wait_for(lambda: len(Worker.all(queue=queue)) == 2)
    channels = [f"C{i:02d}" for i in range(20)]
    ids = [
        enqueue_report(cfg, job(repo, ch), retry_intervals=FAST_RETRIES).job_id for ch in channels
    ]
    wait_for(lambda: finished(cfg, ids, redis_client), timeout=90)
    for channel in channels:
        assert len(parents(slack, channel)) == 1
    assert len(top_level_posts(slack)) == 20
    assert len(slack.calls_to("files.completeUploadExternal")) == 20
    names = {Job.fetch(j, connection=redis_client).worker_name for j in ids}
    assert len(names) == 2


def test_the_diffinsight_worker_command_on_the_embedded_redis(config, repo, slack, tmp_path):
    data_dir = tmp_path / "embedded"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DIFFINSIGHT_"))}
    env.update(
        DIFFINSIGHT_DATA_DIR=str(data_dir),
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=slack.token,
    )
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/diffinsight"), "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    embedded = replace(
        config,
        redis_url=None,
        data_dir=data_dir,
        redis_prefix="diffinsight:",
        queue_name="diffinsight",
    )
    try:
        job_id = enqueue_report(embedded, job(repo, "C1")).job_id
        from bot.store.connection import get_redis

        client = get_redis(embedded)
        wait_for(lambda: finished(embedded, [job_id], client), timeout=60)
        [parent] = parents(slack, "C1")
        assert "Diff Insight Report" in parent.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            kill_tree(proc)
        shutdown_embedded(data_dir)


def test_the_worker_preloads_what_jobs_import_so_forks_do_not_pay_for_it():
    import subprocess
    import sys

    code = (
        "import sys; from bot.jobs.worker import preload_job_modules; preload_job_modules(); "
        "print(','.join(m for m in ('github', 'openai', 'slack_sdk', 'bot.jobs.run') "
        "if m not in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_a_running_worker_rides_out_a_redis_outage(config, repo, slack, workers, tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        cfg = replace(
            config, redis_url=server.url, slack_bot_token=slack.token, slack_api_url=slack.api_url
        )
        proc = workers(cfg)
        queue = get_queue(cfg)
        wait_for(lambda: len(Worker.all(queue=queue)) == 1)
        server.stop()
        time.sleep(1.5)  # the worker's blocking read fails; it must retry, not exit
        assert proc.poll() is None
        server.start()  # an empty server: nothing of the worker's survived but the process
        job_id = enqueue_report(cfg, job(repo, "C1")).job_id
        wait_for(lambda: finished(cfg, [job_id], queue.connection))
        [parent] = parents(slack, "C1")
        assert "Diff Insight Report" in parent.text
    finally:
        server.stop()
