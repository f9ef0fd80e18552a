"""The per-process memory of changes read under resolved SHAs."""

from __future__ import annotations

import dataclasses

import pytest

from bot.diff import Change, FileChange, RefInfo
from bot.reading import memo as readmemo


def _change(name: str) -> Change:
    return Change(
        repository="o/r",
        host="github.com",
        base=RefInfo("a", "1" * 40),
        head=RefInfo("b", "2" * 40),
        permalink="https://github.com/o/r/compare/a...b",
        files=[FileChange(name, "modified", 1, 1, "@@ -1 +1 @@\n-a\n+b")],
        date="2025-06-12",
    )


def test_a_second_read_under_the_same_key_is_served_from_memory_unchanged() -> None:
    """The change is frozen, so one value serves every caller: none can add to another's notes."""
    reads: list[str] = []

    def read() -> Change:
        reads.append("read")
        return _change("a.md")

    first = readmemo.read_once(("k",), read)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.notes = ("a note added while building",)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.files[0].patch = None  # type: ignore[misc]
    second = readmemo.read_once(("k",), read)
    assert reads == ["read"]
    assert second.notes == () and second.files[0].filename == "a.md"


def test_memory_is_bounded_and_expires(monkeypatch) -> None:
    for i in range(readmemo.MAX_ENTRIES + 2):
        readmemo.read_once(("k", i), lambda i=i: _change(f"{i}.md"))
    assert len(readmemo._memory) == readmemo.MAX_ENTRIES
    assert ("k", 0) not in readmemo._memory  # the oldest went first

    now = readmemo.time.monotonic()
    monkeypatch.setattr(readmemo.time, "monotonic", lambda: now + readmemo.TTL_SECONDS + 1)
    calls: list[int] = []
    readmemo.read_once(("k", 5), lambda: calls.append(1) or _change("again.md"))
    assert calls == [1] and len(readmemo._memory) == 1
