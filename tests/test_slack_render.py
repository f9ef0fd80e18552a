"""Block Kit rendering: escaping, splitting within Slack's limits, links to each file's diff."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.slack.mrkdwn import BLOCK_TEXT_BUDGET, escape_mrkdwn, split_mrkdwn, truncate_plain
from bot.render.slack.parent import file_diff_url, parent_message, progress_message
from bot.render.slack.thread import thread_messages
from bot.report import Highlights, Report
from tests.fakes.slack_limits import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    BlockError,
    check_blocks,
)
from tests.slackdata import make_report


def _all_mrkdwn(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if b["type"] in ("section",):
            out.append(b["text"]["text"])
        for el in b.get("elements", []):
            if el.get("type") == "mrkdwn":
                out.append(el["text"])
    return out


def _no_live_control(text: str) -> None:
    """No ``<...>`` in ``text`` except links and mentions we generated ourselves."""
    for m in re.finditer(r"<([^>]*)>", text):
        inner = m.group(1)
        assert not inner.startswith(("!", "#")), text
        assert inner.startswith(("https://github.com/", "@U0ASK", "@U777")), inner
        assert "evil" not in inner


def test_escape_mrkdwn_shows_control_sequences_literally() -> None:
    assert escape_mrkdwn("a & <!channel> <@U1> >") == "a &amp; &lt;!channel&gt; &lt;@U1&gt; &gt;"


def test_parent_has_title_context_summary_highlights_and_buttons() -> None:
    report = make_report()
    msg = parent_message(
        report, requester="U777", report_url="https://di.example/reports/x", regenerate_value="{}"
    )
    check_blocks(msg.blocks)
    kinds = [b["type"] for b in msg.blocks]
    assert kinds[:2] == ["header", "context"] and kinds[-1] == "actions"
    context = msg.blocks[1]["elements"][0]["text"]
    assert "*o/r*" in context and "aaaaaaa...bbbbbbb" in context and "3 files" in context
    assert "+6 −3" in context and "<@U777>" in context
    buttons = msg.blocks[-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Regenerate", "Full report"]
    assert buttons[1]["url"] == "https://di.example/reports/x"
    text = "\n".join(_all_mrkdwn(msg.blocks))
    assert "*New features*" in text and "*Breaking changes*" in text and "*Other updates*" in text
    assert "heuristic summarizer" in text
    for piece in _all_mrkdwn(msg.blocks):
        _no_live_control(piece)
    assert "&lt;!channel&gt;" in text


def test_a_pull_request_report_is_headed_by_the_pull_requests_title() -> None:
    report = make_report(subject="Fix <!here> retirement dates (#42)")
    msg = parent_message(report)
    check_blocks(msg.blocks)
    assert msg.blocks[0]["text"]["text"] == "Fix <!here> retirement dates (#42)"  # plain_text
    context = msg.blocks[1]["elements"][0]["text"]
    assert context.startswith(escape_mrkdwn(report.title)) and "*o/r*" in context
    assert "&lt;!here&gt;" in msg.text and "<!here>" not in msg.text
    again = Report.from_dict(report.to_dict())
    assert again.subject == report.subject


def test_parent_without_public_url_has_no_full_report_button() -> None:
    msg = parent_message(make_report(), regenerate_value="{}")
    assert [b["text"]["text"] for b in msg.blocks[-1]["elements"]] == ["Regenerate"]


def test_long_title_is_cut_at_a_word_within_150() -> None:
    report = make_report(title="[en_US] Diff Insight Report - " + "area " * 60)
    header = parent_message(report).blocks[0]["text"]["text"]
    assert len(header) <= MAX_HEADER_TEXT and header.endswith("…")
    assert header[:-1].split(" ")[-1] == "area"


def test_huge_highlights_stay_within_the_message_budget() -> None:
    items = [f"item {i} " + "long words " * 30 for i in range(200)]
    report = make_report(highlights=Highlights(items, items, items), summary="s " * 5000)
    msg = parent_message(report, regenerate_value="{}")
    check_blocks(msg.blocks)
    assert "more in the full report" in msg.blocks[3]["text"]["text"]


def test_one_enormous_highlight_or_summary_is_cut_with_an_ellipsis() -> None:
    huge = "word *bold span here* " * 400
    report = make_report(highlights=Highlights([huge], [huge], []), summary=huge, notes=[huge])
    msg = parent_message(report)
    check_blocks(msg.blocks)
    for text in _all_mrkdwn(msg.blocks)[1:]:
        assert text.count("*") % 2 == 0, text[-80:]
    assert msg.blocks[3]["text"]["text"].endswith("…")
    assert len(msg.text) <= 3000


def test_thread_has_insights_table_and_one_section_per_file_with_diff_links() -> None:
    report = make_report(files=4)
    msgs = thread_messages(report)
    blocks = [b for m in msgs for b in m.blocks]
    texts = _all_mrkdwn(blocks)
    assert texts[0].startswith("*Insights*")
    assert texts[1].startswith("*Summary table*") and texts[1].count("\n• ") == 4
    for f in report.files:
        anchor = hashlib.sha256(f.filename.encode()).hexdigest()
        url = f"https://github.com/o/r/compare/{'a' * 40}...{'b' * 40}#diff-{anchor}"
        assert file_diff_url(report, f) == url
        assert any(t.startswith("*Title") and url in t for t in texts)
    for t in texts:
        _no_live_control(t)


def test_diff_links_for_pull_and_commit_reports() -> None:
    f = make_report().files[0]
    anchor = hashlib.sha256(f.filename.encode()).hexdigest()
    pull = make_report(permalink="https://github.com/o/r/pull/7")
    assert file_diff_url(pull, f) == f"https://github.com/o/r/pull/7/files#diff-{anchor}"
    commit = make_report(permalink="https://github.com/o/r/commit/" + "c" * 40)
    assert file_diff_url(commit, f) == f"https://github.com/o/r/commit/{'c' * 40}#diff-{anchor}"
    local = make_report(permalink="main...dev", web_url=None)
    assert file_diff_url(local, f) is None


def test_big_report_splits_into_messages_within_every_limit() -> None:
    report = make_report(files=120, words=700, insights="insight " * 3000)
    msgs = thread_messages(report)
    assert len(msgs) > 5
    for m in msgs:
        assert len(m.blocks) <= MAX_BLOCKS
        assert m.block_text <= BLOCK_TEXT_BUDGET
        check_blocks(m.blocks)
        for b in m.blocks:
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= MAX_SECTION_TEXT
    assert msgs[0].text.endswith(f"(part 1 of {len(msgs)})")


def test_fake_refuses_what_slack_refuses() -> None:
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    too_many = [{"type": "divider"}] * 51
    header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    budget = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}] * 5
    for blocks, error in (
        (too_long, "invalid_blocks"),
        (too_many, "invalid_blocks"),
        (header, "invalid_blocks"),
        (budget, "msg_blocks_too_long"),
        ([{"type": "nope"}], "invalid_blocks"),
    ):
        try:
            check_blocks(blocks)
        except BlockError as exc:
            assert exc.error == error
        else:
            raise AssertionError(f"{error} expected")


def test_progress_message_counts_files() -> None:
    msg = progress_message("o/<!here>", "a...b", 3, 12)
    assert "3 of 12 files" in msg.blocks[0]["text"]["text"]
    assert "&lt;!here&gt;" in msg.blocks[0]["text"]["text"]
    expected = "Building the Diff Insight Report for o/&lt;!here&gt; a...b: 3 of 12 files done…"
    assert msg.text == expected
    unknown = progress_message("", "", 1, 2).blocks[0]["text"]["text"]
    assert "for this change: 1 of 2 files" in unknown


_SPANS = re.compile(r"\*[^*\n ]+( [^*\n ]+)*\*|`[^`\n]+`|<https://x\.test/[^>|]+\|[^>]+>|&amp;")

words = st.sampled_from(
    ["word", "*bold words here*", "`code span`", "<https://x.test/a|a link>", "&amp;", "x" * 40]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(words, st.sampled_from([" ", "\n", "\n\n"])), min_size=1, max_size=400))
def test_split_never_cuts_a_word_or_a_span(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + sep for w, sep in parts).strip()
    pieces = split_mrkdwn(text, 200)
    assert all(0 < len(p) <= 200 for p in pieces)
    assert " ".join(" ".join(p.split()) for p in pieces) == " ".join(text.split())
    for piece in pieces:
        stripped = _SPANS.sub("", piece)
        assert "*" not in stripped and "`" not in stripped and "<" not in stripped, piece


def test_split_closes_and_reopens_a_code_fence() -> None:
    text = "intro\n```\n" + "\n".join(f"line {i}" for i in range(300)) + "\n```\nafter"
    pieces = split_mrkdwn(text, 500)
    assert len(pieces) > 3
    for p in pieces:
        assert p.count("```") % 2 == 0 and len(p) <= 500


def test_truncate_plain() -> None:
    assert truncate_plain("short", 10) == "short"
    assert truncate_plain("one two three four", 10) == "one two…"


def test_split_adds_no_fence_for_a_run_of_four_or_more_backticks() -> None:
    """Issue 11 #19: a run of four backticks counted as one fence (six as two), so a lone
    ```````` ```` ```````` made every later piece open and close a fence that was not there."""
    for run in ("````", "`````", "``````"):
        text = f"see {run} marks " + "word " * 120
        pieces = split_mrkdwn(text, 100)
        assert sum(p.count("`") for p in pieces) == len(run), (run, pieces)
    fenced = "intro\n````\n" + "\n".join(f"line {i}" for i in range(80)) + "\n````\nafter"
    pieces = split_mrkdwn(fenced, 200)
    assert len(pieces) > 2
    assert pieces[-1].endswith("after")
    assert all(re.findall(r"`{3,}", p).__len__() % 2 == 0 for p in pieces), pieces
