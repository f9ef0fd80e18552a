"""How long do the web and job paths take to say "Redis is unavailable" when Redis is away?

The tests assert the mechanism (which timeouts the clients set, how many connections each
call makes); this prints the time it adds up to. Three ways Redis can be away, each at an
address of this script's own on loopback:

* ``refused`` - nothing listens (a stopped server): connections are refused at once;
* ``dropping`` - something accepts and closes every connection (a server going down);
* ``silent`` - something accepts and never answers (a hung server or a black-holed route),
  where only the clients' socket timeouts end the wait.

For each, the median and max of ``--rounds`` runs of ``redis_ok`` (``/healthz``) and of the
four request-path calls the tests cover (enqueue a report job, load a report by id, check
its expiry, ``cached_build`` of a local change).

    .venv/bin/python benchmarks/bench_redis_down.py [--rounds 3]

Budgets (the figures the tests used to time): ``redis_ok`` under 1 s and the four calls
under 5 s together, for ``refused`` and ``dropping``; exits 1 when one is missed. ``silent``
is printed against the same budgets but not gated: it shows what the socket timeouts
(HEALTH_TIMEOUT, SOCKET_TIMEOUT in bot/store/connection.py) and retries cost in the worst case.
Touches no real Redis. First run (2 rounds, 2 shared cores): refused 0.10 s / 0.40 s,
dropping 0.30 s / 1.21 s, silent 2.31 s / 49.3 s, so a silent round takes most of a minute.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, load_config  # noqa: E402
from bot.jobs.queue import ReportJob, enqueue_report  # noqa: E402
from bot.request import ReportRequest  # noqa: E402
from bot.store.cache import cached_build, load_report_by_id, report_expired  # noqa: E402
from bot.store.connection import REDIS_DOWN, redis_ok  # noqa: E402
from tests.support import ClosingListener, free_port, git  # noqa: E402

HEALTH_BUDGET_S = 1.0
CALLS_BUDGET_S = 5.0


def _repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for i in range(2):
        (root / "a.md").write_text(f"# A\n\nVersion {i}.\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"commit {i}")
    return root


def _failing(fn: Callable[[], object]) -> float:
    """Wall time of ``fn``, which must fail the way a caller sees Redis being down."""
    start = time.perf_counter()
    try:
        fn()
    except REDIS_DOWN:
        return time.perf_counter() - start
    raise SystemExit(f"{fn} did not report Redis as unavailable")


def _health(config: Config) -> float:
    """Wall time of ``redis_ok``, which must answer False."""
    start = time.perf_counter()
    if redis_ok(config):
        raise SystemExit("redis_ok answered True for an address without Redis")
    return time.perf_counter() - start


def _calls(config: Config, repo: Path) -> list[Callable[[], object]]:
    job = ReportJob(source="HEAD~1...HEAD", channel="C1", git_path=str(repo))
    request = ReportRequest("HEAD~1...HEAD", git_path=str(repo))
    return [
        lambda: enqueue_report(config, job),
        lambda: load_report_by_id(config, "0" * 32),
        lambda: report_expired(config, "0" * 32),
        lambda: cached_build(request, config),
    ]


def measure(config: Config, repo: Path, rounds: int) -> tuple[list[float], list[float]]:
    health = [_health(config) for _ in range(rounds)]
    calls = [sum(_failing(fn) for fn in _calls(config, repo)) for _ in range(rounds)]
    return health, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        repo = _repo(Path(tmp) / "repo")
        base = replace(load_config({}), data_dir=Path(tmp) / "data")
        for name in ("refused", "dropping", "silent"):
            listener = None if name == "refused" else ClosingListener(silent=name == "silent")
            port = listener.port if listener else free_port()
            config = replace(base, redis_url=f"redis://127.0.0.1:{port}/0")
            try:
                health, calls = measure(config, repo, args.rounds)
            finally:
                if listener:
                    listener.close()
            gated = name != "silent"
            within = max(health) < HEALTH_BUDGET_S and max(calls) < CALLS_BUDGET_S
            ok = ok and (within or not gated)
            tries = f", {listener.accepted} connections accepted" if listener else ""
            verdict = ("within budget" if within else "OVER BUDGET") if gated else "not gated"
            print(f"{name} ({args.rounds} rounds{tries}): {verdict}")
            print(
                f"  redis_ok (/healthz): median {statistics.median(health):.2f} s, "
                f"max {max(health):.2f} s  (budget < {HEALTH_BUDGET_S:.0f} s)"
            )
            print(
                f"  enqueue + load by id + expiry + cached_build: median "
                f"{statistics.median(calls):.2f} s, max {max(calls):.2f} s  "
                f"(budget < {CALLS_BUDGET_S:.0f} s)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
