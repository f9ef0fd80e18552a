"""LLM summarizer cost and speed against FakeOpenAI answering every call after 300 ms.

Run: ``.venv/bin/python benchmarks/bench_llm.py``. The fake runs in a process of its own (as a
real server would), so its work does not compete with the summarizer for the GIL. Prints, for
each scenario, the calls made, the files sent, the prompt tokens sent (our estimate and the
fake's own count) and the wall time, and exits 1 when a target is missed:

* a 40-file change with the default ``llm_concurrency`` of 8: one wave of at most 8 batch calls,
  then one synthesis call, so at most 9 calls and 3 x 300 ms (against 41 x 300 ms sequentially);
* the same change with a concurrency of 1, for comparison: the call budget then needs more
  batch calls than are sent at once, and the round takes several waves;
* the example report's change in one call;
* the same 40-file change again: 0 tokens;
* BASE...NEWER after BASE...HEAD: tokens only for the files that differ;
* a model that never answers (an in-process FakeOpenAI that hangs): the example change with
  a 0.5 s call timeout, and five files with a 1 s report deadline, each ending in a heuristic
  report within 3 s (the deadline run no sooner than its deadline).
* BASE...NEWER after BASE...HEAD: tokens only for the files that differ.

Then the command line's start-up (issue 14, item 6): ``diffinsight report --git`` of a 40-file
change in a temporary repository, offline and through the same fake, interleaved, median of
:data:`RUNS`; when the first request reached the fake; what ``import openai`` alone costs. The
target: the LLM run within 1.2 s of the offline one (two round trips of 0.3 s are the floor).
Last, unless ``--fake-only``, ``bench_llm_real.py``: each structured-output mode on a real model.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_llm_real  # noqa: E402

from bot.diff import Change  # noqa: E402
from bot.summarize.llm.filecache import InProcessFileCache  # noqa: E402
from bot.summarize.llm.summarizer import LLMSummarizer  # noqa: E402
from tests.fakes.openai import FakeOpenAI  # noqa: E402
from tests.fakes.openai_process import RemoteFakeOpenAI  # noqa: E402
from tests.llmdata import (  # noqa: E402
    doc_file,
    example_change,
    file_block_paths,
    llm_config,
    make_change,
    request_estimate,
)

LATENCY = 0.3
FILES = 40
HANG_BUDGET = 3.0
"""A report whose model hangs ends within its timeout or deadline plus this much slack."""
RUNS = 5
ROOT = Path(__file__).resolve().parent.parent
CLI = [str(ROOT / ".venv/bin/diffinsight"), "report", "--git"]


@dataclass
class Figures:
    name: str
    calls: int
    estimated_tokens: int
    server_tokens: int
    seconds: float
    files_sent: int


def run(
    fake: RemoteFakeOpenAI | FakeOpenAI, name: str, change: Change, cache, **settings
) -> Figures:
    summarizer = LLMSummarizer(llm_config(fake, **settings), cache)
    since = len(fake.requests)
    started = time.perf_counter()
    summarizer.summarize(change, "en_US")
    seconds = time.perf_counter() - started
    requests = fake.requests[since:]
    return Figures(
        name,
        len(requests),
        sum(request_estimate(r) for r in requests),
        sum(r.prompt_tokens for r in requests),
        seconds,
        sum(len(file_block_paths(r)) for r in requests),
    )


def forty_files(salted: tuple[int, ...] = (), extra: int = 0) -> Change:
    files = [doc_file(i, lines=30, salt=" (newer)" if i in salted else "") for i in range(FILES)]
    files += [doc_file(FILES + i, lines=30) for i in range(extra)]
    return make_change(files, head="newer" if salted or extra else "main")


def main() -> int:
    results: list[tuple[Figures, str, bool]] = []
    with RemoteFakeOpenAI(latency=LATENCY) as fake:
        cache = InProcessFileCache()
        big = run(fake, f"{FILES} files, concurrency 8 (default)", forty_files(), cache)
        fast = big.seconds <= 3 * LATENCY and big.calls <= 9
        results.append((big, f"<= 9 calls, <= {3 * LATENCY:.1f} s", fast))
        one = run(fake, f"{FILES} files, concurrency 1", forty_files(), InProcessFileCache(),
                  llm_concurrency=1)  # fmt: skip
        results.append((one, "(for comparison: several waves)", True))
        example = run(fake, "example change (2 files)", example_change(), InProcessFileCache())
        results.append((example, "1 call", example.calls == 1))
        again = run(fake, f"{FILES} files again", forty_files(), cache)
        results.append((again, "0 tokens", again.estimated_tokens == 0 and again.calls == 0))
        newer = forty_files(salted=(3, 17, 29), extra=2)
        overlap = run(fake, "BASE...NEWER after HEAD", newer, cache)
        only_new = overlap.files_sent == 5 and overlap.calls <= 2
        results.append((overlap, "only the 5 new patches sent (3 changed, 2 added)", only_new))
    with FakeOpenAI() as hanging:  # in this process: it needs a rule, and it only waits
        hanging.add_rule("hang", times=None)
        hang = run(hanging, "model never answers, 0.5 s timeout", example_change(),
                   InProcessFileCache(), llm_timeout_seconds=0.5, llm_max_retries=0)  # fmt: skip
        results.append((hang, f"wall < {HANG_BUDGET:.0f} s", hang.seconds < HANG_BUDGET))
        late = run(hanging, "model never answers, 1 s deadline",
                   make_change([doc_file(i) for i in range(5)]), InProcessFileCache(),
                   llm_call_budget=1500, llm_deadline_seconds=1.0)  # fmt: skip
        bounded = 1.0 <= late.seconds < HANG_BUDGET
        results.append((late, f"1 s <= wall < {HANG_BUDGET:.0f} s", bounded))
    sequential = (FILES + 1) * LATENCY
    print(f"FakeOpenAI latency {LATENCY * 1000:.0f} ms; sequential 41 calls = {sequential:.1f} s")
    print(f"{'scenario':34} {'calls':>5} {'files':>5} {'tokens':>8} {'server':>8} {'wall s':>7}")
    for f, target, ok in results:
        print(
            f"{f.name:34} {f.calls:5d} {f.files_sent:5d} {f.estimated_tokens:8d} "
            f"{f.server_tokens:8d} {f.seconds:7.2f}  {'ok' if ok else 'MISSED'} {target}"
        )
    print("files: FILE blocks sent; tokens: our estimate of prompt tokens sent; server: the")
    print("fake's own count")
    quick = startup()
    if "--fake-only" not in sys.argv:
        bench_llm_real.main()
    return 0 if all(ok for _, _, ok in results) and quick else 1


def _git(repo: Path, *args: str) -> None:
    who = ["-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    subprocess.run(["git", *who, *args], cwd=repo, check=True, capture_output=True)


def _repository(where: Path) -> Path:
    """A repository whose last commit changes :data:`FILES` Markdown files."""
    repo = where / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for stage in ("Old", "New"):
        for i in range(FILES):
            lines = [f"# Guide {i}", ""] + [
                f"{stage} sentence {k} of section 0 in document {i}." for k in range(30)
            ]
            (repo / f"guide-{i:02d}.md").write_text("\n".join(lines) + "\n")
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", stage)
    return repo


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    return time.monotonic() - started


def startup() -> bool:
    """Offline and LLM command-line runs of a 40-file change; True when within target."""
    with tempfile.TemporaryDirectory() as work, RemoteFakeOpenAI(latency=LATENCY) as fake:
        repo = _repository(Path(work))
        command = [*CLI, str(repo), "HEAD~1...HEAD", "--no-cache", "--summarizer"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE"))}
        llm_env = {**env, "OPENAI_API_KEY": fake.api_key, "OPENAI_BASE_URL": fake.base_url}
        offline, online, first = [], [], []
        for _ in range(RUNS):
            offline.append(_timed([*command, "heuristic"], env))
            since, started = len(fake.requests), time.monotonic()
            online.append(_timed([*command, "openai"], llm_env))
            first.append(min(r.started for r in fake.requests[since:]) - started)
        python = str(ROOT / ".venv/bin/python")
        imports = [_timed([python, "-c", "import openai"], env) for _ in range(RUNS)]
        bare = [_timed([python, "-c", "pass"], env) for _ in range(RUNS)]
    off, on = statistics.median(offline), statistics.median(online)
    print(f"command line, {FILES}-file report --git (median of {RUNS}):")
    print(f"  offline (heuristic)          {off:6.2f} s")
    print(f"  LLM, fake answering in 0.3 s {on:6.2f} s  ({on - off:+.2f} s; target <= +1.20)")
    print(f"  first request sent after     {statistics.median(first):6.2f} s")
    alone = statistics.median(imports) - statistics.median(bare)
    print(f"  import openai alone          {alone:6.2f} s")
    return on - off <= 1.2


if __name__ == "__main__":
    raise SystemExit(main())
