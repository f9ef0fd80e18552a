"""SlackPoster against FakeSlack: parent and thread, limits, pacing, rate limits, errors."""

from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers as retry_handlers
from slack_sdk.http_retry import handler as retry_handler

import bot.slack.poster
from bot.config import Config, load_config
from bot.render.markdown import render_markdown
from bot.render.slack.thread import thread_messages
from bot.slack.poster import SlackPoster, SlackTarget
from bot.slack.thread_sync import MemoryJournal
from tests.fakes.slack import FakeSlack
from tests.slackdata import EVIL, make_report


@pytest.fixture
def cfg(slack: FakeSlack) -> Config:
    return replace(load_config({}), slack_bot_token=slack.token, slack_api_url=slack.api_url)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep asked for by the SDK's retry handlers or the poster, recorded, not slept."""
    asked: list[float] = []
    clock = SimpleNamespace(monotonic=time.monotonic, time=time.time, sleep=asked.append)
    for module in (retry_handlers, retry_handler, bot.slack.poster):
        monkeypatch.setattr(module, "time", clock)
    return asked


def poster(cfg: Config, **kw: float) -> SlackPoster:
    return SlackPoster(cfg, pace_seconds=kw.get("pace", 0.0), progress_interval=kw.get("every", 0))


def test_placeholder_progress_then_report_in_place_with_thread(
    slack: FakeSlack, cfg: Config
) -> None:
    p = poster(cfg)
    target = SlackTarget("C1", requester="U0ASKER")
    ts = p.post_placeholder(target, "o/r main...dev")
    p.progress(target, ts, 2, 5)
    assert "2 of 5 files" in slack.messages("C1")[0].blocks[0]["text"]["text"]
    report = make_report(files=30, words=400)
    result = p.post_report(report, target, parent_ts=ts, report_url="https://x.test/reports/1")
    assert result.posted and result.ts == ts
    top = [m for m in slack.messages("C1") if m.thread_ts is None]
    assert len(top) == 1 and top[0].blocks[0]["type"] == "header"
    thread = slack.thread("C1", ts)
    assert len(thread) == len(result.thread) + 1 > 3
    assert thread[-1].files == [result.file_id]
    assert slack.uploaded(result.file_id) == render_markdown(report).encode()
    for call in slack.calls_to("chat.postMessage"):
        assert call.status == 200 and call.response["ok"], call.response
        assert call.args["unfurl_links"] in (False, "0", "false")
        assert call.headers.get("Authorization") == f"Bearer {slack.token}"
    assert "&lt;!channel&gt;" in str(top[0].blocks) and EVIL not in str(top[0].blocks)


def test_progress_is_throttled(slack: FakeSlack, cfg: Config) -> None:
    p = poster(cfg, every=30)
    target = SlackTarget("C1")
    ts = p.post_placeholder(target, "o/r a...b")
    for done in range(10):
        p.progress(target, ts, done, 10)
    assert slack.calls_to("chat.update") == []


def test_regenerate_updates_the_existing_message(slack: FakeSlack, cfg: Config) -> None:
    p = poster(cfg)
    first = p.post_report(make_report(), SlackTarget("C1"))
    again = SlackTarget("C1", message_ts=first.ts)
    ts = p.post_placeholder(again, "o/r a...b")
    result = p.post_report(make_report(summary="New summary"), again, parent_ts=ts)
    assert ts == first.ts == result.ts
    top = [m for m in slack.messages("C1") if m.thread_ts is None]
    assert len(top) == 1 and top[0].edits == 2 and "New summary" in str(top[0].blocks)


def test_a_deleted_placeholder_gets_a_new_parent(slack: FakeSlack, cfg: Config) -> None:
    result = poster(cfg).post_report(make_report(), SlackTarget("C1"), parent_ts="1.000001")
    assert result.posted and result.ts != "1.000001"
    (update,) = slack.calls_to("chat.update")
    assert update.response["error"] == "message_not_found"
    assert [m.ts for m in slack.messages("C1") if m.thread_ts is None] == [result.ts]


def test_ratelimited_is_retried_after_retry_after(
    slack: FakeSlack, cfg: Config, waits: list[float]
) -> None:
    p = poster(cfg)
    slack.ratelimit_next(1, retry_after=1, method="chat.postMessage")
    p.post_report(make_report(files=1), SlackTarget("C1"))
    posts = slack.calls_to("chat.postMessage")
    assert posts[0].status == 429 and posts[0].response["error"] == "ratelimited"
    assert posts[1].status == 200
    # One wait, for the Retry-After of 1 s (the SDK adds up to a second of jitter).
    assert len(waits) == 1 and 1.0 <= waits[0] < 2.0


def test_thread_posts_are_paced_to_the_channel_rate(slack: FakeSlack, cfg: Config) -> None:
    slack.channel_rate = 10
    p = poster(cfg, pace=0.11)
    result = p.post_report(make_report(files=40, words=500), SlackTarget("C1"))
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) > 8 and result.posted
    assert all(c.status == 200 for c in posts)


def test_without_pacing_the_fake_rate_limits(slack: FakeSlack, cfg: Config) -> None:
    slack.channel_rate = 2
    client = WebClient(token=slack.token, base_url=slack.api_url)  # no retry handler
    client.chat_postMessage(channel="C1", text="x")
    client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert raised.value.response["error"] == "ratelimited"


