"""The LLM summarizer against each kind of OpenAI-compatible server (FakeOpenAI(kind=...)):
the response format it negotiates and remembers, the context window it reads or learns, and
what the report's notes say about both."""

from __future__ import annotations

import pytest

from bot import messages
from bot.summarize.llm import formats
from bot.summarize.llm.budget import estimate_request
from bot.summarize.llm.filecache import InProcessFileCache, RedisFileCache
from bot.summarize.llm.limits import MIN_TOKENS_PER_SECOND, SAFETY, Limits
from bot.summarize.llm.negotiate import EndpointMemo, endpoint_key, forget_all
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.fakes.openai import FakeOpenAI, Recorded
from tests.fakes.openai_replies import asked_schema
from tests.llmdata import doc_file, example_change, llm_config, make_change


def _run(fake, change=None, cache=None, **overrides):
    summarizer = LLMSummarizer(llm_config(fake, **overrides), cache or InProcessFileCache())
    return summarizer.summarize(change or example_change(), "en_US")


def _mode(record: Recorded) -> str:
    fmt = record.body.get("response_format")
    if fmt is None:
        return "text"
    if fmt["type"] == "json_schema":
        return "json_schema"
    return "json_object_schema" if "schema" in fmt else "json_object"


def _by_model(result) -> int:
    return int(result.notes[0].split(": ", 1)[1].split(" files summarized by the model")[0])


def _sent_with_reply(record: Recorded) -> int:
    """Our estimate of a request's prompt plus the reply tokens it asked for."""
    return estimate_request(record.messages, asked_schema(record.body)) + record.body["max_tokens"]


def test_llama_cpp_python_refuses_json_schema_and_the_report_is_written_with_json_object():
    with FakeOpenAI(kind="llama-cpp-python") as fake:
        result = _run(fake)
        assert [(r.status, _mode(r)) for r in fake.requests] == [
            (500, "json_schema"),
            (200, "json_object_schema"),
        ]
        refused = fake.requests[0].response["error"]["message"]
        assert "Input should be 'text' or 'json_object'" in refused
        assert _by_model(result) == 2
        assert not any("heuristically because" in n for n in result.notes)
        assert (
            messages.LLM_MODE_NOTE.format(
                words=messages.LLM_MODE["json_object_schema"],
                mode="json_object_schema",
                why=messages.LLM_MODE_WHY_REFUSED.format(refused="json_schema"),
            )
            in result.notes
        )
        assert fake.requests[1].body["response_format"]["schema"]["required"]

        # The next report goes straight to the mode that worked.
        again = _run(fake, make_change([doc_file(1)]))
        assert [_mode(r) for r in fake.requests[2:]] == ["json_object_schema"]
        assert any("that is what this server took last time" in n for n in again.notes)


def test_a_server_that_takes_no_response_format_gets_the_schema_in_the_instructions():
    with FakeOpenAI(kind="text-only") as fake:
        result = _run(fake)
        modes = [_mode(r) for r in fake.requests]
        assert modes == ["json_schema", "json_object_schema", "json_object", "text"]
        text_call = fake.requests[-1]
        assert formats.SCHEMA_INSTRUCTION in text_call.text("system")
        # The reply came in a code fence, after prose, with a trailing comma: still read.
        assert text_call.response["choices"][0]["message"]["content"].startswith("Here is")
        assert _by_model(result) == 2
        assert any("(text) because the server did not take json_schema, json_object_schema, "
                   "json_object" in n for n in result.notes)  # fmt: skip


def test_an_old_ollama_that_ignores_json_schema_is_noticed_by_its_reply():
    with FakeOpenAI(kind="ollama-old", model="llama3.2") as fake:
        result = _run(fake, model="llama3.2")
        assert [_mode(r) for r in fake.requests if r.path.endswith("completions")] == [
            "json_schema",
            "json_object_schema",
        ]
        assert _by_model(result) == 2


