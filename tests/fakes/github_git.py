"""Read local git repositories with git itself, in the pieces GitHub's REST API returns.

The fake GitHub server answers from these values; it deliberately does not use the bot's own
diff parser, so a bug there cannot hide behind a fake that shares it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STATUS_WORDS = {"A": "added", "D": "removed", "M": "modified", "T": "changed", "R": "renamed"}
STATUS_WORDS["C"] = "copied"


class GitFailed(Exception):
    """git refused (unknown object, bad revision...)."""


@dataclass
class CommitInfo:
    sha: str
    parents: list[str]
    tree: str
    author: tuple[str, str, str]
    committer: tuple[str, str, str]
    message: str


@dataclass
class FileDiff:
    """One file as GitHub's compare/commit/pull-files endpoints describe it."""

    filename: str
    status: str
    additions: int
    deletions: int
    previous_filename: str | None
    binary: bool
    patch: str | None
    blob_sha: str

    @property
    def changes(self) -> int:
        return self.additions + self.deletions


def run_git(path: Path, *args: str, alternates: Sequence[Path] = ()) -> str:
    """Run git in ``path``; ``alternates`` lend objects of other repositories (forks)."""
    env = dict(os.environ)
    if alternates:
        env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = os.pathsep.join(
            str(p / ".git" / "objects") for p in alternates
        )
    done = subprocess.run(
        ["git", "-C", str(path), "-c", "core.quotepath=off", *args],
        capture_output=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8", "replace")


def blob_bytes(path: Path, spec: str) -> bytes:
    """A blob's bytes exactly (``SHA:path``)."""
    done = subprocess.run(
        ["git", "-C", str(path), "cat-file", "blob", spec], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def resolve(path: Path, ref: str, alternates: Sequence[Path] = ()) -> str | None:
    """The commit SHA a branch, tag or (abbreviated) SHA names, or ``None``."""
    if not ref or ref.startswith("-"):
        return None
    try:
        out = run_git(
            path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", alternates=alternates
        )
    except GitFailed:
        return None
    return out.strip() or None


def commit_info(path: Path, sha: str, alternates: Sequence[Path] = ()) -> CommitInfo:
    fmt = "%H%x00%P%x00%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
    out = run_git(path, "show", "-s", f"--format={fmt}", sha, alternates=alternates)
    parts = out.split("\x00")
    return CommitInfo(
        sha=parts[0],
        parents=parts[1].split(),
        tree=parts[2],
        author=(parts[3], parts[4], _utc(parts[5])),
        committer=(parts[6], parts[7], _utc(parts[8])),
        message=parts[9].rstrip("\n"),
    )


def commit_infos(path: Path, shas: list[str]) -> list[CommitInfo]:
    """Many commits in one git call (a listing page), in the order given."""
    if not shas:
        return []
    fmt = "%H%x00%P%x00%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x01"
    out = run_git(path, "show", "-s", "--no-walk=unsorted", f"--format={fmt}", *shas)
    infos = []
    for record in out.split("\x01")[: len(shas)]:
        parts = record.lstrip("\n").split("\x00")
        infos.append(
            CommitInfo(
                sha=parts[0],
                parents=parts[1].split(),
                tree=parts[2],
                author=(parts[3], parts[4], _utc(parts[5])),
                committer=(parts[6], parts[7], _utc(parts[8])),
                message=parts[9].rstrip("\n"),
            )
        )
    return infos


def listed_commits(path: Path, sha: str, since: str | None, until: str | None) -> list[str]:
    """``git log``'s commits from ``sha`` (newest first), limited by committer date as the
    commits API's ``since``/``until`` are (GitHub runs git's own date limiting)."""
    args = ["rev-list"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    return run_git(path, *args, sha).split()


def _utc(iso: str) -> str:
    """GitHub writes dates in UTC, as ``2012-05-25T12:10:54Z``, whatever the committer's zone."""
    when = datetime.fromisoformat(iso).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_base(path: Path, a: str, b: str, alternates: Sequence[Path] = ()) -> str | None:
    try:
        return run_git(path, "merge-base", a, b, alternates=alternates).strip() or None
    except GitFailed:
        return None


def is_ancestor(path: Path, ancestor: str, descendant: str) -> bool:
    try:
        run_git(path, "merge-base", "--is-ancestor", ancestor, descendant)
    except GitFailed:
        return False
    return True


def commits_between(path: Path, base: str, head: str, alternates: Sequence[Path] = ()) -> list[str]:
    """Commits reachable from ``head`` and not from ``base``, oldest first (GitHub's order)."""
    out = run_git(
        path, "rev-list", "--reverse", "--topo-order", f"{base}..{head}", alternates=alternates
    )
    return out.split()


def count_between(path: Path, base: str, head: str, alternates: Sequence[Path] = ()) -> int:
    return int(run_git(path, "rev-list", "--count", f"{base}..{head}", alternates=alternates))


def raw_diff(path: Path, start: str | None, end: str, alternates: Sequence[Path] = ()) -> str:
    """The full diff as ``application/vnd.github.diff`` returns it."""
    return run_git(path, *_diff_args(start, end), alternates=alternates)


def _diff_args(start: str | None, end: str, *extra: str) -> list[str]:
    if start is None:  # a root commit: everything is added
        return ["show", "--format=", "-M", "--no-color", "--no-ext-diff", *extra, end]
    return ["diff", "-M", "--no-color", "--no-ext-diff", *extra, start, end]


def file_diffs(
    path: Path, start: str | None, end: str, alternates: Sequence[Path] = ()
) -> list[FileDiff]:
    """Per-file status, counts and hunks, in git's order (the order GitHub lists files)."""
    statuses = _name_status(
        run_git(path, *_diff_args(start, end, "--name-status", "-z"), alternates=alternates)
    )
    counts = _numstat(
        run_git(path, *_diff_args(start, end, "--numstat", "-z"), alternates=alternates)
    )
    chunks = _chunks(raw_diff(path, start, end, alternates))
    blobs = _blob_shas(
        run_git(path, *_diff_args(start, end, "--raw", "-z", "--abbrev=40"), alternates=alternates)
    )
    files: list[FileDiff] = []
    for i, (status, old, new) in enumerate(statuses):
        added, deleted, binary = counts[i]
        chunk = chunks[i] if i < len(chunks) else ""
        files.append(
            FileDiff(
                filename=new,
                status=status,
                additions=added,
                deletions=deleted,
                previous_filename=old if status in ("renamed", "copied") else None,
                binary=binary,
                patch=None if binary else _hunks(chunk),
                blob_sha=blobs[i] if i < len(blobs) else "0" * 40,
            )
        )
    return files


def _name_status(out: str) -> list[tuple[str, str, str]]:
    fields = out.split("\x00")
    result: list[tuple[str, str, str]] = []
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i][0]
        if code in ("R", "C"):
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old = new = fields[i + 1]
            i += 2
        result.append((STATUS_WORDS.get(code, "modified"), old, new))
    return result


def _numstat(out: str) -> list[tuple[int, int, bool]]:
    fields = out.split("\x00")
    result: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(fields) and fields[i]:
        added, deleted, rest = fields[i].split("\t", 2)
        i += 3 if rest == "" else 1  # a rename is followed by its two names
        binary = added == "-"
        result.append((0 if binary else int(added), 0 if binary else int(deleted), binary))
    return result


def _blob_shas(out: str) -> list[str]:
    fields = out.split("\x00")
    result: list[str] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        meta = fields[i].split()
        new_blob = meta[3]
        result.append(meta[2] if set(new_blob) == {"0"} else new_blob)
        i += 3 if meta[4][0] in ("R", "C") else 2
    return result


def _chunks(diff: str) -> list[str]:
    chunks: list[str] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith("diff --git "):
            chunks.append(line)
        elif chunks:
            chunks[-1] += line
    return chunks


def _hunks(chunk: str) -> str | None:
    """GitHub's ``patch`` field: the hunks only, without the file headers."""
    at = chunk.find("\n@@")
    if at < 0:
        return None
    return chunk[at + 1 :].rstrip("\n")
