"""The report cache and single flight, against the real Redis (per-test prefix, never flushed)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

import bot.build
import bot.reading.local
import bot.store.cache
import bot.store.singleflight
from bot.config import Config
from bot.request import ReportRequest
from bot.store.cache import (
    build_lock_key,
    cached_build,
    load_cached,
    load_report_by_id,
    report_expired,
    request_key,
)
from bot.store.singleflight import BuildWaitTimeout
from bot.summarize.heuristic.summarizer import HeuristicSummarizer
from tests.support import ROOT, free_port, git


@pytest.fixture
def repo(make_repo):
    path, shas = make_repo(
        [
            {"README.md": "# Demo\n\nHello.\n", "src/app.py": "def main():\n    return 1\n"},
            {"README.md": "# Demo\n\nHello there.\n", "src/app.py": "def main():\n    return 2\n"},
            {"docs/guide.md": "# Guide\n"},
        ]
    )
    return path, shas


def request(path: Path, source: str = "HEAD~2...HEAD", **kw) -> ReportRequest:
    return ReportRequest(source=source, git_path=str(path), **kw)


class CountingSummarizer:
    """The heuristic summarizer, slowed down and counting its runs, to see builds happen."""

    name = "heuristic"

    def __init__(self, delay: float = 0.0) -> None:
        self.inner = HeuristicSummarizer()
        self.delay = delay
        self.runs = 0
        self.lock = threading.Lock()

    def summarize(self, change, lang, progress=None):
        with self.lock:
            self.runs += 1
        time.sleep(self.delay)
        return self.inner.summarize(change, lang, progress)


@pytest.fixture
def counting(monkeypatch):
    summarizer = CountingSummarizer(delay=0.3)
    monkeypatch.setattr(bot.store.cache, "get_summarizer", lambda name, config, **_: summarizer)
    return summarizer


def test_miss_then_hit_serves_the_report_exactly_as_built(config, repo, redis_client, counting):
    path, _ = repo
    first = cached_build(request(path), config)
    second = cached_build(request(path), config)
    assert (first.cached, second.cached) == (False, True)
    assert counting.runs == 1
    assert second.report.to_dict() == first.report.to_dict()
    stored = redis_client.get(f"{config.redis_prefix}report:{first.key}")
    assert json.loads(stored) == first.report.to_dict()
    assert load_cached(config, first.key).to_dict() == first.report.to_dict()


def test_key_uses_resolved_shas_not_branch_names(config, repo):
    path, shas = repo
    by_name = request_key(request(path, "main~2...main"), config)
    by_sha = request_key(request(path, f"{shas[0]}...{shas[2]}"), config)
    assert by_name == by_sha
    git(path, "commit", "-q", "--allow-empty", "-m", "moves main")
    assert request_key(request(path, "main~2...main"), config) != by_name


def test_key_ingredients_each_change_the_key(config, repo):
    path, _ = repo
    base = request_key(request(path), config)
    variants = [
        request(path, paths=("docs/**",)),
        request(path, lang="ja_JP"),
        request(path, source="HEAD~2..HEAD"),
        request(path, source="HEAD~1...HEAD"),
    ]
    keys = {request_key(v, config) for v in variants}
    assert base not in keys and len(keys) == len(variants)
    # Path globs are a set: order and repetition do not matter.
    a = request_key(request(path, paths=("src/**", "docs/**")), config)
    b = request_key(request(path, paths=("docs/**", "src/**", "docs/**")), config)
    assert a == b


def test_model_and_prompt_version_matter_only_where_they_are_used(config, repo):
    path, _ = repo
    source = bot.store.cache.parse_request(request(path), config).source
    change = bot.build.read_change(source, config)
    common = {"globs": (), "lang": "en_US"}
    llm = {"summarizer": "openai", "model": "m1", "prompt_version": "p1"}
    k1 = bot.store.cache.cache_key(source, change, **common, **llm)
    k2 = bot.store.cache.cache_key(
        source, change, summarizer="openai", model="m2", prompt_version="p1", **common
    )
    k3 = bot.store.cache.cache_key(
        source, change, summarizer="openai", model="m1", prompt_version="p2", **common
    )
    assert len({k1, k2, k3}) == 3
    # The same SHAs on another host, in another repository or by another summarizer differ.
    others = {
        bot.store.cache.cache_key(source, replace(change, host="ghe.example.com"), **common, **llm),
        bot.store.cache.cache_key(source, replace(change, repository="fork/repo"), **common, **llm),
        bot.store.cache.cache_key(
            source, change, summarizer="heuristic", model="m1", prompt_version="p1", **common
        ),
    }
    assert len(others) == 3 and k1 not in others
    heuristic = request_key(request(path), config)
    assert request_key(request(path), replace(config, model="other")) == heuristic


def test_ttl_expiry_and_expired_versus_unknown_ids(config, repo, redis_client, counting):
    path, _ = repo
    short = replace(config, cache_ttl_seconds=1)
    outcome = cached_build(request(path), short)
    ttl = redis_client.pttl(f"{config.redis_prefix}report:{outcome.key}")
    assert 0 < ttl <= 1000
    assert load_report_by_id(short, outcome.report_id).to_dict() == outcome.report.to_dict()
    assert report_expired(short, outcome.report_id) is False
    time.sleep(1.1)
    assert load_report_by_id(short, outcome.report_id) is None
    assert report_expired(short, outcome.report_id) is True
    unknown = "0" * 32
    assert report_expired(short, unknown) is False
    assert load_report_by_id(short, unknown) is None
    assert load_report_by_id(short, "../../etc/passwd") is None
    again = cached_build(request(path), short)
    assert again.cached is False and again.report_id == outcome.report_id
    assert counting.runs == 2


def test_report_ids_are_keyed_hmacs(config, repo, redis_client):
    path, _ = repo
    generated = cached_build(request(path), config)
    assert len(generated.report_id) == 32 and generated.report_id != generated.key[:32]
    secret = redis_client.get(f"{config.redis_prefix}secret")
    assert secret and len(secret) == 64
    assert cached_build(request(path), config).report_id == generated.report_id
    with_secret = cached_build(request(path), replace(config, secret="s3cret"))
    assert with_secret.key == generated.key
    assert with_secret.report_id != generated.report_id
    assert load_report_by_id(replace(config, secret="s3cret"), with_secret.report_id)


def test_refresh_rebuilds_and_overwrites(config, repo, redis_client, counting):
    path, _ = repo
    first = cached_build(request(path), config)
    name = f"{config.redis_prefix}report:{first.key}"
    redis_client.set(name, json.dumps({**first.report.to_dict(), "summary": "stale"}))
    assert cached_build(request(path), config).report.summary == "stale"
    fresh = cached_build(request(path), config, refresh=True)
    assert fresh.cached is False and fresh.report.summary == first.report.summary
    assert json.loads(redis_client.get(name))["summary"] == first.report.summary
    assert counting.runs == 2


def test_single_flight_with_threads(config, repo, counting):
    path, _ = repo
    outcomes = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(cached_build(request(path), config)))
        for _ in range(10)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.runs == 1
    assert len(outcomes) == 10
    assert sum(not o.cached for o in outcomes) == 1
    assert len({json.dumps(o.report.to_dict()) for o in outcomes}) == 1


def test_concurrent_refreshes_build_once(config, repo, counting):
    path, _ = repo
    cached_build(request(path), config)
    threads = [
        threading.Thread(target=lambda: cached_build(request(path), config, refresh=True))
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.runs == 2


CHILD = """
import json, sys, time
from dataclasses import replace
from pathlib import Path
import redis
import bot.store.cache
from bot.request import ReportRequest
from bot.config import load_config
from bot.summarize.heuristic.summarizer import HeuristicSummarizer

