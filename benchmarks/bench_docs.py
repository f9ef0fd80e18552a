"""Benchmark: the docs fact finders on real docs changes and on hostile pages of growing size.

Real: every diff in tests/data/docs/ (five doc sites), summarised as one change each.
Hostile: thousands of renamed headings, of edited list items, of one-line paragraphs, and one
50,000-character line, at two sizes, so the figures show the cost grows linearly.

    .venv/bin/python benchmarks/bench_docs.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.diff import Change, FileChange, RefInfo, parse_unified_diff  # noqa: E402
from bot.summarize.heuristic.summarizer import HeuristicSummarizer, file_facts  # noqa: E402


def _change(files: list[FileChange]) -> Change:
    ref = RefInfo("main", "a" * 40)
    return Change("bench/docs", "github.com", ref, ref, "local", files, "2026-01-01")


def _hostile(kind: str, n: int) -> str:
    if kind == "headings":
        old = "".join(f"-## h{i}\n-body {i} words here\n" for i in range(n))
        return (
            "@@ -1,9 +1,9 @@\n"
            + old
            + "".join(f"+## g{i}\n+body {i} words here\n" for i in range(n))
        )
    if kind == "items":
        old = "".join(f"-- item {i} alpha beta\n" for i in range(n))
        return "@@ -1,9 +1,9 @@\n" + old + "".join(f"+- item {i} gamma beta\n" for i in range(n))
    if kind == "paragraphs":
        old = "".join(f"-para {i} alpha beta\n-\n" for i in range(n))
        return "@@ -1,9 +1,9 @@\n" + old + "".join(f"+para {i} gamma beta\n+\n" for i in range(n))
    return "@@ -1,2 +1,2 @@\n-" + "[" * (n * 10) + "\n+" + "](" * (n * 5) + "\n"


def main() -> None:
    summarizer = HeuristicSummarizer()
    for path in sorted((ROOT / "tests" / "data" / "docs").glob("*.diff")):
        files = parse_unified_diff(path.read_bytes())
        lines = sum(f.changes for f in files)
        start = time.perf_counter()
        summarizer.summarize(_change(files), "en")
        took = (time.perf_counter() - start) * 1000
        print(f"real  {path.stem:40} {len(files):3} files {lines:5} lines {took:8.1f} ms")
    for kind in ("headings", "items", "paragraphs", "long line"):
        for n in (2000, 4000):
            patch = _hostile(kind, n)
            start = time.perf_counter()
            facts = file_facts(FileChange("x.md", "modified", n, n, patch))
            took = (time.perf_counter() - start) * 1000
            print(
                f"hostile {kind:12} n={n:5} {len(patch) // 1024:5} KB {took:8.1f} ms "
                f"{len(facts)} facts"
            )


if __name__ == "__main__":
    main()
