"""How long does the server take to produce the page of a 300-file report?

Two measurements, both in this process:

1. ``render`` - :func:`bot.render.html.render_html` alone on a synthetic report of 300 files,
   each with two hunks (``--lines`` lines per hunk), markup in every line.
2. ``route`` - what ``GET /reports/{id}`` does: :func:`bot.store.cache.load_report_by_id` from the
   real Redis (``REDIS_URL``, else the embedded one in a temporary directory) plus rendering,
   for a real report of a local repository with 300 changed files built by the heuristic
   summarizer through the cache.

    .venv/bin/python benchmarks/bench_web.py [--rounds 20] [--lines 40]

Prints wall-clock median/p90/max and the median CPU time per measurement, and exits 1 when
a wall-clock p90 is over the budget (200 ms).
Only keys under its own prefix are created, and they are deleted at the end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, load_config  # noqa: E402
from bot.render.html import render_html  # noqa: E402
from bot.request import ReportRequest  # noqa: E402
from bot.store.cache import cached_build, load_report_by_id  # noqa: E402
from bot.store.connection import get_redis, shutdown_embedded  # noqa: E402
from tests.webdata import large_report  # noqa: E402

BUDGET_MS = 200.0
FILES = 300


def _timings(func: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per call (CPU shows the cost on a shared machine)."""
    func()  # warm caches (markdown-it parser, imports)
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def _report(name: str, times: tuple[list[float], list[float]], size: int) -> bool:
    wall, cpu = times
    ordered = sorted(wall)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    print(
        f"{name:6s} median {statistics.median(wall):6.1f} ms  p90 {p90:6.1f} ms  "
        f"max {max(wall):6.1f} ms  cpu median {statistics.median(cpu):6.1f} ms  "
        f"page {size / 1e6:.2f} MB"
    )
    return p90 <= BUDGET_MS


def _git(root: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _repository(root: Path, lines: int) -> None:
    """A repository whose last commit changes FILES files in two places each."""
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    body = [f"line {j} <tag attr='x'> & text to render" for j in range(3 * lines)]
    for i in range(FILES):
        path = root / f"pkg/module_{i:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(body) + "\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    for i in range(FILES):
        changed = list(body)
        for j in range(0, lines // 2, 2):
            changed[j + 5] = f"changed {j} in {i} <b>bold?</b>"
            changed[j + 2 * lines] = f"changed late {j} in {i}"
        (root / f"pkg/module_{i:03d}.py").write_text("\n".join(changed) + "\n")
    _git(root, "commit", "-q", "-am", "change")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--lines", type=int, default=40, help="lines per hunk")
    args = parser.parse_args(argv)

    synthetic = large_report(FILES, args.lines)
    ok = _report(
        "render",
        _timings(lambda: render_html(synthetic, "bench"), args.rounds),
        len(render_html(synthetic, "bench")),
    )

    with tempfile.TemporaryDirectory() as tmp:
        base = load_config()
        config: Config = replace(
            base,
            redis_prefix=f"dibench:{uuid.uuid4().hex[:8]}:",
            data_dir=Path(tmp) / "data",
            summarizer="heuristic",
        )
        try:
            _repository(Path(tmp) / "repo", args.lines)
            request = ReportRequest(source="HEAD~1...HEAD", git_path=str(Path(tmp) / "repo"))
            outcome = cached_build(request, config)
            assert len(outcome.report.files) == FILES, len(outcome.report.files)

            def route() -> str:
                report = load_report_by_id(config, outcome.report_id)
                assert report is not None
                return render_html(report, outcome.report_id)

            ok = _report("route", _timings(route, args.rounds), len(route())) and ok
        finally:
            client = get_redis(config)
            for key in client.scan_iter(match=f"{config.redis_prefix}*", count=1000):
                client.delete(key)
            if not config.redis_url:
                shutdown_embedded(config.data_dir)
    print(f"budget: p90 <= {BUDGET_MS:.0f} ms for {FILES} files -> {'ok' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
