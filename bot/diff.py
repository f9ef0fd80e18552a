"""The model of a change, whichever source it came from, and the unified-diff parser.

GitHub's per-file JSON and ``git diff`` text both end up as :class:`FileChange` values, so
summarizers and renderers never care where a diff came from.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from bot import messages


@dataclass(frozen=True)
class FileChange:
    """One changed file. ``patch`` holds the hunks only (GitHub's ``patch`` field shape).

    Frozen, like :class:`Change`: a change read once may be shared (the read memo, a report
    built twice from it), so a reader that learns more makes a new value with ``replace``.
    """

    filename: str
    status: str
    additions: int = 0
    deletions: int = 0
    patch: str | None = None
    previous_filename: str | None = None
    binary: bool = False
    truncated: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    submodule: bool = False
    missing_reason: str | None = None
    symlink: bool = False
    """A symbolic link (git mode 120000): its "text" is the path it points to."""
    line_endings: str | None = None
    """``crlf-to-lf`` or ``lf-to-crlf``: the file's line ends changed (its patch is read as LF)."""

    @property
    def changes(self) -> int:
        return self.additions + self.deletions


@dataclass(frozen=True)
class RefInfo:
    ref: str
    sha: str


@dataclass(frozen=True)
class CommitMessage:
    """A commit of the range (its SHA and whole message), or with ``pull`` set, a pull
    request's own title and body, which speak for the whole range."""

    sha: str
    message: str
    pull: int | None = None


@dataclass(frozen=True)
class Change:
    """A whole change: where it lives, which commits it spans and its files.

    ``old_texts`` and ``new_texts`` hold whole files (by their path on that side) where the
    reader could fetch them within its budget: the changed source files, manifests and
    changelogs, and for Python the rest of each touched package, so analysis sees whole
    declarations and re-exports, not just hunks. ``commits`` are the range's messages.
    """

    repository: str
    host: str
    base: RefInfo
    head: RefInfo
    permalink: str
    files: tuple[FileChange, ...]
    date: str
    title: str | None = None
    notes: tuple[str, ...] = ()
    web_url: str | None = None
    old_texts: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    new_texts: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    commits: tuple[CommitMessage, ...] = field(default=(), repr=False, compare=False)
    private: bool = False
    """A private repository's change: every path that shows its report checks the allowance."""

    @property
    def additions(self) -> int:
        return sum(f.additions for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions for f in self.files)


@dataclass(frozen=True)
class ResolvedChange:
    """A change whose base and head are pinned to commit SHAs, its files not read yet.

    Resolving takes a few cheap calls; reading the files (the compare, the heavy call) is left
    to :meth:`read`, so a cached report costs only the resolving. The attributes the cache key
    needs have the same names as on :class:`Change`.
    """

    repository: str
    host: str
    base: RefInfo
    head: RefInfo
    reader: Callable[[], Change] = field(repr=False, compare=False)

    def read(self) -> Change:
        return self.reader()


def unreadable_note(files: list[FileChange], limit: int = 50) -> str | None:
    """A note naming the files whose diff was there but could not be read, if any.

    Binary files and diffs GitHub withheld (already named in their own note) are not counted.
    """
    names = [f.filename for f in files if f.missing_reason and f.patch is None and not f.truncated]
    if not names:
        return None
    return messages.NOTE_UNREADABLE.format(count=len(names), names=named(names, limit))


def named(names: list[str], limit: int) -> str:
    """``a, b and 3 more``: at most ``limit`` names, so a note stays readable."""
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        return messages.NOTE_NAMES_MORE.format(names=shown, count=len(names) - limit)
    return shown


_GIT_HEADER_RE = re.compile(r"^diff --git (?:\"?a/)?(.+?)\"? (?:\"?b/)?(.+?)\"?$")


def decode_diff(data: bytes | str) -> str:
    """Decode diff bytes without ever failing: UTF-8, with undecodable bytes replaced."""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def _hunks_text(patched_file) -> str:
    lines: list[str] = []
    for hunk in patched_file:
        lines.append(str(hunk).rstrip("\n"))
    return "\n".join(lines)


def _status(pf) -> str:
    if pf.is_added_file:
        return "added"
    if pf.is_removed_file:
        return "removed"
    if pf.is_rename:
        return "renamed"
    return "modified"


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"b/quote\\"d.txt"``, octal escapes)."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    raw = codecs.escape_decode(path[1:-1].encode("utf-8"))[0]
    return raw.decode("utf-8", errors="replace")


def _strip_prefix(path: str | None, prefix: str) -> str | None:
    if path is None or path == "/dev/null":
        return None
    path = _unquote(path)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _split_files(text: str) -> Iterator[str]:
    """Split a diff into per-file chunks at ``diff --git`` lines (or keep it whole)."""
    chunk: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("diff --git ") and chunk:
            yield "".join(chunk)
            chunk = []
        chunk.append(line)
    if chunk:
        yield "".join(chunk)


def _header(chunk: str) -> str:
    """The extended header lines of a file chunk (before its first hunk), read cheaply."""
    end = chunk.find("\n@@", 0, 4096)
    return chunk[: end if end >= 0 else 4096]


def _is_symlink(chunk: str) -> bool:
    """Git writes mode 120000 for a link in ``new file mode``, ``index .. 120000`` and kin."""
    return any(
        line.split()[-1] == "120000"
        for line in _header(chunk).splitlines()[:8]
        if line.startswith(("new file mode", "deleted file mode", "old mode", "new mode", "index "))
    )


def _mode_lines(chunk: str) -> tuple[str | None, str | None, bool, str | None]:
    old_mode = new_mode = None
    copied_from = None
    header = _header(chunk)
    for line in header.splitlines()[:8]:
        if line.startswith("old mode "):
            old_mode = line[9:].strip()
        elif line.startswith("new mode "):
            new_mode = line[9:].strip()
        elif line.startswith("copy from "):
            copied_from = line[10:].strip()
    submodule = "160000" in header
    return old_mode, new_mode, submodule, copied_from


def _file_from_patched(pf, chunk: str) -> FileChange:
    source = _strip_prefix(pf.source_file, "a/")
    target = _strip_prefix(pf.target_file, "b/")
    filename = target or source or pf.path
    status = _status(pf)
    if status == "renamed" and "\nrename from " not in _header(chunk):
        status = "modified"  # plain diff -u of two differently named files, not a git rename
    old_mode, new_mode, submodule, copied_from = _mode_lines(chunk)
    previous = source if status == "renamed" and source != filename else None
    if copied_from:
        status, previous = "copied", copied_from
    if status == "modified" and not len(pf) and old_mode and new_mode:
        status = "changed"
    return FileChange(
        filename=filename,
        status=status,
        additions=pf.added,
        deletions=pf.removed,
        patch=None if pf.is_binary_file else _hunks_text(pf),
        previous_filename=previous,
        binary=bool(pf.is_binary_file),
        old_mode=old_mode,
        new_mode=new_mode,
        submodule=submodule,
        symlink=_is_symlink(chunk),
    )


def _fallback_file(chunk: str, error: Exception) -> FileChange | None:
    """A chunk unidiff rejects is still reported, by name, with the reason."""
    lines = chunk.splitlines()
    match = _GIT_HEADER_RE.match(lines[0] if lines else "")
    if not match:
        return None
    header = _header(chunk)
    status = "modified"
    if "\nnew file mode " in header:
        status = "added"
    elif "\ndeleted file mode " in header:
        status = "removed"
    body = lines[next((i for i, x in enumerate(lines) if x.startswith("@@")), len(lines)) :]
    return FileChange(
        filename=_unquote(match.group(2)),
        status=status,
        # Its counts still go into the totals, read from the lines themselves.
        additions=sum(1 for x in body if x.startswith("+")),
        deletions=sum(1 for x in body if x.startswith("-")),
        missing_reason=messages.FILE_DIFF_UNPARSABLE.format(error=error),
    )


def parse_unified_diff(data: bytes | str) -> list[FileChange]:
    """Parse a (git) unified diff into files; tolerant of CRLF, bad bytes and odd chunks."""
    text = decode_diff(data)
    files: list[FileChange] = []
    for raw in _split_files(text):
        # Line ends are read as LF, but a file going CRLF -> LF (or back) is said, not
        # shown as every line changed: noted from the raw chunk first.
        endings = _line_endings(raw)
        chunk = raw.replace("\r\n", "\n")
        try:
            patch_set = PatchSet(chunk)
        except UnidiffParseError as exc:
            fallback = _fallback_file(chunk, exc)
            if fallback:
                files.append(fallback)
            continue
        files.extend(
            replace(_file_from_patched(pf, chunk), line_endings=endings) for pf in patch_set
        )
    return files


def _line_endings(chunk: str) -> str | None:
    """``crlf-to-lf`` or ``lf-to-crlf`` when most changed lines of one side end in CR."""
    if "\r" not in chunk:
        return None
    removed = [x for x in chunk.split("\n") if x.startswith("-") and not x.startswith("---")]
    added = [x for x in chunk.split("\n") if x.startswith("+") and not x.startswith("+++")]
    if not removed or not added:
        return None
    old_cr = sum(x.endswith("\r") for x in removed)
    new_cr = sum(x.endswith("\r") for x in added)
    if old_cr * 2 > len(removed) and new_cr == 0:
        return "crlf-to-lf"
    if new_cr * 2 > len(added) and old_cr == 0:
        return "lf-to-crlf"
    return None


_REVERSED_STATUS = {"added": "removed", "removed": "added"}
_HUNK_HEADER_RE = re.compile(r"@@ -(\d+(?:,\d+)?) \+(\d+(?:,\d+)?) @@")


def reversed_file(f: FileChange) -> FileChange:
    """The same file change undone (B -> A from A -> B): what a rewound branch lost."""
    lines: list[str] = []
    for line in (f.patch or "").split("\n"):
        if line.startswith("@@"):
            line = _HUNK_HEADER_RE.sub(lambda m: f"@@ -{m.group(2)} +{m.group(1)} @@", line, 1)
        elif line.startswith("+"):
            line = "-" + line[1:]
        elif line.startswith("-"):
            line = "+" + line[1:]
        lines.append(line)
    renamed = f.status == "renamed" and f.previous_filename
    return replace(
        f,
        filename=f.previous_filename if renamed and f.previous_filename else f.filename,
        previous_filename=f.filename if renamed else f.previous_filename,
        status=_REVERSED_STATUS.get(f.status, f.status),
        additions=f.deletions,
        deletions=f.additions,
        patch="\n".join(lines) if f.patch is not None else None,
        old_mode=f.new_mode,
        new_mode=f.old_mode,
    )
