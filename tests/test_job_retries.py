"""RQ's own retries of a report job, run by a real worker: each attempt, then one telling."""

from __future__ import annotations

from pathlib import Path

import pytest
from rq.job import Job, JobStatus

from bot.jobs.queue import ReportJob, enqueue_report
from bot.jobs.worker import run_worker


@pytest.fixture
def repo(make_repo) -> Path:
    path, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nMore.\n"}])
    return path


def job(repo: Path) -> ReportJob:
    return ReportJob(source="HEAD~1...HEAD", channel="C1", requester="U1", git_path=str(repo))


def test_a_job_failing_every_attempt_is_retried_then_told_once(cfg, repo, slack, redis_client):
    for _ in range(4):  # Slack fails the first attempt and each of the three retries
        slack.fail_next("chat.postMessage", "internal_error")
    job_id = enqueue_report(cfg, job(repo), retry_intervals=(0, 0, 0)).job_id
    assert run_worker(cfg, burst=True) == 0
    assert len(slack.calls_to("chat.postMessage")) == 4
    told = [m for m in slack.messages("C1") if m.ephemeral]
    assert len(told) == 1 and told[0].user == "U1" and "internal_error" in told[0].text
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FAILED


def test_a_job_that_recovers_on_a_retry_posts_once_and_tells_nothing(
    cfg, repo, slack, redis_client
):
    for _ in range(2):
        slack.fail_next("chat.postMessage", "internal_error")
    job_id = enqueue_report(cfg, job(repo), retry_intervals=(0, 0, 0)).job_id
    assert run_worker(cfg, burst=True) == 0
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FINISHED
    parents = [m for m in slack.messages("C1") if not m.thread_ts and not m.ephemeral]
    assert len(parents) == 1 and "Diff Insight Report" in parents[0].text
    assert not [m for m in slack.messages("C1") if m.ephemeral]


def test_a_truncated_slack_answer_is_retried_and_the_report_posts_once(
    cfg, repo, slack, redis_client
):
    """Issue 11 #9: one cut-short body from Slack failed the job on the first try."""
    slack.faults.inject(truncate=True, path="chat.update", times=1)
    job_id = enqueue_report(cfg, job(repo), retry_intervals=(0, 0, 0)).job_id
    assert run_worker(cfg, burst=True) == 0
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FINISHED
    parents = [m for m in slack.messages("C1") if not m.thread_ts and not m.ephemeral]
    assert len(parents) == 1 and "Diff Insight Report" in parents[0].text
    assert not [m for m in slack.messages("C1") if m.ephemeral]


def test_slack_5xx_mid_thread_is_retried_not_reported_as_refused(cfg, repo, slack, redis_client):
    slack.faults.inject(status=502, path="chat.postMessage", times=2)
    job_id = enqueue_report(cfg, job(repo), retry_intervals=(0, 0, 0)).job_id
    assert run_worker(cfg, burst=True) == 0
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FINISHED
    assert not [m for m in slack.messages("C1") if m.ephemeral]


def test_an_error_no_retry_helps_is_told_without_claiming_attempts(cfg, repo, slack, monkeypatch):
    from bot.jobs import run
    from bot.messages import JOB_FAILED_UNEXPECTEDLY

    assert run.failure_message("x", KeyError("k"), retried=False) == (
        JOB_FAILED_UNEXPECTEDLY.format(source="x", reason="KeyError")
    )
    assert "several attempts" not in run.failure_message("x", KeyError("k"), retried=False)


def test_the_worker_logs_job_ids_never_their_arguments(cfg, repo, slack, caplog):
    """Issue 11 #18: RQ logged each job's kwargs, a Slack response_url among them."""
    import logging
    from dataclasses import replace

    caplog.set_level(logging.DEBUG)
    secret_url = "https://hooks.slack.com/commands/T0/1234/s3cr3tR3sp0ns3"
    queued = replace(job(repo), response_url=secret_url)
    job_id = enqueue_report(cfg, queued, retry_intervals=()).job_id
    assert run_worker(cfg, burst=True) == 0
    logged = "\n".join(r.getMessage() + repr(getattr(r, "__dict__", {})) for r in caplog.records)
    assert job_id in logged
    assert "s3cr3tR3sp0ns3" not in logged
