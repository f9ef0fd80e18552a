"""Regenerate replaces a report's thread instead of adding a second one (and FakeSlack deletes)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.config import Config
from bot.jobs.queue import Origin, ReportJob
from bot.jobs.run import PostRecord, run_report_job
from bot.render.slack.thread import thread_messages
from bot.slack.poster import SlackPoster, SlackTarget
from bot.slack.thread_sync import MemoryJournal
from tests.fakes.slack import FakeSlack, Message
from tests.slackdata import make_report
from tests.support import top_level, unpaced_poster


def error_of(call) -> str:  # noqa: ANN001 - a zero-argument lambda
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_fake_chat_delete_and_files_delete_answer_like_slack(slack: FakeSlack) -> None:
    client = WebClient(token=slack.token, base_url=slack.api_url)
    ts = client.chat_postMessage(channel="C1", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=ts)["ts"]
    deleted = client.chat_delete(channel="C1", ts=reply)
    assert deleted["ok"] and deleted["ts"] == reply and deleted["channel"] == "C1"
    assert slack.thread("C1", ts) == []
    assert error_of(lambda: client.chat_delete(channel="C1", ts=reply)) == "message_not_found"
    slack._messages["C1"].append(Message("C1", "1.000009", "a person's words", None, user="U1"))
    assert error_of(lambda: client.chat_delete(channel="C1", ts="1.000009")) == (
        "cant_delete_message"
    )
    up = client.files_upload_v2(channel="C1", thread_ts=ts, content=b"x", filename="r.md")
    file_id = up["file"]["id"]
    assert [m.files for m in slack.thread("C1", ts)] == [[file_id]]
    assert client.files_delete(file=file_id)["ok"]
    assert slack.thread("C1", ts) == [] and slack.uploaded(file_id) is None
    assert error_of(lambda: client.files_delete(file=file_id)) == "file_deleted"
    assert error_of(lambda: client.files_delete(file="F404")) == "file_not_found"
    # A parent with replies is left as a tombstone: its thread stays readable.
    client.chat_postMessage(channel="C1", text="kept", thread_ts=ts)
    client.chat_delete(channel="C1", ts=ts)
    (tombstone,) = [m for m in top_level(slack) if m.ts == ts]
    assert tombstone.deleted and tombstone.text == "This message was deleted."
    assert [m.text for m in slack.thread("C1", ts)] == ["kept"]


def regenerate(p: SlackPoster, report, parent: str, thread: MemoryJournal, job=None):  # noqa: ANN001
    target = SlackTarget("C1", message_ts=parent)
    return p.post_report(
        report, target, parent_ts=parent, journal=job, threads=lambda c, ts: thread
    )


@pytest.mark.parametrize(("before", "after"), [(30, 2), (2, 30), (30, 30)])
def test_regenerate_rewrites_the_thread_in_place(
    slack: FakeSlack, cfg: Config, before: int, after: int
) -> None:
    p, thread = unpaced_poster(cfg), MemoryJournal()
    first = p.post_report(
        make_report(files=before, words=400), SlackTarget("C1"), threads=lambda c, ts: thread
    )
    old_file, old_replies = first.file_id, list(first.thread)
    posts = len(slack.calls_to("chat.postMessage"))
    new = make_report(files=after, words=400, insights="Fresh insight.")
    again = regenerate(p, new, first.ts, thread)
    assert again.ts == first.ts and [m.ts for m in top_level(slack)] == [first.ts]
    replies = slack.thread("C1", first.ts)
    expected = thread_messages(new)
    assert [m.text for m in replies[:-1]] == [m.text for m in expected]
    assert "Fresh insight." in str(replies[0].blocks)
    assert [m.files for m in replies if m.files] == [[again.file_id]] and replies[-1].files
    assert slack.uploaded(old_file) is None and again.file_id != old_file
    kept = min(len(old_replies), len(expected))
    assert again.thread[:kept] == old_replies[:kept]  # updated in place, same ts
    assert len(slack.calls_to("chat.postMessage")) - posts == max(0, len(expected) - kept)
    assert len(slack.calls_to("chat.delete")) == len(old_replies) - kept
    assert [c.args["file"] for c in slack.calls_to("files.delete")] == [old_file]


class CutUpdates(SlackPoster):
    """The real poster, whose connection drops on the third thread reply it updates."""

    left = 2

    def _update(self, channel, ts, msg):  # noqa: ANN001, ANN202
        if ts != self.parent and self.left is not None:
            if self.left == 0:
                self.left = None
                raise ConnectionError("connection reset by peer")
            self.left -= 1
        return super()._update(channel, ts, msg)


def test_a_retried_regenerate_never_double_posts(slack: FakeSlack, cfg: Config) -> None:
    thread = MemoryJournal()
    base = unpaced_poster(cfg)
    first = base.post_report(
        make_report(files=30, words=400), SlackTarget("C1"), threads=lambda c, ts: thread
    )
    cut = CutUpdates(cfg, pace_seconds=0, progress_interval=0)
    cut.parent = first.ts
    new = make_report(files=40, words=400, summary="Regenerated.")
    job = MemoryJournal()
    with pytest.raises(ConnectionError):
        regenerate(cut, new, first.ts, thread, job)
    again = regenerate(cut, new, first.ts, thread, job)
    replies = slack.thread("C1", first.ts)
    assert [m.text for m in replies[:-1]] == [m.text for m in thread_messages(new)]
    assert [m.ts for m in replies[:-1]] == again.thread
    assert sum(1 for m in replies if m.files) == 1
    assert [m.ts for m in top_level(slack)] == [first.ts]


def test_a_regenerate_job_finds_the_thread_an_earlier_job_posted(
    cfg: Config, make_repo, slack: FakeSlack
) -> None:
    files = [f"src/m{i:02d}.py" for i in range(40)]
    repo, _ = make_repo([{f: "x = 1\n" for f in files}, {f: "x = 2\ny = 3\n" for f in files}])
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(Path(repo)))
    run_report_job(cfg, job, "post-first", retries_left=0, poster=unpaced_poster(cfg))
    [parent] = top_level(slack)
    before = [m.ts for m in slack.thread("C1", parent.ts)]
    old_file = slack.thread("C1", parent.ts)[-1].files[0]
    posts = len(slack.calls_to("chat.postMessage"))
    regen = replace(job, regenerate=True, message_ts=parent.ts, origin=Origin.REGENERATE)
    run_report_job(cfg, regen, "post-regen", retries_left=0, poster=unpaced_poster(cfg))
    after = slack.thread("C1", parent.ts)
    assert [m.ts for m in top_level(slack)] == [parent.ts]
    assert [m.ts for m in after[:-1]] == before[:-1]
    assert len(after) == len(before) and sum(1 for m in after if m.files) == 1
    assert len(slack.calls_to("chat.postMessage")) == posts  # nothing posted anew
    (deleted,) = slack.calls_to("files.delete")
    assert deleted.args["file"] == old_file and slack.uploaded(old_file) is None
    record = PostRecord.thread(cfg, "C1", parent.ts)
    assert record.get("file") == after[-1].files[0] != old_file
    assert record.get("reply:0") == before[0]


class SlowThreadPoster(SlackPoster):
    """The real poster, taking its time over each thread reply (a long thread at 1/s)."""

    def _post(self, channel, msg, thread_ts=None):  # noqa: ANN001, ANN202
        if thread_ts:
            time.sleep(0.15)
        return super()._post(channel, msg, thread_ts)


def test_a_regenerate_clicked_while_the_thread_is_posted_waits_and_never_doubles(
    cfg: Config, make_repo, slack: FakeSlack
) -> None:
    files = [f"src/module_{i:03d}.py" for i in range(150)]
    repo, _ = make_repo([{f: "x = 1\n" for f in files}, {f: "x = 2\ny = 3\n" for f in files}])
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(Path(repo)))
    slow = SlowThreadPoster(cfg, pace_seconds=0, progress_interval=0)
    first = threading.Thread(
        target=run_report_job, args=(cfg, job, "post-a"), kwargs={"retries_left": 0, "poster": slow}
    )
    first.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the Regenerate button is up: the parent is the report
        parents = [m for m in top_level(slack) if m.blocks and m.blocks[0]["type"] == "header"]
        if parents and slack.thread("C1", parents[0].ts):
            break
        time.sleep(0.01)
    [parent] = parents
    regen = replace(job, regenerate=True, message_ts=parent.ts, origin=Origin.REGENERATE)
    run_report_job(
        cfg, regen, "post-b", retries_left=0, poster=SlowThreadPoster(cfg, pace_seconds=0)
    )
    first.join(30)
    replies = slack.thread("C1", parent.ts)
    assert [m.ts for m in top_level(slack)] == [parent.ts]
    assert sum(1 for m in replies if m.files) == 1
    texts = [m.text for m in replies if not m.files]
    assert len(texts) == len(set(texts)) > 3  # each part once: "(part n of total)"


def test_a_regenerate_click_on_a_parent_with_replies_is_not_taken_for_a_reply() -> None:
    from handlers.actions import regenerate_job

    def click(container: dict) -> ReportJob | None:
        return regenerate_job(
            {
                "actions": [{"value": '{"source":"o/r a...b"}', "action_ts": "1"}],
                "container": {"channel_id": "C1", "message_ts": "5.000001", **container},
                "user": {"id": "U1"},
                "trigger_id": "t.1",
            }
        )

    own = click({"thread_ts": "5.000001"})  # Slack's container for a thread's parent
    assert own is not None and own.thread_ts is None and own.message_ts == "5.000001"
    inside = click({"thread_ts": "4.000001"})  # a report posted inside someone's thread
    assert inside is not None and inside.thread_ts == "4.000001"


def test_a_failed_regenerate_keeps_the_report_and_tells_the_clicker(
    cfg: Config, make_repo, slack: FakeSlack
) -> None:
    """Issue 11 #7: a failed Regenerate replaced summary, highlights and buttons for everyone
    with a failure line."""
    import shutil

    repo, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nMore words.\n"}])
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(Path(repo)))
    run_report_job(cfg, job, "post-kept", retries_left=0, poster=unpaced_poster(cfg))
    [parent] = top_level(slack)
    shown = (parent.text, parent.blocks)
    shutil.rmtree(repo)  # the next build cannot read the change
    regen = replace(
        job, regenerate=True, message_ts=parent.ts, origin=Origin.REGENERATE, requester="U0CLICK"
    )
    assert run_report_job(
        cfg, regen, "post-regen-fails", retries_left=0, poster=unpaced_poster(cfg)
    ) == ("failed")
    [still] = top_level(slack)
    assert (still.text, still.blocks) == shown  # the old report, untouched
    told = [m.text for m in slack.messages("C1") if m.ephemeral and m.user == "U0CLICK"]
    assert told[0] == messages.SLACK_REGENERATING
    assert told[-1].startswith("I could not build the report")


def test_the_thread_lock_is_short_and_renewed_while_held(
    cfg: Config, make_repo, slack: FakeSlack, redis_client, monkeypatch
) -> None:
    """Issue 11 #3: the lock lived for the job timeout (30 min), so a worker that died while
    writing a thread left the recovered job (and every other) waiting behind a dead holder.
    Now it lives seconds and its holder renews it; a dead holder lets it lapse at once."""
    from bot.jobs import run
    from bot.store import keys

    monkeypatch.setattr(run, "THREAD_LOCK_SECONDS", 1.0)
    files = [f"src/m{i:03d}.py" for i in range(120)]
    repo, _ = make_repo([{f: "x = 1\n" for f in files}, {f: "x = 2\ny = 3\n" for f in files}])
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(Path(repo)))
    slow = SlowThreadPoster(cfg, pace_seconds=0, progress_interval=0)
    writer = threading.Thread(
        target=run_report_job,
        args=(cfg, job, "post-lock"),
        kwargs={"retries_left": 0, "poster": slow},
    )
    writer.start()
    samples: list[int] = []
    deadline = time.monotonic() + 30
    name = None
    while time.monotonic() < deadline and writer.is_alive():
        found = list(redis_client.scan_iter(match=keys.thread_lock(cfg.redis_prefix, "C1", "*")))
        if found:
            name = found[0]
            samples.append(redis_client.pttl(name))
        time.sleep(0.1)
    writer.join(30)
    held = [ms for ms in samples if ms > 0]
    assert held, samples
    renewed = any(b > a for a, b in zip(held, held[1:], strict=False))
    assert renewed, held
    assert max(held) <= 1000  # never longer than its own short life (it was 30 minutes)
    assert name is not None and not redis_client.exists(name)  # released at the end
