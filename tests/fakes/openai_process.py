"""FakeOpenAI in a process of its own, for timings that the fake's own work must not skew.

In one process the fake's request handling competes with the code under test for the GIL, so
a benchmark of 40 parallel calls would measure the fake too. ``RemoteFakeOpenAI`` starts
``python -m tests.fakes.openai_process`` and reads its records over ``GET /_fake/requests``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.fakes.openai import FakeOpenAI, Recorded

ROOT = Path(__file__).resolve().parents[2]


class RemoteFakeOpenAI:
    """``with RemoteFakeOpenAI(latency=0.3) as fake:`` then ``fake.base_url``, ``fake.requests``."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.api_key = FakeOpenAI().api_key
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> RemoteFakeOpenAI:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "tests.fakes.openai_process", str(self.latency)]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
        )
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the fake OpenAI process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)

    @property
    def requests(self) -> list[Recorded]:
        url = self.base_url.removesuffix("/v1") + "/_fake/requests"
        with urllib.request.urlopen(url, timeout=10) as answer:
            return [Recorded(**record) for record in json.load(answer)]


def main() -> int:
    parser = argparse.ArgumentParser(description="serve FakeOpenAI until stdin closes")
    parser.add_argument("latency", type=float)
    args = parser.parse_args()
    with FakeOpenAI(latency=args.latency) as fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