@pytest.mark.parametrize("kind", ["openai", "vllm", "llama.cpp", "lm-studio", "ollama"])
def test_servers_that_take_json_schema_get_it_and_no_mode_note(kind):
    with FakeOpenAI(kind=kind) as fake:
        result = _run(fake)
        assert {_mode(r) for r in fake.completions()} == {"json_schema"}
        assert _by_model(result) == 2
        assert not any("The model answered in" in n for n in result.notes)


def test_a_pinned_mode_is_used_from_the_first_call_and_named_in_the_notes():
    with FakeOpenAI(kind="vllm") as fake:
        result = _run(fake, llm_response_format="json_object")
        assert {_mode(r) for r in fake.requests} == {"json_object"}
        assert formats.SCHEMA_INSTRUCTION in fake.requests[0].text("system")
        assert any(messages.LLM_MODE_WHY_PINNED in n for n in result.notes)


def test_a_pinned_mode_the_server_refuses_falls_back_naming_the_variable():
    with FakeOpenAI(kind="llama-cpp-python") as fake:
        result = _run(fake, llm_response_format="json_schema")
        assert len(fake.requests) == 1
        reason = messages.LLM_REASON_FORMAT_PINNED.format(mode="json_schema")
        assert any(reason in n for n in result.notes)
        assert all(reason in f.explanation for f in result.files)


@pytest.mark.parametrize(
    ("kind", "probes"),
    [
        ("vllm", ["/v1/models"]),
        ("llama.cpp", ["/v1/models", "/props"]),
        ("lm-studio", ["/v1/models", "/api/v0/models/gpt-4o-mini"]),
        ("ollama", ["/v1/models"]),
    ],
)
def test_the_window_the_server_tells_sizes_every_call_and_its_reply(kind, probes):
    files = [doc_file(i, lines=40, hunks=3) for i in range(6)]
    with FakeOpenAI(kind=kind, context_window=3000) as fake:
        result = _run(fake, make_change(files))
        assert fake.gets == probes
        if kind == "ollama":
            assert [r.path for r in fake.requests][0] == "/api/show"
        calls = fake.completions()
        assert calls and all(r.body.get("max_tokens") for r in calls)
        assert all(_sent_with_reply(r) <= 3000 * SAFETY for r in calls)
        assert _by_model(result) == 6
        if kind == "llama.cpp":  # its two slots bound the calls in flight
            assert fake.max_in_flight <= 2


def test_without_a_window_nothing_is_sized():
    with FakeOpenAI(kind="openai") as fake:
        _run(fake)
        assert "max_tokens" not in fake.requests[0].body


def test_a_context_error_is_split_and_the_window_it_names_is_remembered():
    files = [doc_file(i, lines=30, hunks=2) for i in range(4)]
    with FakeOpenAI(kind="llama-cpp-python", context_window=1500) as fake:
        result = _run(fake, make_change(files))
        errors = [r for r in fake.requests if r.status == 400]
        assert errors and "maximum context length is 1500 tokens" in str(errors[0].response)
        assert _by_model(result) == 4
        assert any("of 1500 tokens and were split" in n for n in result.notes)
        assert all(r.prompt_tokens <= 1500 for r in fake.completions())

        # The window is remembered: the next report is sized to it from its first call.
        since = len(fake.requests)
        later = make_change([doc_file(10 + i, lines=30, hunks=2) for i in range(4)])
        _run(fake, later)
        assert all(r.status == 200 for r in fake.requests[since:])


def test_a_configured_window_sizes_a_server_that_tells_nothing():
    with FakeOpenAI(kind="llama-cpp-python", context_window=2048) as fake:
        result = _run(fake, llm_context=2048)
        calls = fake.completions()
        assert all(r.status == 200 for r in fake.requests[1:])
        assert all(_sent_with_reply(r) <= 2048 * SAFETY for r in calls)
        assert _by_model(result) == 2
        bounded = calls[0].body["response_format"]["schema"]["properties"]["files"]["items"]
        assert bounded["properties"]["explanation"]["maxLength"] > 0


