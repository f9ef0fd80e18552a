"""How fast does ``/diffinsight`` answer, and how soon does a cached report reach the channel?

1. Ack latency: rounds of 50 signed slash commands sent at the same instant, each on its own
   new TCP connection (so the listen backlog matters), to the production app (``create_app``
   under uvicorn with the production settings) in its own process. Every command is parsed,
   deduplicated and queued in Redis before the ack. Budget: p99 under 100 ms.
2. ``link_shared`` ack latency: the same rounds of distinct signed events, each pasting one
   uncached compare link, so each is claimed and its preview job queued before the ack.
   Slack retries an event not acknowledged within 3 s; budget: p99 under 100 ms here too.
3. Command to parent post for a cached report: the same command again with a worker process
   running (``run_worker``, RQ forking a work horse per job, as in production); the time from
   sending the command to FakeSlack receiving the "building" parent and then the finished
   parent (the ``chat.update`` carrying the report header). Budget: under 300 ms.

    .venv/bin/python benchmarks/bench_slack.py [--rounds 10] [--concurrency 50] [--cached 10]

Redis: ``REDIS_URL`` when set, else the embedded one in a temporary directory. Only keys
under the benchmark's own prefix and queue are created, and they are deleted at the end.
Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, load_config  # noqa: E402
from bot.jobs.queue import get_queue  # noqa: E402
from bot.store.connection import get_redis, shutdown_embedded  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.support import command_body, free_port, sign_slack  # noqa: E402

ACK_P99_BUDGET_MS = 100.0
CACHED_BUDGET_MS = 300.0
SLACK_ACK_LIMIT_MS = 3000.0
"""Slack retries (and after three failures drops) an event not acknowledged within 3 s."""
SECRET = "bench-slack-secret"


def _serve(config: Config, port: int) -> None:
    """The web process, as ``diffinsight serve`` runs it (child process entry point)."""
    import uvicorn

    from handlers.app import create_app, uvicorn_config

    uvicorn.Server(uvicorn_config(create_app(config), port, host="127.0.0.1")).run()


def _work(config: Config) -> None:
    """The worker process, as ``diffinsight worker`` runs it."""
    import logging

    from bot.jobs.worker import run_worker

    logging.disable(logging.INFO)
    run_worker(config)


def _post(port: int, body: bytes, content_type: str | None = None) -> tuple[float, int]:
    """One command (or event) on a fresh connection; (seconds, status)."""
    headers = sign_slack(body, SECRET)
    if content_type:
        headers["Content-Type"] = content_type
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return time.perf_counter() - start, resp.status
    finally:
        conn.close()


def _wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def _round(
    port: int, bodies: list[bytes], content_type: str | None = None
) -> list[tuple[float, int]]:
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[float, int]] = [(0.0, 0)] * len(bodies)

    def one(i: int) -> None:
        barrier.wait()
        results[i] = _post(port, bodies[i], content_type)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc), to report cost per command."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _repo(root: Path) -> Path:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
    }
    env["GIT_COMMITTER_EMAIL"] = "b@x"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    root.mkdir()
    git("init", "-q", "-b", "main")
    for i in range(2):
        for n in range(5):
            path = root / "docs" / f"page{n}.md"
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"# Page {n}\n\nVersion {i}.\n" + "Line.\n" * (10 * (i + 1)))
        git("add", "-A")
        git("commit", "-q", "-m", f"commit {i}")
    return root


def _wait_for(fake: FakeSlack, channel: str, method: str, since: int, timeout: float) -> float:
    """Epoch time of the first ``method`` call for ``channel`` after index ``since``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in fake.calls[since:]:
            where = (call.args.get("channel"), call.args.get("channel_id"))
            final = method != "chat.update" or "header" in str(call.args.get("blocks"))
            if call.method == method and channel in where and final:
                return call.time
        time.sleep(0.002)
    raise SystemExit(f"no {method} for {channel} within {timeout} s")


