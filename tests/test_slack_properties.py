"""Properties of everything diffinsight sends to Slack, over generated reports.

1. Hostile repository or LLM text anywhere in a report pings no one and links nowhere: the
   whole Slack output (parent, progress, thread, uploaded file's title, unfurl, ephemeral
   errors, the slash command's answer) goes through FakeSlack, which records what Slack would
   parse (tests.fakes.slack_parse).
2. Any report size, 0..400 files with long texts, gives messages Slack accepts, cut only
   between words and spans, and nothing is dropped without saying so.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.diff import RefInfo
from bot.messages import SLACK_MORE_FILES, SLACK_MORE_FILES_ONE, SLACK_SUMMARY_CONTINUES
from bot.render.slack.mrkdwn import escape_mrkdwn, mrkdwn_from_markdown
from bot.render.slack.parent import ITEM_LIMIT, SUMMARY_LIMIT, parent_message, progress_message
from bot.render.slack.thread import MAX_FILE_SECTIONS, thread_messages
from bot.render.slack.unfurl import unfurl_for
from bot.report import FileReport, Highlights, Report
from bot.slack.poster import SlackPoster, SlackTarget
from handlers.slash import answer_command
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_limits import MAX_MESSAGE_TEXT, check_blocks
from tests.fakes.slack_parse import parse_message, parse_text

ASKER = "U0ASKER"
PAGE = "https://di.example/reports/abcdefgh12345678"
OURS = ("https://github.com/", "https://di.example/reports/")
FRAGMENTS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "@here",
    "@channel",
    "@everyone",
    "<@U123>",
    "<@U123|boss>",
    "<#C999>",
    "<http://evil.example|docs>",
    "<https://github.com/o/r|fake>",
    "http://evil.example/x",
    "www.evil.example",
    "&",
    "&lt;",
    "<",
    ">",
    "|",
    "**bold**",
    "*",
    "_",
    "~",
    "`",
    "```",
    "[docs](http://evil.example)",
    "\n",
    " ",
]
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=12).map(
    "".join
)


def _hostile_report(t: list[str]) -> Report:
    files = [
        FileReport(
            filename=f"src/{t[i]}.py",
            status="modified",
            modification_type=t[i + 1] or "minor update",
            modification_title=t[i + 2],
            additions=1,
            deletions=1,
            explanation=t[i + 3],
            previous_filename=t[i + 4] or None,
        )
        for i in (0, 5)
    ]
    return Report(
        title=t[10] or "title",
        date="2025-06-12",
        permalink="https://github.com/o/r/compare/main...dev",
        summary=t[11],
        language="en_US",
        repository=f"o/{t[12]}",
        base=RefInfo(t[13], "a" * 40),
        head=RefInfo(t[14], t[15] or "b" * 40),
        highlights=Highlights([t[16]], [t[17], t[18]], [t[19]]),
        insights=t[20],
        files=files,
        notes=[t[21]],
        web_url="https://github.com/o/r",
        subject=t[22] or None,
    )


def _assert_harmless(parsed, where: str) -> None:  # type: ignore[no-untyped-def]
    assert set(parsed.pings) <= {f"@{ASKER}"}, (where, parsed.pings)
    for link in parsed.links:
        assert link.startswith(OURS) and "evil" not in link, (where, link)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(hostile, min_size=23, max_size=23))
def test_hostile_text_anywhere_pings_no_one_and_links_nowhere(texts: list[str]) -> None:
    report = _hostile_report(texts)
    with FakeSlack() as slack:
        config = replace(load_config({}), slack_bot_token=slack.token, slack_api_url=slack.api_url)
        poster = SlackPoster(config, pace_seconds=0, progress_interval=0)
        target = SlackTarget("C1", requester=ASKER)
        ts = poster.post_placeholder(target, f"o/{texts[0]} {texts[1]}")
        poster.progress(target, ts, 1, 2)
        result = poster.post_report(report, target, parent_ts=ts, report_url=PAGE, source="x")
        poster.post_error(target, "Error: " + texts[2])
        pasted = "https://github.com/o/r/pull/1"
        user_ts = poster.client.chat_postMessage(channel="C9", text=f"<{pasted}>")["ts"]
        poster.unfurl("C9", user_ts, {pasted: unfurl_for(report, PAGE)})
        assert result.posted, result.error
        for call in slack.calls:
            assert call.status == 200 and call.response.get("ok", True), call.response
        messages = slack.messages("C1")
        assert len(messages) >= 3 and any(m.files for m in messages)
        for msg in messages:
            _assert_harmless(msg.parsed, msg.text[:80])
        assert len(slack.unfurled) == 1
        for url, _, parsed in slack.unfurled:
            _assert_harmless(parsed, url)
    body = {"text": texts[3], "channel_id": "C1", "user_id": ASKER}
    _assert_harmless(parse_text(answer_command(load_config({}), body), automatic=False), "ack")


def test_the_fake_sees_what_slack_would_ping() -> None:
    """The checker above can fail: unescaped or non-verbatim text is caught."""
    assert parse_text("<!here> hi", automatic=False).pings == ["@here"]
    assert parse_text("@channel hi", automatic=True).pings == ["@channel"]
    assert parse_text("@channel hi", automatic=False).pings == []
    assert parse_text("see http://evil.example", automatic=True).links == ["http://evil.example"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "@here"}}
    assert parse_message("", [section]).pings == ["@here"]
    section["text"]["verbatim"] = True
    assert parse_message("", [section]).pings == []
    assert (
        parse_message(
            "", [{"type": "section", "text": {"type": "mrkdwn", "text": "&lt;!here&gt;"}}]
        ).pings
        == []
    )


# --- sizes -----------------------------------------------------------------------------------

WORDS = ["word", "change", "*bold words*", "`code span`", "&", "<tag>", "x" * 60, "résumé", "—"]
# No "_" in the words: italics are our own (the modification type), so counts stay checkable.


def _text(rng: random.Random, max_words: int) -> str:
    n = rng.randint(0, max_words)
    seps = [" ", " ", " ", "\n", "\n\n"]
    return "".join(rng.choice(WORDS) + rng.choice(seps) for _ in range(n)).strip()


def _sized_report(data: st.DataObject) -> Report:
    """Hypothesis picks the sizes (and a seed); the words come from the seeded generator."""
    n_files = data.draw(st.sampled_from([0, 1, 7, 60, 299, 300, 301, 400]), label="files")
    long_words = data.draw(st.sampled_from([10, 400]), label="words per file")
    counts = data.draw(st.lists(st.integers(0, 60), min_size=3, max_size=3), label="highlights")
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    shared = _text(rng, long_words)
    files = [
        FileReport(
            filename=f"pkg/mod{i}/file{i}.py",
            status="modified",
            modification_type="minor update",
            modification_title=f"Title {i} " + shared[:200].replace("*", "").replace("`", ""),
            additions=i,
            deletions=1,
            explanation=f"File {i}. {shared}",
        )
        for i in range(n_files)
    ]
    lists = [[f"Item {k}. " + _text(rng, rng.choice([5, 300])) for k in range(n)] for n in counts]
    return Report(
        title="[en_US] Diff Insight Report - " + _text(rng, 80).replace("\n", " "),
        date="2025-06-12",
        permalink="https://github.com/o/r/compare/main...dev",
        summary=_text(rng, rng.choice([30, 1200])),
        language="en_US",
        repository="o/r",
        base=RefInfo("main", "a" * 40),
        head=RefInfo("dev", "b" * 40),
        highlights=Highlights(*lists),
        insights=_text(rng, 3000),
        files=files,
        notes=[_text(rng, 200) for _ in range(rng.randint(0, 6))],
        web_url="https://github.com/o/r",
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _section_texts(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if b["type"] == "section":
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    return out


def _whole_spans(text: str) -> None:
    """No escape, link, code or bold span cut open at a piece's edge."""
    assert not re.search(r"&(?!amp;|lt;|gt;)", text), text[-60:]
    assert text.count("<") == text.count(">"), text[-60:]
    assert text.count("`") % 2 == 0 and text.count("*") % 2 == 0, text[-60:]


