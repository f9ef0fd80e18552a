"""What the Slack messages say: counts in the singular, who or what started a report, a cut
summary that says where the rest is."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot import messages
from bot.config import Config
from bot.jobs.queue import ReportJob
from bot.jobs.run import run_report_job, target_of, trigger_of
from bot.render.slack.parent import SUMMARY_LIMIT, parent_message, progress_message
from bot.render.slack.thread import MAX_FILE_SECTIONS, thread_messages
from bot.slack.poster import SlackPoster
from tests.fakes.slack import FakeSlack
from tests.slackdata import make_report


def context_text(msg) -> str:  # noqa: ANN001 - a SlackMessage
    return msg.blocks[1]["elements"][0]["text"]


def test_one_file_is_one_file_not_one_files() -> None:
    one = parent_message(make_report(files=1))
    assert "· 1 file ·" in context_text(one) and "1 files" not in str(one.blocks)
    assert "· 3 files ·" in context_text(parent_message(make_report(files=3)))
    progress = progress_message("o/r", "a...b", 0, 1)
    assert "0 of 1 file done" in progress.text and "files" not in progress.text
    assert "2 of 5 files done" in progress_message("o/r", "a...b", 2, 5).text


def test_one_file_beyond_the_thread_limit_is_said_in_the_singular() -> None:
    report = make_report(files=MAX_FILE_SECTIONS + 1, words=1)
    last = thread_messages(report)[-1].blocks[-1]["elements"][0]["text"]
    assert last == messages.SLACK_MORE_FILES_ONE.format(n=1)
    assert last.startswith("1 more file is ")


def test_a_summary_cut_in_the_parent_says_it_continues_in_the_thread() -> None:
    long = " ".join(["sentence"] * (SUMMARY_LIMIT // 4))
    parent = parent_message(make_report(summary=long))
    text = parent.blocks[2]["text"]["text"]
    assert text.endswith(messages.SLACK_SUMMARY_CONTINUES) and "…" in text
    assert len(text) <= SUMMARY_LIMIT
    first_reply = thread_messages(make_report(summary=long))[0].blocks[0]["text"]["text"]
    assert first_reply.startswith("sentence sentence") and first_reply.count("sentence") > 10
    short = parent_message(make_report(summary="Short."))
    assert messages.SLACK_SUMMARY_CONTINUES not in str(short.blocks)


@pytest.mark.parametrize(
    ("origin", "source", "said"),
    [
        ("github:pull_request", "https://github.com/o/r/pull/42", "merged pull request #42"),
        ("github:subscription", "https://github.com/o/r/compare/a...b", "subscription"),
        ("github:push", "https://github.com/o/r/compare/a...b", messages.SLACK_TRIGGER_PUSH),
        ("github:other", "https://github.com/o/r/compare/a...b", "subscription"),
    ],
)
def test_a_webhook_report_says_what_started_it_not_the_subscriber(
    origin: str, source: str, said: str
) -> None:
    fields = {
        "channel": "C1",
        "requester": "U0SUBSCRIBER",
        "origin": origin,
        "source": source,
        "pull_number": 42 if "/pull/" in source else None,
    }
    target = target_of(fields)
    assert target.trigger == said == trigger_of(fields)
    context = context_text(
        parent_message(make_report(), requester=target.requester, trigger=target.trigger)
    )
    assert said in context and "U0SUBSCRIBER" not in context and "asked by" not in context


def test_a_push_report_names_the_branch_it_landed_on() -> None:
    fields = {
        "channel": "C1",
        "origin": "github:push",
        "source": "https://github.com/o/r/compare/a...b",
        "branch": "release/2.0",
    }
    assert trigger_of(fields) == "push to release/2.0"
    hostile = {**fields, "branch": "<!channel>"}
    context = context_text(parent_message(make_report(), trigger=trigger_of(hostile)))
    assert "push to &lt;!channel&gt;" in context


def test_a_slash_or_regenerate_report_still_says_who_asked() -> None:
    for origin in ("slash", "regenerate"):
        fields = {"channel": "C1", "requester": "U0ASKER", "origin": origin, "source": "x"}
        target = target_of(fields)
        assert target.trigger is None
        context = context_text(parent_message(make_report(), requester=target.requester))
        assert "asked by <@U0ASKER>" in context


def test_a_pushed_report_posted_by_the_worker_pings_no_subscriber(
    config: Config, make_repo, slack: FakeSlack
) -> None:
    cfg = replace(config, slack_bot_token=slack.token, slack_api_url=slack.api_url)
    repo, _ = make_repo([{"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}])
    job = ReportJob(
        source="HEAD~1...HEAD",
        channel="C1",
        requester="U0SUBSCRIBER",
        git_path=str(Path(repo)),
        origin="github:push",
        dedup_key="merge:o/r:abc:C1",
    )
    poster = SlackPoster(cfg, pace_seconds=0, progress_interval=0)
    run_report_job(cfg, job, "post-push", retries_left=0, poster=poster)
    [parent] = [m for m in slack.messages("C1") if not m.thread_ts]
    assert "U0SUBSCRIBER" not in str(parent.blocks) + parent.text
    assert messages.SLACK_TRIGGER_PUSH in str(parent.blocks)
    assert "· 1 file ·" in str(parent.blocks)


def test_a_blank_title_still_makes_a_header_slack_accepts() -> None:
    from tests.fakes.slack_limits import check_blocks

    msg = parent_message(make_report(subject="\n", title=" \t"))
    check_blocks(msg.blocks)  # an empty header text is invalid_blocks: no report at all
    assert msg.blocks[0]["text"]["text"] == messages.SLACK_UNTITLED
    titled = parent_message(make_report(subject=" Fix\nthe  parser "))
    assert titled.blocks[0]["text"]["text"] == "Fix the parser"
