"""GitHub's per-file JSON into :class:`FileChange` values, completed from the raw diff.

GitHub's JSON lists at most 300 files of a comparison and leaves ``patch`` out for binary and
large files. The ``application/vnd.github.diff`` media type has everything, unless GitHub
refuses it too (406 ``too_large``). This module merges the two and, where something is still
missing, says exactly what and why, so a report never drops a file silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from github.File import File

from bot import messages
from bot.diff import FileChange, named, parse_unified_diff, unreadable_note

MAX_NAMED_FILES = 50
MISSING_FROM_DIFF = messages.FILE_MISSING_FROM_DIFF


@dataclass
class DiffRefused:
    """GitHub would not send the whole diff; ``detail`` is its reason in a few words."""

    status: int
    detail: str


DiffFetcher = Callable[[], "str | DiffRefused"]


def file_from_api(f: File) -> FileChange:
    return FileChange(
        filename=f.filename,
        status=f.status,
        additions=f.additions or 0,
        deletions=f.deletions or 0,
        patch=f.patch,
        previous_filename=f.previous_filename,
    )


def needs_full_diff(files: list[FileChange], listed_cap: int, total: int | None = None) -> bool:
    """The JSON may be incomplete: files are missing, or one has no ``patch``."""
    if total is not None and len(files) < total:
        return True
    if total is None and len(files) >= listed_cap:
        return True
    return any(f.patch is None for f in files)


def complete_files(
    files: list[FileChange],
    fetch_diff: DiffFetcher,
    *,
    listed_cap: int,
    what: str,
    total: int | None = None,
) -> tuple[list[FileChange], list[str]]:
    """Fill missing patches and files from the full diff; notes for what stays missing.

    ``total`` is the number of changed files when GitHub says it (pull requests); without
    it, a list as long as ``listed_cap`` may have been cut short.
    """
    if not needs_full_diff(files, listed_cap, total):
        return files, []
    diff = fetch_diff()
    if isinstance(diff, DiffRefused):
        return _withheld(files, diff, listed_cap, what, total)
    merged = merge_diff(files, parse_unified_diff(diff))
    note = unreadable_note(merged)
    return merged, [note] if note else []


def merge_diff(files: list[FileChange], from_diff: Iterable[FileChange]) -> list[FileChange]:
    """GitHub's JSON stays authoritative for status and counts; the diff adds the rest."""
    by_name = {f.filename: f for f in from_diff}
    merged: list[FileChange] = []
    for f in files:
        d = by_name.pop(f.filename, None)
        if d is not None and f.patch is None:
            f = replace(
                f,
                patch=d.patch or None,
                binary=d.binary,
                old_mode=d.old_mode,
                new_mode=d.new_mode,
                submodule=d.submodule,
                missing_reason=d.missing_reason,
            )
        elif d is None and f.patch is None and f.changes and not f.binary:
            f = replace(f, missing_reason=MISSING_FROM_DIFF)
        merged.append(f)
    return merged + list(by_name.values())


def _withheld(
    files: list[FileChange], refused: DiffRefused, listed_cap: int, what: str, total: int | None
) -> tuple[list[FileChange], list[str]]:
    """The files with their withheld diffs marked, and notes naming them."""
    reason = messages.DIFF_REFUSED.format(detail=refused.detail)
    notes: list[str] = []
    why = messages.FILE_DIFF_WITHHELD.format(reason=reason)
    files = [
        replace(f, truncated=True, missing_reason=why) if f.patch is None and f.changes else f
        for f in files
    ]
    withheld = [f for f in files if f.missing_reason == why]
    if withheld:
        names = [f.filename for f in withheld]
        shown = named(names, MAX_NAMED_FILES)
        notes.append(
            messages.NOTE_DIFFS_WITHHELD.format(count=len(names), reason=reason, names=shown)
        )
    if total is not None and len(files) < total:
        notes.append(
            messages.NOTE_FILES_COUNTED.format(
                limit=listed_cap, what=what, reason=reason, total=total, missing=total - len(files)
            )
        )
    elif total is None and len(files) >= listed_cap:
        notes.append(messages.NOTE_FILES_CAPPED.format(limit=listed_cap, what=what, reason=reason))
    return files, notes


def refusal_detail(status: int, body: str) -> str:
    """GitHub's own reason for refusing a diff, shortened (``Sorry, `` and advice dropped)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = None
    message = data.get("message", "") if isinstance(data, dict) else ""
    codes = [e.get("code") for e in data.get("errors", [])] if isinstance(data, dict) else []
    message = message.removeprefix("Sorry, ").split(". ")[0].rstrip(".")
    code = next((c for c in codes if c), None)
    parts = [f"HTTP {status}"] + ([code] if code else []) + ([message] if message else [])
    return ": ".join(parts)