url, prefix, repo = sys.argv[1:4]
config = replace(load_config({}), redis_url=url, redis_prefix=prefix)
counter = redis.Redis.from_url(url)

class Slow(HeuristicSummarizer):
    def summarize(self, change, lang, progress=None):
        counter.incr(prefix + "builds")
        time.sleep(float(sys.argv[4]) if len(sys.argv) > 4 else 0.5)
        return super().summarize(change, lang, progress)

bot.store.cache.get_summarizer = lambda name, config, **_: Slow()
lock_ttl = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
request = ReportRequest("HEAD~2...HEAD", git_path=repo)
outcome = bot.store.cache.cached_build(request, config, lock_ttl=lock_ttl)
print(json.dumps({"id": outcome.report_id, "cached": outcome.cached}))
"""


def test_single_flight_across_processes(config, repo, redis_client):
    path, _ = repo
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, config.redis_url, config.redis_prefix, str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert int(redis_client.get(f"{config.redis_prefix}builds")) == 1
    assert len({r["id"] for r in results}) == 1
    assert sorted(r["cached"] for r in results) == [False, True, True, True]


def test_a_builder_killed_mid_build_holds_nobody_up_for_long(config, repo, redis_client, counting):
    path, _ = repo
    args = [config.redis_url, config.redis_prefix, str(path), "60", "0.6"]  # build 60 s, lock 0.6 s
    builder = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not redis_client.get(f"{config.redis_prefix}builds"):
            assert time.monotonic() < deadline and builder.poll() is None
            time.sleep(0.05)
        time.sleep(1.5)  # over twice the lock's life: the live builder keeps extending it
        lock = build_lock_key(config, request_key(request(path), config))
        assert redis_client.exists(lock)
    finally:
        builder.kill()
        builder.wait()
    # Nobody extends a dead builder's lock: it lapses within its own life (0.6 s), not the
    # 60 s the build would have taken; a waiter then builds instead of timing out.
    left = redis_client.pttl(lock)
    assert left == -2 or 0 < left <= 600  # -1 would be a lock without an expiry
    outcome = cached_build(request(path), config, wait_timeout=10)
    assert outcome.cached is False and counting.runs == 1
    assert not redis_client.exists(lock)


class PollRecorder:
    """``bot.store.singleflight``'s clock, recording each poll's sleep (and really sleeping)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.monotonic = time.monotonic

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        time.sleep(seconds)


