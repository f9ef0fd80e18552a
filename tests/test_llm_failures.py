"""Whatever the model or its server does, a report is produced and its notes say what happened."""

from __future__ import annotations

import email.utils
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from openai.resources.chat.completions import Completions

from bot import messages
from bot.config import load_config
from bot.summarize.heuristic import summarizer as heuristic
from bot.summarize.llm import client as llm_client
from bot.summarize.llm.client import make_openai_client, retry_after_seconds
from bot.summarize.llm.filecache import InProcessFileCache
from bot.summarize.llm.schema import CHANGE_SCHEMA_NAME, FILES_SCHEMA_NAME, REPORT_SCHEMA_NAME
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.fakes.openai import FakeOpenAI
from tests.llmdata import (
    doc_file,
    example_change,
    file_block_paths,
    llm_config,
    make_change,
    request_estimate,
)


def assert_fell_back(summaries, files) -> None:
    """Each file got the heuristic's words, and its explanation says they are not the model's."""
    for summary, f in zip(summaries, files, strict=True):
        expected = heuristic.summarize_file(f)
        assert summary.modification_type == expected.modification_type
        assert summary.modification_title == expected.modification_title
        words, _, mark = summary.explanation.rpartition("\n\n")
        assert words == expected.explanation
        assert mark.startswith("Summarized heuristically because ")
        assert mark.endswith(f": {f.filename}.")


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def _run(fake, change=None, lang="en_US", **overrides):
    summarizer = LLMSummarizer(llm_config(fake, **overrides), InProcessFileCache())
    return summarizer.summarize(change or example_change(), lang)


