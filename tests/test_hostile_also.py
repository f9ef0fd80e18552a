"""The "Also" list of issue 11: an unusable Redis database, symbolic links, line endings and a
range typed the wrong way round, each through the command line a person runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bot import messages
from tests.support import COMMAND, ROOT, git


def report(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, "report", *args], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )


def base_env(tmp_path: Path, redis_url: str, redis_prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIFFINSIGHT_", "OPENAI"))}
    env.update(
        REDIS_URL=redis_url,
        DIFFINSIGHT_REDIS_PREFIX=redis_prefix,
        DIFFINSIGHT_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    return env


def database_99(url: str) -> str:
    if url.startswith("unix://"):
        return url + "?db=99"
    return url.rsplit("/", 1)[0] + "/99"


def test_a_redis_database_beyond_the_servers_builds_without_the_cache_and_says_so(
    make_repo, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    repo, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nMore.\n"}])
    env = base_env(tmp_path, database_99(redis_url), redis_prefix)
    done = report(["HEAD~1...HEAD", "--git", str(repo)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("---\n")
    assert "building without it" in done.stderr and "DB index is out of range" in done.stderr


def test_symlinks_and_line_endings_are_said_as_what_they_are(
    make_repo, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    repo, _ = make_repo([{"notes.txt": "one\r\ntwo\r\nthree\r\n", "target.md": "# T\n"}])
    (repo / "notes.txt").write_bytes(b"one\ntwo\nthree\n")
    os.symlink("target.md", repo / "link.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "eol and link")
    os.remove(repo / "link.md")
    os.symlink("elsewhere.md", repo / "link.md")
    git(repo, "commit", "-q", "-am", "relink")
    env = base_env(tmp_path, redis_url, redis_prefix)
    first = json.loads(
        report(["HEAD~2...HEAD~1", "--git", str(repo), "--format", "json"], env).stdout
    )
    by_name = {f["filename"]: f for f in first["files"]}
    assert (
        "Line endings changed from CRLF (Windows) to LF (3 lines); the text is otherwise the same"
        in (by_name["notes.txt"]["explanation"])
    )
    assert "Symbolic link added, pointing to `target.md`" in by_name["link.md"]["explanation"]
    second = json.loads(
        report(["HEAD~1...HEAD", "--git", str(repo), "--format", "json"], env).stdout
    )
    (link,) = second["files"]
    assert (
        "Symbolic link now points to `elsewhere.md` instead of `target.md`" in link["explanation"]
    )
    assert "added and" not in link["explanation"]  # not described as a one-line text edit


def test_a_base_newer_than_its_head_says_the_sides_may_be_swapped(
    make_repo, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    repo, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nMore.\n"}, {"b.md": "# B\n"}])
    env = base_env(tmp_path, redis_url, redis_prefix)
    done = report(["HEAD...HEAD~2", "--git", str(repo), "--format", "json"], env)
    notes = json.loads(done.stdout)["notes"]
    assert messages.NOTE_SIDES_SWAPPED.format(base="HEAD", head="HEAD~2", count=2) in notes
