"""Read a change from a local git repository with git itself, so reports work offline."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bot import messages
from bot.diff import (
    Change,
    CommitMessage,
    FileChange,
    RefInfo,
    ResolvedChange,
    parse_unified_diff,
    unreadable_note,
)
from bot.errors import NotFoundError, SourceReadError, UnknownRefError
from bot.reading.contents import read_local_texts
from bot.sources import Source

_GITHUB_REMOTE_RE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?|git@|ssh://git@)(github\.com)[:/]([^/]+)/(.+?)(?:\.git)?/?$"
)


class GitMissingError(SourceReadError):
    """git itself cannot be run; no repository can be read until it is installed."""


def _git(path: str, *args: str, binary: bool = False) -> str | bytes:
    try:
        done = subprocess.run(
            ["git", "-C", path, *args], capture_output=True, check=False, timeout=300
        )
    except FileNotFoundError as exc:
        raise GitMissingError(messages.GIT_MISSING) from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceReadError(
            messages.GIT_TIMED_OUT.format(command=args[0], seconds=exc.timeout)
        ) from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else messages.GIT_NO_OUTPUT
        raise SourceReadError(messages.GIT_FAILED.format(command=args[0], reason=reason))
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def git_top(path: str) -> str:
    """The work tree's top folder of the repository at ``path`` (NotFoundError if none)."""
    if not Path(path).exists():
        raise NotFoundError(messages.GIT_PATH_MISSING.format(path=path))
    if not Path(path).is_dir():
        raise NotFoundError(messages.GIT_PATH_IS_FILE.format(path=path))
    try:
        return str(_git(path, "rev-parse", "--show-toplevel")).strip()
    except GitMissingError:
        raise
    except SourceReadError as exc:
        raise NotFoundError(messages.GIT_NOT_A_REPOSITORY.format(path=path)) from exc


def resolve_ref(path: str, ref: str) -> str:
    """The commit SHA ``ref`` names (UnknownRefError when it names none)."""
    return _resolve(path, ref)


def _resolve(path: str, ref: str) -> str:
    try:
        return str(_git(path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")).strip()
    except SourceReadError as exc:
        raise UnknownRefError(messages.GIT_UNKNOWN_REF.format(ref=ref, path=path)) from exc


def github_origin(path: str) -> str | None:
    """``OWNER/REPO`` when the repository's ``origin`` is on github.com, else ``None``."""
    try:
        url = str(_git(path, "remote", "get-url", "origin")).strip()
    except SourceReadError:
        return None
    match = _GITHUB_REMOTE_RE.match(url)
    return f"{match.group(2)}/{match.group(3)}" if match else None


def read_local(source: Source) -> Change:
    """Diff ``base`` to ``head`` (from their merge base for ``...``) with rename detection."""
    return resolve_local(source).read()


def resolve_local(source: Source) -> ResolvedChange:
    """Pin base and head to SHAs and name the repository; the diff waits for ``.read()``.

    A cached report of a local range then costs three quick git calls, not the diff.
    """
    top = git_top(source.git_path or ".")
    base_ref, head_ref = source.base or "", source.head or ""
    base = RefInfo(base_ref, _resolve(top, base_ref))
    head = RefInfo(head_ref, _resolve(top, head_ref))
    origin = github_origin(top)
    return ResolvedChange(
        repository=origin or Path(top).name,
        host="local",
        base=base,
        head=head,
        reader=lambda: _read(source, top, base, head, origin),
    )


def _swapped_note(top: str, base: RefInfo, head: RefInfo) -> list[str]:
    """An empty range whose base is ahead of its head was most likely typed the wrong way."""
    ahead = int(str(_git(top, "rev-list", "--count", f"{head.sha}..{base.sha}")).strip() or 0)
    behind = int(str(_git(top, "rev-list", "--count", f"{base.sha}..{head.sha}")).strip() or 0)
    if ahead and not behind:
        return [messages.NOTE_SIDES_SWAPPED.format(base=base.ref, head=head.ref, count=ahead)]
    return []


def _read(source: Source, top: str, base: RefInfo, head: RefInfo, origin: str | None) -> Change:
    base_ref, head_ref, base_sha, head_sha = base.ref, head.ref, base.sha, head.sha
    start = base_sha
    if source.dots == 3:
        try:
            start = str(_git(top, "merge-base", base_sha, head_sha)).strip() or base_sha
        except SourceReadError as exc:
            raise SourceReadError(
                messages.GIT_NO_SHARED_HISTORY.format(base=base_ref, head=head_ref)
            ) from exc
    raw = _git(
        top,
        "-c",
        "core.quotepath=off",
        "diff",
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--submodule=short",
        start,
        head_sha,
        binary=True,
    )
    files: list[FileChange] = parse_unified_diff(raw)
    notes = [messages.NOTE_IDENTICAL.format(sha=head_sha[:12])] if base_sha == head_sha else []
    if not files and base_sha != head_sha:
        notes += _swapped_note(top, base, head)
    unreadable = unreadable_note(files)
    notes += [unreadable] if unreadable else []
    old_texts, new_texts, hunk_notes = read_local_texts(top, start, head_sha, files)
    notes += hunk_notes
    commits = _commits(top, start, head_sha)
    date = str(_git(top, "show", "-s", "--format=%cI", head_sha)).strip()
    range_text = f"{base_ref}{'.' * source.dots}{head_ref}"
    if origin:
        repository = origin
        permalink = (
            f"https://github.com/{origin}/compare/{base_sha[:7]}{'.' * source.dots}{head_sha[:7]}"
        )
    else:
        repository = Path(top).name
        permalink = range_text
    return Change(
        repository=repository,
        host="local",
        base=base,
        head=head,
        permalink=permalink,
        files=tuple(files),
        date=(date[:10] if date else datetime.now(UTC).date().isoformat()),
        web_url=f"https://github.com/{origin}" if origin else None,
        notes=tuple(notes),
        old_texts=old_texts,
        new_texts=new_texts,
        commits=tuple(commits),
    )


MAX_COMMITS = 500


def _commits(top: str, start: str, head: str) -> list[CommitMessage]:
    """The range's commit messages, oldest first, at most :data:`MAX_COMMITS` (the newest)."""
    if start == head:
        return []
    raw = str(
        _git(top, "log", f"--max-count={MAX_COMMITS}", "--format=%H%x00%B%x1e", f"{start}..{head}")
    )
    found: list[CommitMessage] = []
    for record in raw.split("\x1e"):
        sha, _, message = record.strip().partition("\0")
        if sha and message.strip():
            found.append(CommitMessage(sha, message.strip()))
    return found[::-1]