def _overall_note(reason: str) -> str:
    return messages.LLM_OVERALL_FALLBACK.format(reason=reason)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the client asks for between attempts, recorded instead of slept."""
    asked: list[float] = []
    clock = SimpleNamespace(monotonic=time.monotonic, time=time.time, sleep=asked.append)
    monkeypatch.setattr(llm_client, "time", clock)
    return asked


@pytest.fixture
def call_timeouts(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The ``timeout`` each chat-completions request was sent with, in order."""
    sent: list[float] = []
    real = Completions.create

    def recording(self, *args, **kwargs):
        sent.append(kwargs["timeout"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Completions, "create", recording)
    return sent


def test_a_malformed_reply_is_repaired_by_one_retry_that_says_what_was_wrong(fake):
    fake.add_rule("non_json")
    result = _run(fake)

    assert [r.behaviour for r in fake.requests] == ["non_json", "ok"]
    repair = fake.requests[1].messages
    assert repair[-2]["role"] == "assistant" and repair[-2]["content"].startswith("Sure!")
    assert "not valid JSON" in repair[-1]["content"]
    assert result.files[0].modification_title == "Update fine-tuning-considerations.md"
    assert len(result.notes) == 1 and "0 summarized heuristically" in result.notes[0]


@pytest.mark.parametrize("behaviour", ["missing_fields", "bad_enum"])
def test_malformed_twice_falls_back_to_the_heuristic_with_a_note(fake, behaviour):
    fake.add_rule(behaviour, times=2)
    change = example_change()
    result = _run(fake, change)

    assert len(fake.requests) == 2
    if behaviour == "bad_enum":
        assert "'tweak' is not one of" in fake.requests[1].messages[-1]["content"]
    assert_fell_back(result.files, change.files)
    names = ", ".join(f.filename for f in change.files)
    assert (
        messages.LLM_FILE_FALLBACK.format(reason=messages.LLM_REASON_INVALID, files=names)
        in result.notes
    )
    assert _overall_note(messages.LLM_REASON_INVALID) in result.notes


BATCHED = {"llm_call_budget": 4000}
"""Sixteen small files do not fit one call of this budget: eight batch calls of two files."""


def _batch_of(fake, path: str):
    return next(r for r in fake.completions(FILES_SCHEMA_NAME) if path in file_block_paths(r))


def test_one_garbled_file_in_a_batch_is_repaired_alone_then_summarized_heuristically(fake):
    fake.add_rule("garble_matching", match="docs/guide-03.md", times=2)
    change = make_change([doc_file(i) for i in range(16)])
    result = _run(fake, change, **BATCHED)

    calls = fake.completions(FILES_SCHEMA_NAME)
    assert len(calls) == 9 and len(fake.requests) == 10
    first, repair = [r for r in calls if "docs/guide-03.md" in r.text()]
    assert len(file_block_paths(first)) == 2
    assert file_block_paths(repair) == ["docs/guide-03.md"]
    assert repair.body["response_format"]["json_schema"]["schema"]["properties"]["files"]["items"][
        "properties"
    ]["file_id"]["enum"] == ["F4"]
    assert repair.messages[2]["role"] == "assistant"
    assert "'tweak' is not one of" in repair.messages[3]["content"]
    assert all(request_estimate(r) <= 4000 for r in fake.requests)

    assert_fell_back(result.files[3:4], change.files[3:4])
    others = [f for i, f in enumerate(result.files) if i != 3]
    assert all(f.modification_title.startswith("Update guide-") for f in others)
    fallback = messages.LLM_FILE_FALLBACK.format(
        reason=messages.LLM_REASON_INVALID, files="docs/guide-03.md"
    )
    assert fallback in result.notes
    assert "15 files summarized by the model" in result.notes[0]
    assert "1 summarized heuristically" in result.notes[0]
    assert result.overall.summary == "This change touches 16 files."


def test_a_file_missing_from_a_batch_reply_is_asked_for_once_more(fake):
    fake.add_rule("omit_matching", match="docs/guide-05.md")
    cache = InProcessFileCache()
    change = make_change([doc_file(i) for i in range(16)])
    result = LLMSummarizer(llm_config(fake, **BATCHED), cache).summarize(change, "en_US")

    first = _batch_of(fake, "docs/guide-05.md")
    partner = next(p for p in file_block_paths(first) if p != "docs/guide-05.md")
    repairs = [r for r in fake.completions(FILES_SCHEMA_NAME) if len(r.messages) > 2]
    assert len(repairs) == 1 and file_block_paths(repairs[0]) == ["docs/guide-05.md"]
    assert "no valid entry for: F6" in repairs[0].messages[-1]["content"]
    assert partner not in repairs[0].text()
    assert all(f.modification_title.startswith("Update guide-") for f in result.files)
    assert "16 files summarized by the model" in result.notes[0]
    assert len(result.notes) == 1

    before = len(fake.requests)
    again = LLMSummarizer(llm_config(fake, **BATCHED), cache).summarize(change, "en_US")
    assert len(fake.requests) == before and "16 from the cache" in again.notes[0]


def test_failed_batches_fall_back_for_their_own_files_only(fake):
    for path in ("docs/guide-13.md", "docs/guide-02.md"):
        fake.add_rule("server_error", match=path, schema=FILES_SCHEMA_NAME, times=None)
    change = make_change([doc_file(i) for i in range(16)])
    result = _run(fake, change, llm_max_retries=1, **BATCHED)

    failed = [r for r in fake.requests if r.status == 500]
    assert len(failed) == 4
    lost = {p for r in failed for p in file_block_paths(r)}
    assert {"docs/guide-02.md", "docs/guide-13.md"} <= lost and len(lost) == 4
    for f, summary in zip(change.files, result.files, strict=True):
        if f.filename in lost:
            assert_fell_back([summary], [f])
        else:
            assert summary.modification_title.startswith("Update guide-")
    reason = messages.LLM_REASON_HTTP.format(status=500)
    in_order = ", ".join(f.filename for f in change.files if f.filename in lost)
    assert messages.LLM_FILE_FALLBACK.format(reason=reason, files=in_order) in result.notes
    assert result.overall.summary == "This change touches 16 files."


def test_429_waits_for_retry_after_then_succeeds(fake, waits):
    fake.add_rule("rate_limit", retry_after="0.6")
    result = _run(fake)

    first, second = fake.requests
    assert first.status == 429 and second.status == 200
    assert waits == [0.6]  # the server's Retry-After, not our own backoff
    assert result.files[1].modification_title == "Update model-retirements.md"


def test_500s_are_retried_with_backoff(fake, waits):
    fake.add_rule("server_error", times=2)
    result = _run(fake)
    assert [r.status for r in fake.requests] == [500, 500, 200]
    # Exponential backoff from 0.5 s, less up to a quarter of jitter: 0.5 s, then 1 s.
    first, second = waits
    assert 0.5 * 0.75 <= first <= 0.5 and 1.0 * 0.75 <= second <= 1.0
    assert "0 summarized heuristically" in result.notes[0]


def test_retries_are_ours_and_bounded_by_the_setting(fake):
    assert make_openai_client(llm_config(fake)).max_retries == 0
    fake.add_rule("server_error", times=None)
    result = _run(fake, llm_max_retries=1)
    assert [r.status for r in fake.requests] == [500, 500]
    reason = messages.LLM_REASON_HTTP.format(status=500)
    assert _overall_note(reason) in result.notes


def test_a_hanging_call_times_out_and_the_report_is_still_produced(fake, call_timeouts):
    fake.add_rule("hang")  # the fake holds the reply back for 30 s
    result = _run(fake, llm_timeout_seconds=0.5, llm_max_retries=0)

    assert call_timeouts == [0.5]  # the setting, not the client's 10-minute default
    assert len(fake.requests) == 1
    change = example_change()
    assert_fell_back(result.files, change.files)
    assert _overall_note(messages.LLM_REASON_TIMEOUT) in result.notes


def test_the_report_deadline_bounds_the_whole_report(fake, call_timeouts):
    fake.add_rule("hang", times=None)
    change = make_change([doc_file(i) for i in range(5)])
    result = _run(fake, change, llm_call_budget=1500, llm_deadline_seconds=1.0)

    # Each call may wait only for the time the report has left, never the 5 s per call.
    assert len(call_timeouts) == 5 and all(0 < t <= 1.0 for t in call_timeouts)
    assert len(fake.completions(FILES_SCHEMA_NAME)) == 5
    assert_fell_back(result.files, change.files)
    assert not fake.completions(REPORT_SCHEMA_NAME)
    assert _overall_note(messages.LLM_REASON_DEADLINE) in result.notes
    assert "5 summarized heuristically" in result.notes[0]


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(fake, waits):
    fake.add_rule("rate_limit", retry_after="30")
    result = _run(fake, llm_deadline_seconds=3.0)
    assert waits == [] and len(fake.requests) == 1
    reason = messages.LLM_REASON_NO_TIME.format(reason=messages.LLM_REASON_HTTP.format(status=429))
    assert _overall_note(reason) in result.notes


def test_wrong_key_stops_all_calls_and_says_so(fake):
    change = make_change([doc_file(i) for i in range(6)])
    result = _run(fake, change, openai_api_key="sk-wrong", llm_call_budget=2500, llm_concurrency=1)

    assert [r.status for r in fake.requests] == [401]
    reason = messages.LLM_REASON_CREDENTIALS.format(status=401)
    assert _overall_note(reason) in result.notes
    assert "6 summarized heuristically" in result.notes[0]


def test_exhausted_quota_is_not_retried(fake):
    fake.add_rule("quota", times=None, retry_after="0")
    result = _run(fake)
    assert len(fake.requests) == 1
    assert _overall_note(messages.LLM_REASON_QUOTA) in result.notes


def test_a_refusal_falls_back_without_a_repair(fake):
    fake.add_rule("refusal")
    result = _run(fake)
    assert [r.schema_name for r in fake.requests] == [CHANGE_SCHEMA_NAME]
    assert _overall_note(messages.LLM_REASON_DECLINED) in result.notes


def test_failed_synthesis_keeps_the_models_files_and_uses_the_heuristic_overview(fake):
    fake.add_rule("non_json", schema=REPORT_SCHEMA_NAME, times=2)
    change = make_change([doc_file(i) for i in range(4)])
    result = _run(fake, change, llm_call_budget=1500)

    assert [r.behaviour for r in fake.completions(REPORT_SCHEMA_NAME)] == ["non_json"] * 2
    assert all(f.modification_title.startswith("Update") for f in result.files)
    expected = heuristic.summarize_overall(
        change, result.files, [heuristic.file_facts(f) for f in change.files]
    )
    assert result.overall == expected
    assert _overall_note(messages.LLM_REASON_INVALID) in result.notes


def test_heuristic_fallback_in_another_language_says_it_writes_english(fake):
    fake.add_rule("server_error", times=None)
    result = _run(fake, lang="ja_JP", llm_max_retries=0)
    assert messages.HEURISTIC_ENGLISH_ONLY.format(lang="ja_JP") in result.notes


def test_retry_after_is_read_in_milliseconds_seconds_or_as_a_date():
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= retry_after_seconds({"retry-after": in_a_minute}) <= 61
    assert retry_after_seconds({}) is None


def test_without_an_endpoint_the_report_is_heuristic_and_says_why():
    config = replace(load_config({}), summarizer="openai")
    result = LLMSummarizer(config, InProcessFileCache()).summarize(example_change(), "en_US")
    # No model at all: every file is the heuristic's, said once in the notes, not per file.
    assert result.files == [heuristic.summarize_file(f) for f in example_change().files]
    assert _overall_note(messages.LLM_REASON_NOT_CONFIGURED) in result.notes


def test_a_truncated_200_is_retried_like_a_server_error(fake):
    """Issue 11 #9: a 200 whose JSON body is cut short was fatal (the report failed)."""
    fake.faults.inject(truncate=True, path="/chat/completions", times=1)
    change = example_change()
    result = _run(fake, change)
    assert len(fake.requests) >= 2  # the cut answer, then a retry that was answered whole
    assert not any("Summarized heuristically" in s.explanation for s in result.files), (
        "one garbled answer must not cost the model's words"
    )


def test_truncated_answers_every_time_fall_back_with_the_reason(fake):
    fake.faults.inject(truncate=True, path="/chat/completions")
    change = example_change()
    result = _run(fake, change)
    assert_fell_back(result.files, change.files)
    assert all(messages.LLM_REASON_GARBLED in s.explanation for s in result.files)
