"""A small repository whose commits sit exactly on a digest window's edges (shared by tests).

main (first-parent line), committer times in UTC unless said:
  c0 2026-11-20T09:00:00Z   root
  c1 2026-11-23T08:59:59Z   one second before ``since``: the window's base
  c2 2026-11-23T09:00:00Z   exactly at ``since``: inside
     feature: f1 2026-11-24T10:00Z, f2 2026-11-25T10:00Z (off c2, not on the first-parent line)
  m1 2026-11-26T12:00:00+02:00 (10:00Z)   the merge of feature (pull request #5)
  c3 2026-11-30T09:00:00Z   exactly at ``until``: inside, the window's head
  c4 2026-11-30T09:00:01Z   one second after ``until``: outside
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SINCE = "2026-11-23T09:00:00Z"
UNTIL = "2026-11-30T09:00:00Z"


def git_at(cwd: Path, when: str, *args: str, author: str = "Ada") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.com",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=True, env=env)
    return done.stdout.decode().strip()


def commit_file(root: Path, when: str, path: str, text: str, message: str, **kw: str) -> str:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    git_at(root, when, "add", "--", path)
    git_at(root, when, "commit", "-q", "-m", message, **kw)
    return git_at(root, when, "rev-parse", "HEAD")


@dataclass
class History:
    root: Path
    c0: str
    c1: str
    c2: str
    f1: str
    f2: str
    m1: str
    c3: str
    c4: str


def make_history(root: Path) -> History:
    root.mkdir()
    git_at(root, "2026-11-20T09:00:00Z", "init", "-q", "-b", "main")
    c0 = commit_file(root, "2026-11-20T09:00:00Z", "docs/a.md", "# A\n", "Start")
    c1 = commit_file(root, "2026-11-23T08:59:59Z", "docs/a.md", "# A\n\nOne.\n", "Before since")
    c2 = commit_file(root, "2026-11-23T09:00:00Z", "src/app.py", "x = 1\n", "At since")
    git_at(root, "2026-11-24T10:00:00Z", "checkout", "-q", "-b", "feature")
    f1 = commit_file(
        root, "2026-11-24T10:00:00Z", "docs/b.md", "# B\n", "Feature one", author="Grace"
    )
    f2 = commit_file(
        root, "2026-11-25T10:00:00Z", "docs/b.md", "# B\n\nTwo.\n", "Feature two", author="Grace"
    )
    git_at(root, "2026-11-26T12:00:00+02:00", "checkout", "-q", "main")
    git_at(
        root,
        "2026-11-26T12:00:00+02:00",
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge pull request #5 from octo/feature",
        "feature",
    )
    m1 = git_at(root, "2026-11-26T12:00:00+02:00", "rev-parse", "HEAD")
    c3 = commit_file(root, "2026-11-30T09:00:00Z", "src/app.py", "x = 2\n", "At until")
    c4 = commit_file(root, "2026-11-30T09:00:01Z", "src/app.py", "x = 3\n", "After until")
    return History(root, c0, c1, c2, f1, f2, m1, c3, c4)