def test_what_worked_is_kept_in_redis_with_an_expiry(redis_client, redis_prefix):
    with FakeOpenAI(kind="llama-cpp-python") as fake:
        cache = RedisFileCache(redis_client, redis_prefix, 60)
        config = llm_config(fake, redis_prefix=redis_prefix)
        LLMSummarizer(config, cache).summarize(example_change(), "en_US")
        key = endpoint_key(fake.base_url, config.model)
        assert 0 < redis_client.ttl(f"{redis_prefix}llm-endpoint:{key}") <= 24 * 3600
        forget_all()  # as another process would: only Redis knows
        record = EndpointMemo(redis_client, redis_prefix).get(key)
        assert record is not None and record.mode == "json_object_schema"
        assert record.kind == "llama-cpp-python" and record.parallel == 1


def test_a_sized_call_waits_for_the_reply_it_asked_for():
    limits = Limits(2048, 128, 256)
    assert limits.timeout(60.0, 400) == 60.0 + 400 / MIN_TOKENS_PER_SECOND
    assert Limits().timeout(60.0, None) == 60.0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": [1, 2,],}\n```', {"a": [1, 2]}),
        ('Sure! {"a": "x, }"} hope this helps', {"a": "x, }"}),
        ('Note {not json} then {"a": 2,\n}', {"a": 2}),
    ],
)
def test_replies_are_read_tolerantly(content, expected):
    assert formats.extract_json(content) == expected


def test_tolerant_reading_stays_bounded_on_hostile_replies():
    with pytest.raises(ValueError):
        formats.extract_json("{" * 150_000)
    with pytest.raises(ValueError):
        formats.extract_json("```\n" * 40_000)


def test_a_damaged_record_is_ignored_and_the_server_asked_again(redis_client, redis_prefix):
    key = endpoint_key("http://127.0.0.1:9/v1", "m")
    memo = EndpointMemo(redis_client, redis_prefix)
    for raw in ('{"kind": "vllm", "context": "4096"}', "[1]", '{"kind": "x", "extra": 1}'):
        redis_client.set(f"{redis_prefix}llm-endpoint:{key}", raw)
        forget_all()
        assert memo.get(key) is None


def test_a_window_too_small_for_any_file_falls_back_saying_so():
    with FakeOpenAI(kind="vllm", context_window=700) as fake:
        result = _run(fake)
        assert fake.completions() == []
        reason = messages.LLM_REASON_CONTEXT
        assert any(f"because {reason}" in n for n in result.notes), result.notes
        assert all(reason in f.explanation for f in result.files)


def test_progress_moves_as_each_call_of_a_one_slot_server_finishes():
    files = [doc_file(i, lines=30, hunks=2) for i in range(6)]
    seen: list[int] = []
    with FakeOpenAI(kind="llama-cpp-python", context_window=2048) as fake:
        summarizer = LLMSummarizer(llm_config(fake, llm_context=2048), InProcessFileCache())
        summarizer.summarize(make_change(files), "en_US", lambda _s, done, _t: seen.append(done))
        calls = [
            r for r in fake.completions() if "summary" not in asked_schema(r.body)["properties"]
        ]
        assert len(calls) > 1 and fake.max_in_flight == 1
    steps = sorted(set(seen))
    assert steps[0] == 0 and steps[-1] == 6 and len(steps) >= len(calls)


def test_a_reply_stopped_at_the_window_teaches_the_window():
    change = make_change([doc_file(i, lines=20) for i in range(3)])
    with FakeOpenAI(kind="llama-cpp-python") as probe:
        _run(probe, change)
        first = probe.completions()[0]
        reply = first.response["usage"]["completion_tokens"]
    window = first.prompt_tokens + reply // 2  # the prompt fits, its reply does not
    forget_all()
    with FakeOpenAI(kind="llama-cpp-python", context_window=window) as fake:
        result = _run(fake, change)
        cut = next(
            r for r in fake.completions() if r.response["choices"][0]["finish_reason"] == "length"
        )
        assert "max_tokens" not in cut.body
        assert any(f"of {window} tokens and were split" in n for n in result.notes), result.notes
        assert all(r.body.get("max_tokens") for r in fake.completions() if r is not cut)
        assert _by_model(result) == 3
