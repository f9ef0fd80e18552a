"""What a weekly digest of a busy repository costs: GitHub calls and seconds.

Run: ``.venv/bin/python benchmarks/bench_digest.py PATH [--since ISO --until ISO]`` with PATH a
clone of a busy repository (bare or not), e.g. ``git clone --bare
https://github.com/astral-sh/ruff``. The repository is served by FakeGitHub (tests/fakes) on
127.0.0.1, with a merged pull request for each first-parent commit whose subject ends in
``(#N)`` (squash merges) or reads ``Merge pull request #N`` (merge commits), merged at that
commit's time. Prints the calls by endpoint and the seconds: the window alone, the whole
digest without cache (heuristic summarizer), then the same digest from the report cache, and
the same window read with local git. No network: the seconds leave out GitHub's own latency,
so the calls are the figure that carries over (each is one round trip to GitHub).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.build import build_digest, resolve_window  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.request import DigestRequest, iso_utc  # noqa: E402
from bot.store.cache import cached_build  # noqa: E402
from bot.store.connection import get_redis, shutdown_embedded  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402

PR_RE = re.compile(r"\(#(\d+)\)\s*$|^Merge pull request #(\d+)")


def work_tree(path: Path, scratch: Path) -> Path:
    """A clone with a work tree (git diff needs one for --git), sharing the objects."""
    bare = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--is-bare-repository"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if bare != "true":
        return path
    target = scratch / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--shared", str(path), str(target)], check=True
    )
    return target


def add_pulls(fake: FakeGitHub, root: Path, branch: str, since: datetime) -> int:
    fmt = "%H%x00%cI%x00%s"
    out = subprocess.run(
        ["git", "-C", str(root), "log", "--first-parent", f"--since={iso_utc(since)}",
         f"--format={fmt}", branch],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    count = 0
    for line in out.splitlines():
        sha, when, subject = line.split("\x00", 2)
        match = PR_RE.search(subject)
        if not match:
            continue
        number = int(match.group(1) or match.group(2))
        merged = datetime.fromisoformat(when).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fake.add_pull("octo", "busy", number, branch, sha, title=subject)
        fake.merge_pull("octo", "busy", number, sha, base_sha=sha, merged_at=merged)
        count += 1
    return count


def calls(fake: FakeGitHub) -> dict[str, int]:
    kinds: collections.Counter[str] = collections.Counter()
    for r in fake.requests:
        path = r.path.removeprefix("/api/v3/repos/octo/busy")
        kind = re.sub(r"/[0-9a-f]{40}", "/SHA", path) or "/ (repository)"
        kind = re.sub(r"^/compare/.*", "/compare/BASE...HEAD", kind)
        kind = re.sub(r"^/commits/[^/]+$", "/commits/REF", kind)
        kinds[kind + (" [diff]" if "diff" in r.accept else "")] += 1
    return dict(kinds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", type=Path)
    parser.add_argument("--branch", default="main")
    parser.add_argument("--since")
    parser.add_argument("--until")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = work_tree(args.repo, Path(tmp))
        tip = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%cI", args.branch],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        until = datetime.fromisoformat(args.until or tip).astimezone(UTC)
        since = (
            datetime.fromisoformat(args.since).astimezone(UTC)
            if args.since
            else until - timedelta(weeks=1)
        )
        base = load_config()
        config = replace(
            base,
            summarizer="heuristic",
            data_dir=Path(tmp) / "data",
            redis_prefix=f"bench-digest:{uuid.uuid4().hex[:8]}:",
        )
        with FakeGitHub() as fake:
            fake.add_repo("octo", "busy", root, default_branch=args.branch)
            pulls = add_pulls(fake, root, args.branch, since - timedelta(weeks=2))
            config = replace(config, github_api_url=fake.api_url)
            request = DigestRequest("octo/busy", iso_utc(since), iso_utc(until))
            print(
                f"repository {args.repo} ({args.branch}), window {request.since} .. {request.until}"
            )
            print(f"pull requests served: {pulls} (merged from two weeks before the window on)")

            started = time.perf_counter()
            window = resolve_window(request, config)
            took = time.perf_counter() - started
            print(
                f"\nwindow: {len(window.landed)} first-parent commits, "
                f"{len(window.merged)} merged entries "
                f"({sum(m.number is not None for m in window.merged)} pull requests)"
            )
            print(f"  window alone: {len(fake.requests)} GitHub calls, {took:.2f} s: {calls(fake)}")

            fake.requests.clear()
            started = time.perf_counter()
            outcome = build_digest(request, config)
            took = time.perf_counter() - started
            report = outcome.report
            files = len(report.files) if report else 0
            print(
                f"  whole digest, no cache: {len(fake.requests)} calls, {took:.2f} s, "
                f"{files} files: {calls(fake)}"
            )

            def through_cache(r):
                return cached_build(r, config).report

            build_digest(request, config, build=through_cache)  # fill the cache
            fake.requests.clear()
            started = time.perf_counter()
            build_digest(request, config, build=through_cache)
            took = time.perf_counter() - started
            print(
                f"  whole digest, cached report: {len(fake.requests)} calls, {took:.2f} s: "
                f"{calls(fake)}"
            )
            client = get_redis(config)
            for key in client.scan_iter(match=f"{config.redis_prefix}*"):
                client.delete(key)
        local = replace(request, source=args.branch, git_path=str(root))
        started = time.perf_counter()
        resolve_window(local, config)
        took_window = time.perf_counter() - started
        started = time.perf_counter()
        build_digest(local, config)
        whole = time.perf_counter() - started
        print(f"\nlocal git: window {took_window:.3f} s, whole digest (no cache) {whole:.2f} s")
        if not config.redis_url:
            shutdown_embedded(config.data_dir)


if __name__ == "__main__":
    main()
