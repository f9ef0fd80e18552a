"""Worst-case path glob match time: any accepted glob against any path must take under 10 ms.

Run: ``.venv/bin/python benchmarks/bench_glob.py``. Globs at the limits (200 characters, ten
``**``) built to hurt a backtracking matcher, plus random accepted globs, against paths of 26
segments and of 4,096 characters (Linux's PATH_MAX). Each figure is the fastest of five runs
(so load from other processes is not counted), compiling included (the cache is cleared).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.areas import (  # noqa: E402
    MAX_GLOB_LENGTH,
    MAX_GLOBSTARS,
    _machine,
    glob_matches,
    glob_problem,
)

BUDGET_MS = 10.0
RUNS = 5


def slowest(glob: str, path: str) -> float:
    """One input's time in ms: the fastest of RUNS, so other load on the machine is not counted
    (the worst case is over inputs, not over the scheduler's mood)."""
    best = float("inf")
    for _ in range(RUNS):
        _machine.cache_clear()
        start = time.perf_counter()
        glob_matches(glob, path)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def hostile_globs() -> dict[str, str]:
    cut = MAX_GLOB_LENGTH
    return {
        "ten **/ then *a runs": ("**/" * MAX_GLOBSTARS + "*a" * 100)[:cut],
        "*a x 100": ("*a" * 100)[:cut],
        "? x 200": "?" * cut,
        "**/a* x 10 then ?*": ("**/a*" * MAX_GLOBSTARS + "?*" * 80)[:cut],
        "*/ x 100": ("*/" * 100)[:cut],
        "a**a x 10": ("a**" * MAX_GLOBSTARS + "a" * 200)[:cut],
    }


def random_globs(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        glob = "".join(rng.choice(["**/", "*", "?", "a", "/", "a*", "**"]) for _ in range(60))
        glob = glob[: rng.randint(10, MAX_GLOB_LENGTH)]
        if glob_problem(glob) is None:
            found.append(glob)
    return found


def main() -> int:
    paths = {
        "26 segments": "/".join(["a"] * 26) + "/" + "a" * 30,
        "4096 chars, 64-char folders": "/".join(["a" * 63] * 65)[:4096],
        "4096 chars, one name": "a" * 4096,
        "4096 chars, a/ repeated": "a/" * 2048,
    }
    worst = 0.0
    for name, glob in hostile_globs().items():
        assert glob_problem(glob) is None, name
        for pname, path in paths.items():
            ms = slowest(glob, path)
            worst = max(worst, ms)
            print(f"{name:24} {pname:28} {ms:7.3f} ms")
    rand_worst = max(slowest(g, p) for g in random_globs(200) for p in paths.values())
    print(f"{'200 random accepted globs':24} {'all paths above':28} {rand_worst:7.3f} ms")
    worst = max(worst, rand_worst)
    verdict = "OK" if worst < BUDGET_MS else "OVER BUDGET"
    print(f"worst case: {worst:.3f} ms (budget {BUDGET_MS:.0f} ms) {verdict}")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
