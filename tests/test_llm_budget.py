"""Token estimates and patch compression: offline, conservative, and in the stated order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages
from bot.diff import FileChange
from bot.summarize.llm.budget import compress_patch, estimate_request, estimate_tokens, fit_text
from bot.summarize.llm.filecache import InProcessFileCache
from bot.summarize.llm.plan import pack, water_level
from bot.summarize.llm.prompts import repair_message
from bot.summarize.llm.replies import repair_request
from bot.summarize.llm.schema import (
    FILES_SCHEMA_NAME,
    clean_text,
    files_schema,
    to_report_summary,
)
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.fakes.openai import FakeOpenAI
from tests.fakes.openai_replies import count_tokens
from tests.llmdata import (
    alone_estimates,
    doc_file,
    doc_patch,
    llm_config,
    make_change,
    request_estimate,
)

PATCH = doc_patch(1, lines=4, hunks=3)


def test_estimates_are_conservative_and_cover_cjk():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a" * 32) == 10
    assert estimate_tokens("日本語の文章") == 8
    body = {"messages": [{"role": "user", "content": PATCH}]}
    assert estimate_request(body["messages"]) >= count_tokens(body)


def test_a_patch_within_its_allowance_is_sent_whole():
    result = compress_patch(PATCH, 10_000)
    assert result.text == PATCH and not result.cut and result.total_hunks == 3


def test_context_lines_go_first():
    without_context = estimate_tokens(
        "\n".join(line for line in PATCH.split("\n") if not line.startswith(" "))
    )
    result = compress_patch(PATCH, without_context + 2)
    assert result.dropped_context and result.dropped_hunks == 0
    assert not any(line.startswith(" ") for line in result.text.split("\n"))
    assert result.text.count("@@ -") == 3


def test_then_whole_hunks_largest_first_keeping_their_headers():
    patch = doc_patch(1, lines=2, hunks=1) + "\n" + doc_patch(2, lines=30, hunks=1)
    result = compress_patch(patch, estimate_tokens(patch) // 3)
    assert result.dropped_hunks == 1 and result.total_hunks == 2
    assert "New sentence 1 of section 0 in document 1." in result.text
    assert "document 2" not in result.text
    assert result.text.count("@@ -1,") == 2
    assert "[hunk body left out to fit the budget: +30 -30]" in result.text


@settings(max_examples=60, deadline=None)
@given(
    lines=st.integers(1, 40),
    hunks=st.integers(1, 8),
    allowance=st.integers(0, 3000),
)
def test_a_compressed_patch_never_exceeds_its_allowance(lines, hunks, allowance):
    patch = doc_patch(3, lines=lines, hunks=hunks)
    assert estimate_tokens(compress_patch(patch, allowance).text) <= allowance


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=400), limit=st.integers(-2, 150))
def test_fitted_text_never_exceeds_its_limit(text, limit):
    fitted = fit_text(text, limit)
    assert estimate_tokens(fitted) <= max(0, limit)
    assert fitted == text or fitted in ("", "…") or text.startswith(fitted[:-1].rstrip())


def test_fit_text_and_water_level():
    assert fit_text("short", 10) == "short"
    cut = fit_text("word " * 200, 20)
    assert estimate_tokens(cut) <= 20 and cut.endswith("…")
    assert water_level([100, 5000], [10, 10], 2000, 5000) == 1880
    assert water_level([100, 5000], [10, 10], 300, 5000) is None


def test_packing_balances_the_calls_and_opens_more_only_when_they_cannot_hold_the_files():
    assert pack([], 100, 8) == []
    assert pack([5, 5, 5], 100, 8) == [[0], [1], [2]]
    groups = pack([50, 10, 40, 30, 20, 60], 100, 3)
    assert sorted(i for g in groups for i in g) == list(range(6))
    assert sorted(sum([50, 10, 40, 30, 20, 60][i] for i in g) for g in groups) == [70, 70, 70]
    assert all(g == sorted(g) for g in groups)
    assert len(pack([60, 60, 60, 60], 100, 2)) == 4
    assert len(pack([60, 40, 60, 40], 100, 2)) == 2


@settings(max_examples=60, deadline=None)
@given(costs=st.lists(st.integers(1, 100), max_size=40), groups=st.integers(1, 10))
def test_packing_never_overfills_a_call_or_loses_a_file(costs, groups):
    packed = pack(costs, 100, groups)
    assert sorted(i for g in packed for i in g) == list(range(len(costs)))
    assert all(sum(costs[i] for i in g) <= 100 for g in packed)
    assert len(packed) <= max(groups, sum(costs) // 50 + 1)


def test_model_text_is_plain_and_bounded():
    assert clean_text("a\x00b\x1b[31mc\r\nd ") == "ab[31mc\nd"
    long = clean_text("x" * 10_000)
    assert len(long) == 6000 and long.endswith("…")
    summary = to_report_summary(
        {
            "summary": "Summary: the change",
            "highlights": {
                "new_features": ["a\nb", ""],
                "breaking_changes": [],
                "other_updates": [],
            },
            "insights": "i",
        }
    )
    assert summary.summary == "the change" and summary.highlights.new_features == ["a b"]


def test_an_oversized_file_is_compressed_to_its_budget_and_the_notes_say_so():
    patches = [doc_patch(9 + i, lines=20, hunks=12) for i in range(2)]
    huge = [FileChange(f"docs/huge-{i}.md", "modified", 240, 240, p) for i, p in enumerate(patches)]
    with FakeOpenAI() as fake:
        config = llm_config(fake, llm_file_budget=2500, llm_call_budget=3000)
        context = "\n".join([" unchanged context line of the framing paragraph"] * 150)
        framed = FileChange(
            "docs/framed.md",
            "modified",
            1,
            1,
            f"@@ -1,301 +1,301 @@\n{context}\n-old value\n+new value\n" + context,
        )
        change = make_change([*huge, framed, doc_file(2)])
        result = LLMSummarizer(config, InProcessFileCache()).summarize(change, "en_US")

    batches = fake.completions(FILES_SCHEMA_NAME)
    assert len(batches) >= 2
    shares = {path: n for r in batches for path, n in alone_estimates(r).items()}
    assert sorted(shares) == sorted(f.filename for f in change.files)
    assert all(n <= 2500 for n in shares.values())
    assert shares["docs/huge-0.md"] > 2000  # compressed to its allowance, not far below it
    assert all(request_estimate(r) <= 3000 for r in fake.requests)
    assert all(r.prompt_tokens <= 3000 for r in fake.requests)
    huge_call = next(r for r in fake.requests if "docs/huge-0.md" in r.text())
    assert "hunk bodies left out to fit the budget" in huge_call.text()
    assert messages.LLM_CUT_HUNKS.format(files="docs/huge-0.md, docs/huge-1.md") in result.notes
    assert messages.LLM_CUT_CONTEXT.format(files="docs/framed.md") in result.notes
    framed_call = next(r for r in fake.requests if "docs/framed.md" in r.text())
    assert "-old value\n+new value" in framed_call.text()


def test_a_report_never_sends_more_than_its_budget_and_says_what_it_left_out():
    files = [doc_file(i, lines=20) for i in range(12)]
    with FakeOpenAI() as fake:
        config = llm_config(fake, llm_call_budget=1500, llm_report_budget=6000)
        result = LLMSummarizer(config, InProcessFileCache()).summarize(make_change(files), "en_US")

    assert sum(request_estimate(r) for r in fake.requests) <= 6000
    left_out = [n for n in result.notes if messages.LLM_REASON_BUDGET in n]
    assert left_out and left_out[0].startswith("Summarized heuristically because")
    assert "about " in result.notes[0] and "(budget 6000)" in result.notes[0]


def test_a_per_file_budget_too_small_for_the_instructions_sends_no_file_call():
    with FakeOpenAI() as fake:
        config = llm_config(fake, llm_file_budget=300, llm_call_budget=900)
        change = make_change([doc_file(i, lines=20) for i in range(4)])
        result = LLMSummarizer(config, InProcessFileCache()).summarize(change, "en_US")

    assert not fake.completions(FILES_SCHEMA_NAME)
    assert all(request_estimate(r) <= 900 for r in fake.requests)
    assert any(
        n.startswith("Summarized heuristically because the report's token") for n in result.notes
    )
    assert "4 summarized heuristically" in result.notes[0]


def test_a_repair_fits_its_call_budget_problems_first_then_as_much_of_the_reply_as_fits():
    schema = files_schema(["F1"])
    asked = [{"role": "user", "content": "describe " * 200}]
    bad_reply = "not json " * 500
    problems = [f"problem number {i} " + "x" * 300 for i in range(20)]
    base = estimate_request(asked, schema)

    roomy = repair_request(asked, bad_reply, problems, schema, base + 5000)
    assert roomy is not None and roomy[1] == {"role": "assistant", "content": bad_reply}
    assert roomy[2]["content"].count("\n- ") == 8 and "…" in roomy[2]["content"]

    echo_cut = repair_request(asked, bad_reply, problems, schema, base + 600)
    assert echo_cut is not None and estimate_request(echo_cut, schema) <= base + 600
    assert echo_cut[1]["role"] == "assistant" and echo_cut[1]["content"].endswith("…")
    assert echo_cut[2]["content"].count("\n- ") == 8

    fewer = repair_request(asked, bad_reply, problems, schema, base + 300)
    assert fewer is not None and estimate_request(fewer, schema) <= base + 300
    assert [m["role"] for m in fewer] == ["user", "user"]
    assert 0 < fewer[1]["content"].count("\n- ") < 8

    one = {"role": "user", "content": repair_message(problems[:1])}
    least = estimate_request([*asked, one], schema)
    assert repair_request(asked, bad_reply, problems, schema, least) == [*asked, one]
    assert repair_request(asked, bad_reply, problems, schema, least - 1) is None


def _alnum_floor(text: str) -> int:
    """Tokens a GPT tokenizer needs at least for letters and digits: every maximal letter run
    is one piece or more, every run of digits one piece per three digits."""
    floor, run, kind = 0, 0, ""
    for ch in text + "\n":
        now = "digit" if ch.isdigit() else ("letter" if ch.isalpha() else "")
        if now != kind and run:
            floor += -(-run // 3) if kind == "digit" else 1
            run = 0
        kind = now
        run += 1 if now else 0
    return floor


def test_hashes_and_numbers_are_not_under_counted():
    """Lock files and checksums run far below 3.2 characters a token; the estimate follows."""
    import hashlib

    hashes = "".join(f"+{hashlib.sha256(str(i).encode()).hexdigest()}\n" for i in range(200))
    numbers = " ".join(str(i * 7919) for i in range(500))
    for text in (hashes, numbers, "1234567890" * 100):
        assert estimate_tokens(text) >= _alnum_floor(text) > len(text) / 3.2
        assert estimate_tokens(text) <= len(text)  # still an estimate, not one per character


def test_a_report_of_lock_file_hashes_keeps_to_its_budget():
    import hashlib

    def patch(n: int) -> str:
        hunks = []
        for h in range(12):
            lines = [f"+{hashlib.sha1(f'{n}-{h}-{i}'.encode()).hexdigest()}" for i in range(5)]
            hunks.append(f"@@ -{h * 9 + 1},0 +{h * 9 + 1},5 @@\n" + "\n".join(lines))
        return "\n".join(hunks)

    files = [FileChange(f"deps/go{n}.sum", "modified", 60, 0, patch(n)) for n in range(12)]
    with FakeOpenAI() as fake:
        config = llm_config(fake, llm_call_budget=9000, llm_report_budget=9000)
        LLMSummarizer(config, InProcessFileCache()).summarize(make_change(files), "en_US")
    sent = [r.text("user") + r.text("system") for r in fake.requests]
    assert sum(_alnum_floor(text) for text in sent) <= 9000
    assert all(request_estimate(r) <= 9000 for r in fake.requests)


def test_language_names_follow_the_locale_spelt_any_way():
    from bot.request import normalize_lang
    from bot.summarize.llm.prompts import language_name

    assert language_name(normalize_lang("zh-Hant")) == "Traditional Chinese"
    assert language_name(normalize_lang("zh_TW")) == "Traditional Chinese"
    assert language_name(normalize_lang("zh-cn")) == "Simplified Chinese"
    assert language_name(normalize_lang("JA-jp")) == "Japanese"
