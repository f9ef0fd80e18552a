"""What each structured-output mode costs on a real local model, and a 40-file change through it.

Run: ``.venv/bin/python benchmarks/bench_llm_real.py [--files 40]`` (``bench_llm.py`` runs it
too, after its own figures, unless given ``--fake-only``). llama-cpp-python's server with Gemma 3
270M (tests/localmodel.py, n_ctx 2048, one thread) writes the example report once per mode:
negotiated from nothing, then pinned to each of json_schema, json_object_schema, json_object
and text with ``DIFFINSIGHT_LLM_RESPONSE_FORMAT``. For each it prints the requests the server
answered (from its access log), the summarizer's calls, the wall time, how many files the
model wrote and whether the report fields are the model's. Then ``--files`` small Markdown
files through the negotiated mode. A tiny base model on a busy CPU: minutes, not seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_config  # noqa: E402
from bot.diff import Change  # noqa: E402
from bot.summarize.llm.filecache import InProcessFileCache  # noqa: E402
from bot.summarize.llm.negotiate import EndpointMemo, forget_all  # noqa: E402
from bot.summarize.llm.summarizer import LLMSummarizer  # noqa: E402
from tests.llmdata import doc_file, example_change, make_change  # noqa: E402
from tests.localmodel import MODEL_ALIAS, LlamaServer  # noqa: E402

MODES = (None, "json_schema", "json_object_schema", "json_object", "text")


def run(server: LlamaServer, change: Change, mode: str | None) -> str:
    forget_all()  # each mode from nothing remembered
    config = replace(
        load_config({}),
        openai_api_key="unused",
        openai_base_url=server.base_url,
        model=MODEL_ALIAS,
        summarizer="openai",
        llm_response_format=mode,
        llm_deadline_seconds=3600.0,
    )
    summarizer = LLMSummarizer(config, InProcessFileCache(), memo=EndpointMemo(None, "bench:"))
    since = len(server.requests())
    started = time.perf_counter()
    result = summarizer.summarize(change, "en_US")
    seconds = time.perf_counter() - started
    chat = [r for r in server.requests()[since:] if r[1] == "/v1/chat/completions"]
    refused = sum(1 for r in chat if r[2] != 200)
    counts = result.notes[0].split(": ", 1)[1]
    by_model = counts.split(" files summarized by the model")[0]
    calls = counts.split("; ")[1].split(" model call(s)")[0]
    overall = (
        "heuristic" if any("were written heuristically" in n for n in result.notes) else "model"
    )
    named = [n.split("(")[1].split(")")[0] for n in result.notes if "The model answered in" in n]
    used = named[0] if named else ("json_schema" if by_model != "0" else "-")
    name = mode or "negotiated"
    return (
        f"{name:20} {len(chat):8d} {refused:7d} {calls:>5} {seconds:8.1f} "
        f"{by_model:>4}/{len(change.files):<4} {overall:9} {used}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--skip-modes", action="store_true", help="only the --files change")
    args, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as work, LlamaServer(Path(work), n_ctx=2048) as server:
        print("llama-cpp-python server, Gemma 3 270M Q4_K_M, n_ctx 2048, 1 thread")
        print(f"{'mode':20} {'requests':>8} {'refused':>7} {'calls':>5} {'wall s':>8} "
              f"{'by model':>9} {'overall':9} mode used")  # fmt: skip
        for mode in () if args.skip_modes else MODES:
            print(run(server, example_change(), mode), flush=True)
        if args.files:
            files = [doc_file(i, lines=6) for i in range(args.files)]
            print(
                run(server, make_change(files), None).replace("negotiated", f"{args.files} files")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
