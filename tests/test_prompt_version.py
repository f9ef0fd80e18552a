"""The prompt version is part of every LLM cache key: a wording change must move it."""

from __future__ import annotations

from bot.summarize.llm.prompts import PROMPT_VERSION, system_prompt

# Versions whose prompts asked for Simplified Chinese when zh_Hant or zh_MO was requested;
# summaries cached under them must never be served again.
SIMPLIFIED_FOR_ZH_HANT = {"2025-06-llm-1", "2025-06-llm-2"}


def test_cached_zh_hant_summaries_in_simplified_chinese_are_not_served() -> None:
    for lang in ("zh_Hant", "zh_MO"):
        assert "Traditional Chinese" in system_prompt(lang, "files")
    assert PROMPT_VERSION not in SIMPLIFIED_FOR_ZH_HANT
