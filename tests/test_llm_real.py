"""The example report written by a real local model through llama-cpp-python's server and the
real ``openai`` client: negotiation (the server refuses ``json_schema``), a context window it
does not tell but names when exceeded, the checks, the cache. The model is Gemma 3 270M, a
tiny base model, so this asserts the mechanics, not the prose."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.build import build_from_change
from bot.config import load_config
from bot.render.markdown import render_markdown
from bot.summarize import MODIFICATION_TYPES
from bot.summarize.llm.filecache import RedisFileCache
from bot.summarize.llm.negotiate import EndpointMemo
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.llmdata import example_change
from tests.localmodel import MODEL_ALIAS, LlamaServer


@pytest.mark.timeout(900)
def test_the_example_report_is_written_by_a_real_local_model(tmp_path, redis_client, redis_prefix):
    with LlamaServer(tmp_path, n_ctx=2048) as server:
        config = replace(
            load_config({}),
            openai_api_key="unused",
            openai_base_url=server.base_url,
            model=MODEL_ALIAS,
            summarizer="openai",
            redis_prefix=redis_prefix,
            llm_deadline_seconds=600.0,
        )

        def summarizer() -> LLMSummarizer:
            cache = RedisFileCache(redis_client, redis_prefix, 600)
            return LLMSummarizer(config, cache, memo=EndpointMemo(redis_client, redis_prefix))

        started = len(server.requests())
        report = build_from_change(
            example_change(), globs=(), lang="en_US", summarizer=summarizer()
        )
        asked = server.requests()[started:]
        chat = [r for r in asked if r[1] == "/v1/chat/completions"]
        assert chat[0][2] == 500  # json_schema refused, as llama-cpp-python does
        assert any(status == 200 for _, _, status in chat), server.log_tail()

        notes = report.notes
        assert not any("heuristically because" in n for n in notes), notes
        assert "2 files summarized by the model" in notes[0], notes
        assert any("(json_object_schema) because the server did not take json_schema" in n
                   for n in notes)  # fmt: skip
        for f in report.files:
            assert f.modification_type in MODIFICATION_TYPES
            assert f.modification_title.strip() and f.explanation.strip()
            assert "Summarized heuristically" not in f.explanation
        assert report.summary.strip() and report.insights.strip()
        rendered = render_markdown(report)
        assert all(f.modification_title in rendered for f in report.files)

        # Again: every file and the report fields come from the cache, no request is sent.
        before = len(server.requests())
        again = build_from_change(example_change(), globs=(), lang="en_US", summarizer=summarizer())
        assert len(server.requests()) == before
        assert "2 from the cache" in again.notes[0]
        assert [f.explanation for f in again.files] == [f.explanation for f in report.files]
