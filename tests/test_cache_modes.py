"""--no-cache and Regenerate reach the LLM's per-file cache too, not only the report cache."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.build import build_report, get_summarizer
from bot.request import CacheMode, ReportRequest
from bot.store.cache import cached_build
from bot.summarize.llm.filecache import InProcessFileCache, RedisFileCache, RefreshingFileCache
from tests.fakes.openai import FakeOpenAI
from tests.llmdata import llm_config


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def repo(make_repo):
    root, _ = make_repo(
        [
            {"docs/a.md": "# A\n\nOne.\n", "docs/b.md": "# B\n\nTwo.\n"},
            {"docs/a.md": "# A\n\nOne, revised.\n", "docs/b.md": "# B\n\nTwo, revised.\n"},
        ]
    )
    return root


def test_no_cache_keeps_llm_results_in_memory_and_starts_no_redis(fake, repo, tmp_path):
    config = replace(
        llm_config(fake),
        redis_url=None,
        data_dir=tmp_path / "never-created",
    )
    summarizer = get_summarizer("openai", config, cache=CacheMode.OFF)
    assert isinstance(summarizer.cache, InProcessFileCache)
    request = ReportRequest("HEAD~1...HEAD", git_path=str(repo), summarizer="openai", no_cache=True)
    build_report(request, config)
    first = len(fake.requests)
    build_report(request, config)
    assert first > 0 and len(fake.requests) == 2 * first  # nothing shared between runs
    assert not (tmp_path / "never-created").exists()  # no embedded Redis was started


def test_regenerate_asks_the_model_again_and_refreshes_the_cache(fake, repo, config):
    llm = replace(llm_config(fake, config), summarizer="openai")
    request = ReportRequest("HEAD~1...HEAD", git_path=str(repo))
    cached_build(request, llm)
    first = len(fake.requests)
    assert first > 0

    again = cached_build(request, llm)
    assert again.cached and len(fake.requests) == first

    refreshed = cached_build(request, llm, refresh=True)
    assert not refreshed.cached and len(fake.requests) == 2 * first

    summarizer = get_summarizer("openai", llm, cache=CacheMode.REFRESH)
    assert isinstance(summarizer.cache, RefreshingFileCache)
    assert isinstance(summarizer.cache.inner, RedisFileCache)
