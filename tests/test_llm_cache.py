"""The per-file cache: repeated and overlapping reports pay only for patches they have not seen."""

from __future__ import annotations

from dataclasses import replace

import pytest
import redis

from bot.summarize.llm.filecache import (
    InProcessFileCache,
    RedisFileCache,
    content_key,
    default_cache,
)
from bot.summarize.llm.schema import FILES_SCHEMA_NAME, REPORT_SCHEMA_NAME
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.fakes.openai import FakeOpenAI
from tests.llmdata import doc_file, example_change, file_block_paths, llm_config, make_change


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def _sent(fake, since: int) -> int:
    return sum(r.prompt_tokens for r in fake.requests[since:])


@pytest.mark.parametrize("call_budget", [16000, 1500], ids=["one-call", "per-file"])
def test_a_repeated_report_sends_no_tokens(fake, call_budget):
    cache = InProcessFileCache()
    change = make_change([doc_file(i) for i in range(5)])
    first = LLMSummarizer(llm_config(fake, llm_call_budget=call_budget), cache)
    one = first.summarize(change, "en_US")
    before = len(fake.requests)
    assert before and _sent(fake, 0) > 0

    again = LLMSummarizer(llm_config(fake, llm_call_budget=call_budget), cache)
    two = again.summarize(change, "en_US")
    assert len(fake.requests) == before
    assert (two.files, two.overall) == (one.files, one.overall)
    assert "0 files summarized by the model, 5 from the cache" in two.notes[0]
    assert "0 model call(s), about 0 prompt tokens sent" in two.notes[0]


def test_an_overlapping_report_sends_only_the_new_patches(fake):
    cache = InProcessFileCache()
    config = llm_config(fake, llm_call_budget=1500)
    head = make_change([doc_file(i) for i in range(8)])
    LLMSummarizer(config, cache).summarize(head, "en_US")
    first_run = len(fake.requests)

    newer_files = [doc_file(i) for i in range(8)]
    newer_files[2] = doc_file(2, salt=" (revised)")
    newer_files.append(doc_file(8))
    newer = make_change(newer_files, head="newer")
    result = LLMSummarizer(config, cache).summarize(newer, "en_US")

    second = fake.requests[first_run:]
    sent_paths = sorted(p for r in second for p in file_block_paths(r))
    assert sent_paths == ["docs/guide-02.md", "docs/guide-08.md"]
    assert [r.schema_name for r in second].count(REPORT_SCHEMA_NAME) == 1
    assert "2 files summarized by the model, 7 from the cache" in result.notes[0]


def test_the_one_call_path_caches_each_file_for_later_per_file_reports(fake):
    cache = InProcessFileCache()
    small = make_change([doc_file(0), doc_file(1)])
    LLMSummarizer(llm_config(fake), cache).summarize(small, "en_US")
    assert len(fake.requests) == 1

    large = make_change([doc_file(i) for i in range(6)])
    LLMSummarizer(llm_config(fake, llm_call_budget=1500), cache).summarize(large, "en_US")
    file_calls = fake.completions(FILES_SCHEMA_NAME)
    assert sorted(p for r in file_calls for p in file_block_paths(r)) == [
        f"docs/guide-{i:02d}.md" for i in range(2, 6)
    ]


def test_language_and_model_are_part_of_the_key(fake):
    cache = InProcessFileCache()
    change = example_change()
    LLMSummarizer(llm_config(fake), cache).summarize(change, "en_US")
    LLMSummarizer(llm_config(fake), cache).summarize(change, "ja_JP")
    LLMSummarizer(llm_config(fake, model="gpt-4o"), cache).summarize(change, "en_US")
    assert len(fake.requests) == 3
    assert content_key("file", "a", None) != content_key("file", "a", "")


def test_redis_backed_cache_is_shared_between_summarizers(fake, redis_client, redis_prefix):
    change = example_change()
    first = LLMSummarizer(llm_config(fake), RedisFileCache(redis_client, redis_prefix, 60))
    first.summarize(change, "en_US")
    assert len(fake.requests) == 1
    keys = redis_client.keys(f"{redis_prefix}llm:*")
    assert len(keys) == 3
    assert all(0 < redis_client.ttl(k) <= 60 for k in keys)

    second = LLMSummarizer(llm_config(fake), RedisFileCache(redis_client, redis_prefix, 60))
    result = second.summarize(change, "en_US")
    assert len(fake.requests) == 1
    assert "2 from the cache" in result.notes[0]


def test_default_cache_is_redis_when_it_answers_else_memory(config):
    assert isinstance(default_cache(config), RedisFileCache)
    unreachable = replace(config, redis_url="redis://127.0.0.1:1/0")
    assert isinstance(default_cache(unreachable), InProcessFileCache)


def test_a_broken_redis_reads_as_a_miss_and_never_fails_the_report(fake):
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    cache = RedisFileCache(client, "ditest:broken:", 60)
    result = LLMSummarizer(llm_config(fake), cache).summarize(example_change(), "en_US")
    assert result.files[0].modification_title.startswith("Update")
    assert cache.get("anything") is None


def test_in_process_cache_is_bounded():
    cache = InProcessFileCache(max_entries=2)
    for i in range(3):
        cache.set(str(i), {"i": i})
    assert cache.get("0") is None and cache.get("2") == {"i": 2} and len(cache) == 2