def bench_acks(
    port: int, rounds: int, concurrency: int, web_url: str, text: str | None = None
) -> list[float]:
    """Latencies (ms) of ``rounds`` x ``concurrency`` simultaneous commands (each distinct)."""
    latencies: list[float] = []
    for r in range(rounds):
        bodies = [
            command_body(
                text or f"{web_url}/octo/demo/compare/v{r}.{i}...main",
                trigger_id=uuid.uuid4().hex,
            )
            for i in range(concurrency)
        ]
        for seconds, status in _round(port, bodies):
            if status != 200:
                raise SystemExit(f"unexpected status {status}")
            latencies.append(seconds * 1000)
    return latencies


def _link_shared(gh: FakeGitHub, event_id: str, spec: str) -> bytes:
    """A ``link_shared`` event callback as Slack sends it, for one pasted compare link."""
    ts = f"{time.time():.6f}"
    event = {
        "type": "link_shared",
        "channel": "CUNFURL",
        "is_bot_user_member": True,
        "user": "U0PASTER",
        "message_ts": ts,
        "unfurl_id": f"CUNFURL.{ts}.bench",
        "source": "conversations_history",
        "event_ts": ts,
        "links": [
            {"domain": gh.web_host.split(":")[0], "url": f"{gh.web_url}/octo/demo/compare/{spec}"}
        ],
    }
    body = {
        "token": "deprecated",
        "team_id": "T0FAKE",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authed_users": ["U0DIFFBOT"],
        "event": event,
    }
    return json.dumps(body).encode()


def bench_unfurl_acks(port: int, rounds: int, concurrency: int, gh: FakeGitHub) -> list[float]:
    """Latencies (ms) of ``rounds`` x ``concurrency`` simultaneous distinct link_shared events."""
    latencies: list[float] = []
    for r in range(rounds):
        bodies = [
            _link_shared(gh, f"Ev{uuid.uuid4().hex}", f"v{r}.{i}...main")
            for i in range(concurrency)
        ]
        for seconds, status in _round(port, bodies, "application/json"):
            if status != 200:
                raise SystemExit(f"unexpected status {status}")
            latencies.append(seconds * 1000)
    return latencies


def bench_cached(
    config: Config, port: int, fake: FakeSlack, link: str, runs: int
) -> tuple[list[float], list[float]]:
    ctx = multiprocessing.get_context("spawn")
    worker = ctx.Process(target=_work, args=(config,))  # not daemonic: RQ forks children
    worker.start()
    placeholders: list[float] = []
    parents: list[float] = []
    try:
        for i in range(runs + 1):  # the first run fills the cache and is not counted
            channel = f"CBENCH{i}"
            since = len(fake.calls)
            body = command_body(link, channel_id=channel, trigger_id=uuid.uuid4().hex)
            start = time.time()
            _post(port, body)
            first = _wait_for(fake, channel, "chat.postMessage", since, 60)
            final = _wait_for(fake, channel, "chat.update", since, 60)
            _wait_for(fake, channel, "files.completeUploadExternal", since, 60)
            if i:
                placeholders.append((first - start) * 1000)
                parents.append((final - start) * 1000)
    finally:
        worker.terminate()
        worker.join(5)
    return placeholders, parents


def _cache_lookups(config: Config, link: str, gh: FakeGitHub) -> tuple[float, int]:
    """Median ms of ``cached_build`` on a cache hit, and the GitHub requests each one makes."""
    from bot.request import ReportRequest
    from bot.store.cache import cached_build

    times: list[float] = []
    before = len(gh.requests)
    for _ in range(5):
        start = time.perf_counter()
        outcome = cached_build(ReportRequest(source=link), config)
        times.append((time.perf_counter() - start) * 1000)
        if not outcome.cached:
            raise SystemExit("the report was not cached")
    return statistics.median(times), (len(gh.requests) - before) // 5


def _drain(config: Config, expected: int) -> None:
    """Wait for the jobs queued after the acks (a lazy listener) and drop them unrun."""
    queue = get_queue(config)
    deadline = time.monotonic() + 60
    while queue.count < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    if queue.count != expected:
        raise SystemExit(f"{queue.count} jobs queued for {expected} commands")
    queue.empty()


