"""FakeOpenAI is only useful if it refuses what the real API refuses, in the real shapes."""

from __future__ import annotations

import openai
import pytest

from bot.summarize.llm.formats import JSON_SCHEMA
from bot.summarize.llm.formats import response_format as format_for
from bot.summarize.llm.schema import FILES_SCHEMA_NAME, files_schema
from tests.fakes.openai import FakeOpenAI

MESSAGES = [
    {"role": "system", "content": "Summarize."},
    {
        "role": "user",
        "content": '<<<DATA 1 FILE F1 path="a.md" status=added additions=3 deletions=0>>>\n+x',
    },
]


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def _client(fake, key=None, **kw):
    return openai.OpenAI(api_key=key or fake.api_key, base_url=fake.base_url, max_retries=0, **kw)


def test_a_completion_has_the_real_shape_and_answers_for_the_file_asked_about(fake):
    fmt = format_for(JSON_SCHEMA, FILES_SCHEMA_NAME, files_schema(["F1"]))
    done = _client(fake).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, response_format=fmt
    )
    assert done.object == "chat.completion" and done.id.startswith("chatcmpl-")
    assert done.choices[0].finish_reason == "stop" and done.choices[0].message.refusal is None
    assert '"modification_title": "Update a.md"' in done.choices[0].message.content
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens
    assert fake.requests[0].body["response_format"]["json_schema"]["strict"] is True


def test_a_wrong_or_missing_key_is_401(fake):
    with pytest.raises(openai.AuthenticationError) as wrong:
        _client(fake, "sk-wrong").chat.completions.create(model="m", messages=MESSAGES)
    assert wrong.value.code == "invalid_api_key"
    assert [r.status for r in fake.requests] == [401] and fake.tokens_sent == 0


def test_a_non_strict_schema_is_refused_like_the_api_does(fake):
    schema = files_schema(["F1"])
    schema["required"] = ["modification_type"]
    with pytest.raises(openai.BadRequestError) as refused:
        _client(fake).chat.completions.create(
            model="m", messages=MESSAGES, response_format=format_for(JSON_SCHEMA, "x", schema)
        )
    assert "'required' is required to be supplied" in str(refused.value)
    assert refused.value.param == "response_format"


def test_a_bad_schema_name_and_a_missing_model_are_refused(fake):
    with pytest.raises(openai.BadRequestError):
        _client(fake).chat.completions.create(
            model="m", messages=MESSAGES, response_format=format_for(JSON_SCHEMA, "bad name", {})
        )
    with pytest.raises(openai.BadRequestError, match="model"):
        _client(fake).chat.completions.create(model="", messages=MESSAGES)


def test_the_context_window_is_enforced():
    with FakeOpenAI(context_window=50) as fake:
        long = [{"role": "user", "content": "word " * 100}]
        with pytest.raises(openai.BadRequestError) as refused:
            _client(fake).chat.completions.create(model="m", messages=long)
    assert refused.value.code == "context_length_exceeded"


def test_azure_needs_its_key_header_an_api_version_and_a_known_deployment():
    with FakeOpenAI(deployments=("dep",)) as fake:

        def azure(version="2024-10-21", key=fake.api_key):
            return openai.AzureOpenAI(
                azure_endpoint=fake.azure_endpoint, api_key=key, api_version=version,
                max_retries=0,
            )  # fmt: skip

        assert azure().chat.completions.create(model="dep", messages=MESSAGES).choices
        with pytest.raises(openai.AuthenticationError):
            azure(key="wrong").chat.completions.create(model="dep", messages=MESSAGES)
        with pytest.raises(openai.NotFoundError):
            azure().chat.completions.create(model="other", messages=MESSAGES)
    assert fake.requests[0].deployment == "dep"
    assert [r.status for r in fake.requests] == [200, 401, 404]


def test_429_carries_retry_after_and_hangs_end_when_the_server_stops():
    with FakeOpenAI(hang_seconds=60) as fake:
        fake.add_rule("rate_limit", retry_after="7")
        with pytest.raises(openai.RateLimitError) as limited:
            _client(fake).chat.completions.create(model="m", messages=MESSAGES)
        assert limited.value.response.headers["retry-after"] == "7"
        fake.add_rule("hang")
        with pytest.raises(openai.APITimeoutError):
            _client(fake, timeout=0.3).chat.completions.create(model="m", messages=MESSAGES)
    assert [r.behaviour for r in fake.requests] == ["rate_limit", "hang"]
