"""The web process's memory while it refuses a stream of oversized unsigned bodies.

Starts ``diffinsight serve`` as its own process on a free port (``REDIS_URL`` if set, else an
embedded Redis in a temporary folder), then sends ``--bodies`` unsigned 150 MB bodies to
``POST /slack/events`` from ``--clients`` threads, half with a Content-Length (refused after
the headers), half chunked without one (refused once a megabyte has arrived), every byte
actually sent. A sampler reads the server's VmRSS from /proc every 20 ms.

    .venv/bin/python benchmarks/bench_slack_body.py [--bodies 20] [--clients 4]

Prints RSS at start, peak, at the end and the status codes seen; exits 1 when the peak is
over 150 MB.
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BODY_BYTES = 150 * 1024 * 1024
CHUNK = 1024 * 1024
BUDGET_MB = 150.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def body() -> Iterator[bytes]:
    block = b"x" * CHUNK
    for _ in range(BODY_BYTES // CHUNK):
        yield block


def send_declared(url: str) -> str:
    """A raw socket: Content-Length 150 MB, then the bytes until the server hangs up."""
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            head = (
                f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {BODY_BYTES}\r\n\r\n"
            )
            conn.sendall(head.encode())
            try:
                for block in body():
                    conn.sendall(block)
            except OSError:
                pass  # refused and closed while we were still sending: the point
            answer = conn.recv(64)
            return answer.split(b"\r\n", 1)[0].decode(errors="replace").split(" ", 2)[1]
    except (OSError, IndexError) as exc:
        return type(exc).__name__


def send_chunked(url: str) -> str:
    try:
        return str(httpx.post(f"{url}/slack/events", content=body(), timeout=60).status_code)
    except httpx.HTTPError as exc:
        return type(exc).__name__


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "SLACK_SIGNING_SECRET": "bench-secret",
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "DIFFINSIGHT_DATA_DIR": data_dir,
            "PYTHONPATH": str(ROOT),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        print("server did not start")
                        return 1
                    time.sleep(0.2)
            start = rss_mb(server.pid)
            peak = [start]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], rss_mb(server.pid))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            statuses: collections.Counter[str] = collections.Counter()
            lock = threading.Lock()
            todo = list(range(args.bodies))

            def client() -> None:
                while True:
                    with lock:
                        if not todo:
                            return
                        n = todo.pop()
                    status = send_declared(url) if n % 2 else send_chunked(url)
                    with lock:
                        statuses[status] += 1

            began = time.monotonic()
            workers = [threading.Thread(target=client) for _ in range(args.clients)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.monotonic() - began
            done.set()
            sampler.join()
            end = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"from bot.store.connection import shutdown_embedded; "
                    f"shutdown_embedded(__import__('pathlib').Path({data_dir!r}))",
                ],
                cwd=ROOT,
                env=env,
                check=False,
            )
    sent_gb = args.bodies * BODY_BYTES / 1024**3
    print(f"{args.bodies} unsigned bodies of 150 MB ({sent_gb:.1f} GB offered) in {elapsed:.1f} s")
    print(f"answers: {dict(statuses)}")
    print(f"web process RSS: start {start:.1f} MB, peak {peak[0]:.1f} MB, end {end:.1f} MB")
    ok = peak[0] < BUDGET_MB
    print(f"peak under {BUDGET_MB:.0f} MB: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