def _cleanup(config: Config) -> None:
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    client = get_redis(config)
    queue = get_queue(config, client)
    queue.empty()
    for registry in (FailedJobRegistry, FinishedJobRegistry):
        for job_id in registry(queue=queue).get_job_ids():
            client.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    marker = config.redis_prefix
    for key in client.scan_iter(match=f"{marker}*", count=1000):
        client.delete(key)
    for key in client.scan_iter(match=f"*{config.queue_name}*", count=1000):
        client.delete(key)
    if config.redis_url is None:  # the embedded server lives in the temporary folder: stop it
        shutdown_embedded(config.data_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--cached", type=int, default=10)
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:10]
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake, FakeGitHub() as gh:
        gh.add_repo("octo", "demo", _repo(Path(tmp) / "repo"))
        config = replace(
            load_config({}),
            slack_bot_token=fake.token,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
            github_api_url=gh.api_url,
            github_token="test-token",
            redis_url=os.environ.get("REDIS_URL") or None,
            data_dir=Path(tmp) / "data",
            redis_prefix=f"dibench:{tag}:",
            queue_name=f"diffinsight-bench-{tag}",
        )
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(config, port), daemon=True
        )
        server.start()
        try:
            _wait_ready(port, time.monotonic() + 30)
            _round(port, [command_body("help") for _ in range(args.concurrency)])  # warm up
            usage = bench_acks(port, args.rounds, args.concurrency, gh.web_url, "help")
            cpu_before = _cpu_seconds(server.pid or 0)
            acks = bench_acks(port, args.rounds, args.concurrency, gh.web_url)
            _drain(config, args.rounds * args.concurrency)
            cpu_ms = (_cpu_seconds(server.pid or 0) - cpu_before) * 1000 / len(acks)
            unfurls = bench_unfurl_acks(port, args.rounds, args.concurrency, gh)
            _drain(config, args.rounds * args.concurrency)
            link = f"<{gh.web_url}/octo/demo/compare/main~1...main>"
            placeholders, parents = bench_cached(config, port, fake, link, args.cached)
            lookups = _cache_lookups(config, link, gh)
        finally:
            server.terminate()
            server.join(5)
            _cleanup(config)
    p50, p99 = statistics.median(acks), _pct(acks, 0.99)
    print(
        f"slash-command ack, {args.concurrency} concurrent x {args.rounds} rounds "
        f"({len(acks)} commands, new connection each):"
    )
    print(
        f"  p50 {p50:.1f} ms  p90 {_pct(acks, 0.9):.1f} ms  p99 {p99:.1f} ms  "
        f"max {max(acks):.1f} ms  (budget p99 < {ACK_P99_BUDGET_MS:.0f} ms)"
    )
    print(
        f"  server CPU per command (ack + queueing): {cpu_ms:.2f} ms; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  for comparison, 'help' (no Redis): p50 {statistics.median(usage):.1f} ms  "
        f"p99 {_pct(usage, 0.99):.1f} ms"
    )
    print(
        f"link_shared ack, {args.concurrency} concurrent x {args.rounds} rounds "
        f"({len(unfurls)} events, one uncached link each, its job queued before the ack):"
    )
    print(
        f"  p50 {statistics.median(unfurls):.1f} ms  p99 {_pct(unfurls, 0.99):.1f} ms  "
        f"max {max(unfurls):.1f} ms  (budget p99 < {ACK_P99_BUDGET_MS:.0f} ms; "
        f"Slack's limit {SLACK_ACK_LIMIT_MS:.0f} ms)"
    )
    print(f"cached report, command -> parent in the channel ({len(parents)} runs):")
    print(
        f"  'building' parent posted: p50 {statistics.median(placeholders):.1f} ms  "
        f"max {max(placeholders):.1f} ms"
    )
    print(
        f"  finished parent (report header): p50 {statistics.median(parents):.1f} ms  "
        f"max {max(parents):.1f} ms  (budget < {CACHED_BUDGET_MS:.0f} ms)"
    )
    print(
        f"  of which the worker's cache lookup (cached_build on a hit): {lookups[0]:.1f} ms, "
        f"{lookups[1]} GitHub requests"
    )
    ok = (
        p99 < ACK_P99_BUDGET_MS
        and _pct(unfurls, 0.99) < ACK_P99_BUDGET_MS
        and max(unfurls) < SLACK_ACK_LIMIT_MS
        and max(parents) < CACHED_BUDGET_MS
    )
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