def test_not_in_channel_is_told_through_the_response_url(slack: FakeSlack, cfg: Config) -> None:
    slack.not_in_channel.add("C2")
    url = slack.response_url()
    target = SlackTarget("C2", requester="U0ASKER", response_url=url)
    result = poster(cfg).post_report(make_report(), target)
    assert result.error == "not_in_channel" and not result.posted
    (reply,) = slack.responses(url)
    assert "/invite @diffinsight" in reply["text"] and reply["response_type"] == "ephemeral"
    assert slack.messages("C2") == []


def test_post_error_is_ephemeral_to_the_requester(slack: FakeSlack, cfg: Config) -> None:
    poster(cfg).post_error(SlackTarget("C1", requester="U0ASKER"), "Repository <!here> not found")
    (msg,) = slack.messages("C1")
    assert msg.ephemeral and msg.user == "U0ASKER"
    assert msg.text == "Repository &lt;!here&gt; not found"


def test_truncation_warning_like_slack(slack: FakeSlack, cfg: Config) -> None:
    resp = poster(cfg).client.chat_postMessage(channel="C1", text="y" * 40_500)
    assert resp["response_metadata"]["warnings"] == ["message_truncated"]
    assert len(slack.messages("C1")[0].text) == 40_000


def test_bad_token_is_refused(slack: FakeSlack, cfg: Config) -> None:
    bad = poster(replace(cfg, slack_bot_token="xoxb-wrong"))
    result = bad.post_report(make_report(), SlackTarget("C1"))
    assert result.error == "invalid_auth" and slack.messages("C1") == []


def test_unfurl(slack: FakeSlack, cfg: Config) -> None:
    p = poster(cfg)
    ts = p.client.chat_postMessage(channel="C1", text="see <https://di.test/reports/1>")["ts"]
    p.unfurl("C1", ts, {"https://di.test/reports/1": {"blocks": [{"type": "divider"}]}})
    with pytest.raises(SlackApiError) as raised:  # a link the message does not hold
        p.unfurl("C1", ts, {"https://di.test/reports/2": {"blocks": [{"type": "divider"}]}})
    assert raised.value.response["error"] == "cannot_unfurl_message"
    ok, refused = slack.calls_to("chat.unfurl")
    assert ok.response == {"ok": True} and refused.response["ok"] is False


def test_a_retried_post_does_not_repeat_thread_replies_or_the_upload(
    slack: FakeSlack, cfg: Config
) -> None:
    job, thread = MemoryJournal(), MemoryJournal()
    p = poster(cfg)
    report = make_report(files=30, words=400)
    first = p.post_report(report, SlackTarget("C1"), journal=job, threads=lambda c, ts: thread)
    replies = len(slack.thread("C1", first.ts))
    assert replies > 3 and len(set(job.fields) - {"parent"}) == replies  # replies, file
    # Killed after two replies: the retry posts the rest only, and the file once.
    kept = {"reply:0", "reply:1"}
    for record in (job, thread):
        for key in set(record.fields) - kept:
            record.delete(key)
    again = p.post_report(
        report, SlackTarget("C1"), parent_ts=first.ts, journal=job, threads=lambda c, ts: thread
    )
    assert again.ts == first.ts and set(job.fields) >= kept
    thread_now = slack.thread("C1", first.ts)
    assert len(thread_now) == 2 * replies - 2
    assert sum(1 for m in thread_now if m.files) == 2  # the upload was not recorded: redone
    assert again.thread[:2] == first.thread[:2]
    assert [c.args["ts"] for c in slack.calls_to("chat.update")] == [first.ts]  # parent only


def test_a_ratelimited_progress_update_is_skipped_not_waited_for(
    slack: FakeSlack, cfg: Config, waits: list[float]
) -> None:
    p = poster(cfg)
    target = SlackTarget("C1")
    ts = p.post_placeholder(target, "o/r a...b")
    slack.ratelimit_next(1, retry_after=30, method="chat.update")
    p.progress(target, ts, 1, 10)
    p.progress(target, ts, 2, 10)  # held back by Retry-After, so not even tried
    assert waits == []  # the 30 s Retry-After was not slept, by the SDK or the poster
    assert [c.status for c in slack.calls_to("chat.update")] == [429]


def test_a_transient_slack_error_mid_thread_is_raised_for_a_retry_that_resumes(
    slack: FakeSlack, cfg: Config
) -> None:
    journal: dict[str, str] = {}

    class Journal:
        def get(self, field: str) -> str | None:
            return journal.get(field)

        def set(self, field: str, value: str) -> None:
            journal[field] = value

    p = poster(cfg)
    report = make_report(files=30, words=400)
    target = SlackTarget("C1", requester="U0ASKER")
    ts = p.post_placeholder(target, "o/r a...b")
    slack.fail_next("chat.postMessage", "internal_error")  # the first thread reply
    with pytest.raises(SlackApiError):
        p.post_report(report, target, parent_ts=ts, journal=Journal())
    assert not [m for m in slack.messages("C1") if m.ephemeral], "nothing told yet: retried"
    result = p.post_report(report, target, parent_ts=ts, journal=Journal())
    assert result.posted and result.ts == ts
    assert len(slack.thread("C1", ts)) == len(thread_messages(report)) + 1
    # Without a journal (nothing to resume from) the error is told at once, as before.
    slack.fail_next("chat.postMessage", "internal_error")
    assert p.post_report(report, SlackTarget("C2", requester="U1")).error == "internal_error"