def _shown_whole_or_cut_at_a_word(shown: str, full: str) -> None:
    if shown.endswith("…") and _flat(shown) != _flat(full):
        prefix = _flat(shown[:-1])
        flat = _flat(full)
        assert flat.startswith(prefix), (prefix[-40:], flat[:80])
        assert len(flat) == len(prefix) or flat[len(prefix)] == " ", prefix[-40:]
    else:
        assert _flat(shown) == _flat(full)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_report_size_fits_slack_and_loses_nothing_silently(data: st.DataObject) -> None:
    report = _sized_report(data)
    parent = parent_message(report, requester=ASKER, report_url=PAGE, regenerate_value="{}")
    thread = thread_messages(report)
    for msg in [parent, *thread, progress_message("o/r", "a...b", 3, 400)]:
        check_blocks(msg.blocks)
        assert 0 < len(msg.text) <= MAX_MESSAGE_TEXT
        for text in _section_texts(msg.blocks):
            _whole_spans(text)

    # Parent: every highlight is shown whole or cut at a word, and the rest are counted.
    for section, items in zip(parent.blocks[3:6], report.highlights.__dict__.values(), strict=True):
        lines = section["text"]["text"].split("\n")[1:]
        more = re.match(r"…and (\d+) more", lines[-1]) if lines else None
        shown = lines[:-1] if more else lines
        if not items:
            assert shown == ["None."]
            continue
        assert len(shown) + (int(more.group(1)) if more else 0) == len(items)
        for line, item in zip(shown, items, strict=False):
            assert line.startswith("• ")
            _shown_whole_or_cut_at_a_word(line[2:], mrkdwn_from_markdown(_flat(item)))
            assert len(line) <= ITEM_LIMIT + 2

    # Thread: the summary (when cut above), insights and every file's explanation, whole.
    joined = _flat("\n".join(t for m in thread for t in _section_texts(m.blocks)))
    summary = mrkdwn_from_markdown(report.summary.strip())
    shown_summary = parent.blocks[2]["text"]["text"]
    continues = "\n" + SLACK_SUMMARY_CONTINUES
    if len(summary) > SUMMARY_LIMIT:  # cut, and the parent says the rest is in the thread
        assert shown_summary.endswith("…" + continues)
    shown_summary = shown_summary.removesuffix(continues)
    _shown_whole_or_cut_at_a_word(shown_summary, summary or "None.")
    if len(summary) > SUMMARY_LIMIT:
        assert _flat(summary) in joined
    assert _flat(mrkdwn_from_markdown(report.insights)) in joined
    for f in report.files[:MAX_FILE_SECTIONS]:
        assert _flat(mrkdwn_from_markdown(f.explanation)) in joined, f.filename
        assert f"`{escape_mrkdwn(f.filename)}`" in joined
    hidden = len(report.files) - MAX_FILE_SECTIONS
    if hidden > 0:
        more = SLACK_MORE_FILES_ONE if hidden == 1 else SLACK_MORE_FILES
        assert more.format(n=hidden) in joined
    else:
        assert "more files are described" not in joined
        assert "more file is described" not in joined


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_large_reports_post_to_slack_with_every_call_accepted(data: st.DataObject) -> None:
    report = _sized_report(data)
    with FakeSlack() as slack:
        config = replace(load_config({}), slack_bot_token=slack.token, slack_api_url=slack.api_url)
        result = SlackPoster(config, pace_seconds=0).post_report(
            report, SlackTarget("C1", requester=ASKER), report_url=PAGE
        )
        assert result.posted, result.error
        assert all(c.status == 200 and c.response.get("ok", True) for c in slack.calls)
        assert not any("warning" in c.response for c in slack.calls if c.method.startswith("chat."))
        assert len(slack.thread("C1", result.ts)) == len(thread_messages(report)) + 1
