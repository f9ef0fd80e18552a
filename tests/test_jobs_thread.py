"""A job retried after posting part of its thread posts each reply once (the post journal)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.jobs.queue import ReportJob
from bot.jobs.run import run_report_job
from bot.slack.poster import SlackPoster
from tests.fakes.slack import FakeSlack
from tests.support import top_level, unpaced_poster


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def report_job(repo: Path, channel: str = "C1", **kw: object) -> ReportJob:
    return ReportJob(source="HEAD~1...HEAD", channel=channel, git_path=str(repo), **kw)


class ThreadCutPoster(SlackPoster):
    """The real poster, whose connection drops after the parent and two thread replies."""

    cut_after = 2

    def _post(self, channel, msg, thread_ts=None):
        if thread_ts and self.cut_after is not None:
            if self.cut_after == 0:
                self.cut_after = None
                raise ConnectionError("connection reset by peer")
            self.cut_after -= 1
        return super()._post(channel, msg, thread_ts)


def test_a_retry_after_a_half_posted_thread_posts_each_reply_once(
    cfg: Config, make_repo, slack: FakeSlack
):
    files = [f"src/module_{i:03d}.py" for i in range(150)]
    repo, _ = make_repo(
        [{f: "x = 1\n" for f in files}, {f: "x = 2\ny = 3\n" for f in files}], name="big"
    )
    whole = report_job(repo, channel="C2", requester="U1")
    run_report_job(cfg, whole, "post-whole", retries_left=0, poster=unpaced_poster(cfg))
    [reference] = top_level(slack, "C2")
    expected = [m.text for m in slack.thread("C2", reference.ts)]
    assert len([m for m in expected if m]) > 3  # enough replies to be cut in the middle

    job = report_job(repo, requester="U1")
    cut = ThreadCutPoster(cfg, pace_seconds=0, progress_interval=0)
    with pytest.raises(ConnectionError):
        run_report_job(cfg, job, "post-cut", retries_left=2, poster=cut)
    [parent] = top_level(slack, "C1")
    assert len(slack.thread("C1", parent.ts)) == 2
    assert run_report_job(cfg, job, "post-cut", retries_left=1, poster=cut) != "failed"
    assert [m.ts for m in top_level(slack, "C1")] == [parent.ts]
    assert [m.text for m in slack.thread("C1", parent.ts)] == expected
    assert len(slack.calls_to("files.completeUploadExternal")) == 2  # one per job
