"""How fast does ``POST /github/webhook`` answer when GitHub sends 50 deliveries at once?

The production app (``handlers.app.create_app`` under uvicorn with the production settings)
runs in its own process on loopback, against the real Redis (``REDIS_URL``, else the embedded
one in a temporary directory). Three channels subscribe to the repository, and every delivery
is a distinct signed push (its own delivery id and commit), so each one does the full work:
verify, parse, look up subscriptions, claim the delivery, and queue the job that fans the
delivery out to the three channels.

    .venv/bin/python benchmarks/bench_webhook.py [--rounds 20] [--concurrency 50]

Prints p50/p90/p99/max latency and exits 1 when p99 is over the budget (100 ms). Only keys
under its own prefix and its own queue are created, and they are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
from redis.utils import HIREDIS_AVAILABLE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, load_config  # noqa: E402
from bot.jobs.queue import get_queue  # noqa: E402
from bot.store.connection import get_redis, shutdown_embedded  # noqa: E402
from bot.store.subscriptions import SubscriptionStore, subscribe  # noqa: E402
from bot.webhooks.events import sign  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.support import free_port  # noqa: E402

BUDGET_P99_MS = 100.0
SECRET = "bench-webhook-secret"
PAYLOAD = Path(__file__).resolve().parent.parent / (
    "tests/data/github-webhooks/push.normal.go-playground-webhooks.push.json"
)
CHANNELS = ("CBENCH1", "CBENCH2", "CBENCH3")


def _serve(config: Config, port: int) -> None:
    """The web process, as ``diffinsight serve`` runs it (child process entry point)."""
    import uvicorn

    from handlers.app import create_app, uvicorn_config

    uvicorn.Server(uvicorn_config(create_app(config), port, host="127.0.0.1")).run()


def _wait_ready(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the web process did not start")


def _request(template: dict, n: int, port: int) -> bytes:
    """One signed push delivery as raw HTTP/1.1 bytes (its own delivery id and commit)."""
    payload = dict(template)
    payload["after"] = f"{n:040x}"
    body = json.dumps(payload).encode()
    head = (
        "POST /github/webhook HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "User-Agent: GitHub-Hookshot/bench\r\n"
        "Content-Type: application/json\r\n"
        "X-GitHub-Event: push\r\n"
        f"X-GitHub-Delivery: {uuid.uuid4()}\r\n"
        f"X-Hub-Signature-256: {sign(SECRET, body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[float, int]:
    """Send one request on a kept-alive connection; (milliseconds to the full answer, status)."""
    start = time.perf_counter()
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return (time.perf_counter() - start) * 1000, status


async def _run(port: int, rounds: int, concurrency: int) -> tuple[list[float], dict[int, int]]:
    """Bursts of ``concurrency`` simultaneous deliveries, one per open connection.

    The client is a few lines of asyncio on raw sockets, not an HTTP library, so on a small
    machine it takes as little CPU as possible away from the server being measured.
    """
    template = json.loads(PAYLOAD.read_text(encoding="utf-8"))
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = 0
    try:
        for round_no in range(rounds + 1):
            batch = [_request(template, counter + i + 1, port) for i in range(concurrency)]
            counter += concurrency
            results = await asyncio.gather(
                *(_exchange(r, w, req) for (r, w), req in zip(connections, batch, strict=True))
            )
            if round_no == 0:
                continue  # warm-up: imports, thread pool, Redis connection pool
            for ms, status in results:
                latencies.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
    finally:
        for _, writer in connections:
            writer.close()
    return latencies, statuses


def _cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (Linux ``/proc``), to show cost apart from load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _subscribe(config: Config) -> None:
    store = SubscriptionStore(get_redis(config), config.redis_prefix)
    for channel in CHANNELS:
        subscribe(
            store,
            channel=channel,
            user="UBENCH",
            repository="binkkatal/sample_app",
            branch=None,
            paths=(),
        )


def _cleanup(config: Config) -> None:
    client = get_redis(config)
    queue = get_queue(config, client)
    queue.empty()  # its jobs and the queue itself; RQ's list of queues keeps the name
    client.srem("rq:queues", queue.key)
    for key in client.scan_iter(match=f"{config.redis_prefix}*", count=1000):
        client.delete(key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="bursts measured (after 1 warm-up)")
    parser.add_argument("--concurrency", type=int, default=50, help="deliveries per burst")
    args = parser.parse_args(argv)

    tag = uuid.uuid4().hex[:10]
    data_dir = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    with FakeSlack() as slack:
        config = replace(
            load_config(),
            github_webhook_secret=SECRET,
            slack_bot_token=slack.token,
            slack_signing_secret="bench-signing-secret",
            slack_api_url=slack.api_url,
            redis_prefix=f"bench:{tag}:",
            queue_name=f"bench-webhook-{tag}",
            data_dir=data_dir,
        )
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(config, port), daemon=True
        )
        try:
            _subscribe(config)
            server.start()
            _wait_ready(f"http://127.0.0.1:{port}", time.monotonic() + 30)
            started, cpu_before = time.perf_counter(), _cpu_seconds(server.pid)
            latencies, statuses = asyncio.run(_run(port, args.rounds, args.concurrency))
            elapsed = time.perf_counter() - started
            server_cpu = _cpu_seconds(server.pid) - cpu_before
            queued = len(get_queue(config))
        finally:
            if server.pid is not None:
                server.terminate()
                server.join(timeout=10)
            _cleanup(config)
            if not config.redis_url:
                shutdown_embedded(data_dir)
            shutil.rmtree(data_dir, ignore_errors=True)

    p99 = _percentile(latencies, 99)
    print(f"webhook deliveries: {len(latencies)} measured, {args.concurrency} concurrent")
    print(f"statuses: {dict(sorted(statuses.items()))}; fan-out jobs queued: {queued}")
    print(
        "latency ms: "
        f"p50 {_percentile(latencies, 50):.1f}  p90 {_percentile(latencies, 90):.1f}  "
        f"p99 {p99:.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    sent = len(latencies) + args.concurrency
    print(f"throughput: {sent / elapsed:.0f} deliveries/s (incl. warm-up)")
    print(f"server CPU: {server_cpu / sent * 1000:.2f} ms per delivery")
    print(f"machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    parser_name = "hiredis" if HIREDIS_AVAILABLE else "pure Python (install hiredis: ~30% less CPU)"
    print(f"redis reply parser: {parser_name}")
    ok = p99 < BUDGET_P99_MS and set(statuses) == {202}
    print(f"budget p99 < {BUDGET_P99_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
