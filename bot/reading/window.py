"""A digest's window: which commits of a branch a time span covers, and what landed in it.

The rule is the same for GitHub and local git, and it reads the branch as it stood: walk the
first-parent line from the tip; the window's head is the first commit whose committer time
is at or before ``until``, its base the first commit from there on whose committer time is
before ``since``. The digest is then the net change base...head, and the first-parent
commits between them (head included, base not) are what landed, oldest first. Commits of a
merged branch are not on the first-parent line, so a merge counts once, at its merge time.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot import messages
from bot.errors import SourceReadError
from bot.reading.local import git_top, github_origin, resolve_ref
from bot.report import MergedItem
from bot.request import iso_utc

log = logging.getLogger(__name__)

GIT_LOG_TIMEOUT = 300


@dataclass(frozen=True)
class LineCommit:
    """One commit of the first-parent line, as much as the window needs of it."""

    sha: str
    when: datetime
    """Committer time, aware UTC."""
    parents: tuple[str, ...]
    author: str
    subject: str
    url: str | None = None


@dataclass(frozen=True)
class Window:
    """A resolved window: the SHAs its report compares and what landed between them."""

    repository: str
    branch: str
    since: datetime
    until: datetime
    base: str | None
    head: str | None
    landed: tuple[LineCommit, ...] = ()
    merged: tuple[MergedItem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    host: str = "github"

    @property
    def empty(self) -> bool:
        """Nothing landed: no commit at or before ``until``, or none after ``since``."""
        return self.head is None or not self.landed

    @property
    def compare_base(self) -> str | None:
        """The SHA the report starts from: the base, or the first commit when history begins
        inside the window (its own files are then not counted, and a note says so)."""
        if self.base is not None or not self.landed:
            return self.base
        return self.landed[0].sha


def walk_line(
    commits: Iterable[LineCommit], since: datetime, until: datetime
) -> tuple[LineCommit | None, list[LineCommit], LineCommit | None]:
    """(head, landed newest first, base) from first-parent commits given newest first.

    Stops reading ``commits`` as soon as the base is found, so a caller may stream them.
    """
    head: LineCommit | None = None
    landed: list[LineCommit] = []
    for commit in commits:
        if head is None:
            if commit.when > until:
                continue
            head = commit
        if commit.when < since:
            return head, landed, commit
        landed.append(commit)
    return head, landed, None


def as_merged(commit: LineCommit) -> MergedItem:
    return MergedItem(
        title=commit.subject,
        sha=commit.sha,
        author=commit.author,
        date=iso_utc(commit.when),
        number=None,
        url=commit.url,
    )


def root_note(branch: str, since: datetime, landed: list[LineCommit]) -> tuple[str, ...]:
    if not landed:
        return ()
    sha = landed[-1].sha[:12]
    return (messages.NOTE_WINDOW_FROM_ROOT.format(branch=branch, since=iso_utc(since), sha=sha),)


# --- local git ------------------------------------------------------------------------------
_FORMAT = "%H%x00%P%x00%ct%x00%an%x00%s"


def _first_parent_line(top: str, sha: str) -> Iterator[LineCommit]:
    """``git log --first-parent`` streamed, newest first; the walk stops reading when done."""
    args = ["git", "-C", top, "log", "--first-parent", f"--format={_FORMAT}", sha, "--"]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise SourceReadError(messages.GIT_MISSING) from exc
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            fields = raw.decode("utf-8", "replace").rstrip("\n").split("\x00", 4)
            if len(fields) != 5:
                continue
            sha_, parents, stamp, author, subject = fields
            yield LineCommit(
                sha=sha_,
                when=datetime.fromtimestamp(int(stamp), UTC),
                parents=tuple(parents.split()),
                author=author,
                subject=subject,
            )
    finally:
        proc.kill()
        proc.wait(timeout=GIT_LOG_TIMEOUT)


def local_window(git_path: str, ref: str, since: datetime, until: datetime) -> Window:
    """The window on ``ref`` of the repository at ``git_path``, read with git itself."""
    top = git_top(git_path)
    tip = resolve_ref(top, ref)
    head, landed, base = walk_line(_first_parent_line(top, tip), since, until)
    origin = github_origin(top)
    notes = root_note(ref, since, landed) if head is not None and base is None else ()
    oldest_first = tuple(reversed(landed))
    log.info("local window resolved", extra={"commits": len(landed)})
    return Window(
        repository=origin or Path(top).name,
        branch=ref,
        since=since,
        until=until,
        base=base.sha if base else None,
        head=head.sha if head else None,
        landed=oldest_first,
        merged=tuple(as_merged(c) for c in oldest_first),
        notes=notes,
        host="local",
    )
