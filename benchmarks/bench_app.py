"""Reading as a GitHub App: what the token cache saves, and what one cold start costs.

Prints, against FakeGitHub with an App installed on a private repository (a small compare):
- the time of a read with a cold cache (installation lookup + JWT + token) and warm (p50/p99),
  beside the same read with a personal token;
- GitHub requests per read, cold and warm;
- 20 concurrent cold reads ("workers" in threads): token requests GitHub saw, and wall time;
- how long PyGithub takes to sign one JWT from the PEM.

Run: ``.venv/bin/python benchmarks/bench_app.py`` (uses REDIS_URL, else an embedded Redis in a
temporary directory). Keys live under a random prefix and are deleted afterwards.
"""

from __future__ import annotations

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

from github import Auth  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.reading.github import read_github  # noqa: E402
from bot.sources import parse_source  # noqa: E402
from bot.store.connection import get_redis, shutdown_embedded  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.github_app import FakeApp  # noqa: E402

READS = 200
CONCURRENT = 20


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    done = subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


def make_repo(root: Path) -> tuple[str, str]:
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# Plans\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD")
    (root / "README.md").write_text("# Plans\n\nPhase two.\n")
    (root / "plan.py").write_text("STEPS = 2\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "change")
    return base, git(root, "rev-parse", "HEAD")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        base, head = make_repo(root)
        app = FakeApp()
        prefix = f"bench-app-{uuid.uuid4().hex[:8]}:"
        redis_url = os.environ.get("REDIS_URL")
        config = replace(
            load_config({}),
            redis_url=redis_url,
            data_dir=Path(tmp) / "data",
            redis_prefix=prefix,
            allowed_repos=("octo/*",),
        )
        try:
            with FakeGitHub(tokens=("pat",), app=app) as gh:
                gh.add_repo("octo", "secret", root, private=True)
                installation = app.install("octo", "octo/secret")
                config = replace(
                    config,
                    github_api_url=gh.api_url,
                    github_app_id=str(app.id),
                    github_app_private_key=app.private_key_pem,
                )
                link = f"{gh.web_url}/octo/secret/compare/{base}...{head}"
                source = parse_source(link, github_web_host=config.github_web_host)

                def read(cfg=config) -> float:
                    start = time.perf_counter()
                    read_github(source, cfg)
                    return time.perf_counter() - start

                before = len(gh.requests)
                cold = read()
                cold_requests = len(gh.requests) - before
                before = len(gh.requests)
                warm = [read() for _ in range(READS)]
                warm_requests = (len(gh.requests) - before) / READS
                with_pat = replace(config, github_app_id=None, github_app_private_key=None)
                pat_config = replace(with_pat, github_token="pat")
                pat = [read(pat_config) for _ in range(READS)]
                print(
                    f"cold read (lookup + JWT + token + read): {ms(cold)}, "
                    f"{cold_requests} GitHub requests"
                )
                print(
                    f"warm read, App token from Redis: p50 {ms(statistics.median(warm))}, "
                    f"p99 {ms(p99(warm))}, {warm_requests:.0f} GitHub requests"
                )
                print(
                    f"same read with GITHUB_TOKEN:    p50 {ms(statistics.median(pat))}, "
                    f"p99 {ms(p99(pat))}"
                )

                client = get_redis(config)
                for key in client.scan_iter(f"{prefix}app:*"):
                    client.delete(key)
                issued_before = len(app.tokens)
                threads = [threading.Thread(target=read) for _ in range(CONCURRENT)]
                start = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - start
                print(
                    f"{CONCURRENT} concurrent cold reads: "
                    f"{len(app.tokens) - issued_before} token request(s), wall {ms(wall)}"
                )
                assert installation in app.installations

                auth = Auth.AppAuth(app.id, app.private_key_pem)
                start = time.perf_counter()
                for _ in range(20):
                    auth.create_jwt()
                print(f"one JWT signed from the PEM: {ms((time.perf_counter() - start) / 20)}")
        finally:
            client = get_redis(config)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
            if not redis_url:
                shutdown_embedded(config.data_dir)


if __name__ == "__main__":
    main()