class FakeClock:
    """A clock that moves only when slept on: a wait's length is counted, not measured."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_crashed_builders_lock_expires(config, repo, redis_client, monkeypatch):
    path, _ = repo
    lock = build_lock_key(config, request_key(request(path), config))
    redis_client.set(lock, "crashed-builder", px=800)
    holders: list[bytes | None] = []

    class LockWatching(HeuristicSummarizer):
        def summarize(self, change, lang, progress=None):
            holders.append(redis_client.get(lock))  # who holds the lock while this builds
            return super().summarize(change, lang, progress)

    monkeypatch.setattr(bot.store.cache, "get_summarizer", lambda name, config, **_: LockWatching())
    polls = PollRecorder()
    monkeypatch.setattr(bot.store.singleflight, "time", polls)
    outcome = cached_build(request(path), config)
    assert outcome.cached is False and len(holders) == 1
    # It waited (polling) for the crashed builder's lock to lapse, then built under its own.
    assert polls.sleeps and set(polls.sleeps) == {0.05}
    assert holders[0] not in (None, b"crashed-builder")
    assert not redis_client.exists(lock)


def test_waiting_is_bounded(config, repo, redis_client, counting, monkeypatch):
    path, _ = repo
    key = request_key(request(path), config)
    redis_client.set(build_lock_key(config, key), "slow-builder", px=30_000)
    clock = FakeClock()
    monkeypatch.setattr(bot.store.singleflight, "time", clock)
    with pytest.raises(BuildWaitTimeout):
        cached_build(request(path), config, wait_timeout=0.3)
    # Gave up after polling for the 0.3 s asked, not the 30 s the other build may still take.
    waited = sum(clock.sleeps)
    assert 0.3 <= waited <= 0.3 + 0.05 + 1e-9 and set(clock.sleeps) == {0.05}
    assert counting.runs == 0
    assert redis_client.get(build_lock_key(config, key)) == b"slow-builder"


def test_a_failed_build_releases_the_lock(config, repo, redis_client, monkeypatch):
    path, _ = repo

    class Broken:
        name = "heuristic"

        def summarize(self, change, lang, progress=None):
            raise RuntimeError("summarizer bug")

    monkeypatch.setattr(bot.store.cache, "get_summarizer", lambda name, config, **_: Broken())
    with pytest.raises(RuntimeError):
        cached_build(request(path), config)
    key = request_key(request(path), config)
    assert not redis_client.exists(build_lock_key(config, key))
    monkeypatch.setattr(
        bot.store.cache, "get_summarizer", lambda name, config, **_: HeuristicSummarizer()
    )
    assert cached_build(request(path), config).cached is False


def test_the_lock_is_extended_while_a_long_build_runs(config, repo, redis_client, monkeypatch):
    path, _ = repo
    slow = CountingSummarizer(delay=1.0)
    monkeypatch.setattr(bot.store.cache, "get_summarizer", lambda name, config, **_: slow)
    outcomes: list = []
    builder = threading.Thread(
        target=lambda: outcomes.append(cached_build(request(path), config, lock_ttl=0.3))
    )
    builder.start()
    time.sleep(0.2)
    # A second request after several lock lifetimes still waits for the first build.
    time.sleep(0.5)
    outcomes.append(cached_build(request(path), config, lock_ttl=0.3))
    builder.join()
    assert slow.runs == 1
    assert sorted(o.cached for o in outcomes) == [False, True]


def test_an_unreachable_redis_is_reported_before_reading(repo, free_port_config, monkeypatch):
    path, _ = repo
    calls: list[tuple[str, ...]] = []
    real_git = bot.reading.local._git

    def recording(where, *args, **kw):
        calls.append(args)
        return real_git(where, *args, **kw)

    monkeypatch.setattr(bot.reading.local, "_git", recording)
    with pytest.raises(bot.store.cache.RedisUnavailable):
        cached_build(request(path), free_port_config)
    assert calls == []  # not even the SHAs were resolved: the slow work never started


@pytest.fixture
def free_port_config(config: Config) -> Config:
    return replace(config, redis_url=f"redis://127.0.0.1:{free_port()}/0")


def test_a_hit_on_a_local_range_runs_no_git_diff(config, repo, monkeypatch) -> None:
    path, _ = repo
    first = cached_build(request(path), config)
    calls: list[str] = []
    real_git = bot.reading.local._git

    def recording(where, *args, **kw):
        calls.append(next(a for a in args if not a.startswith("-") and "=" not in a))
        return real_git(where, *args, **kw)

    monkeypatch.setattr(bot.reading.local, "_git", recording)
    again = cached_build(request(path), config)
    assert again.cached and again.key == first.key
    assert "diff" not in calls and "merge-base" not in calls and "show" not in calls
    assert calls.count("rev-parse") == 3  # the top level, base and head
