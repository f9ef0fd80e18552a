"""A short-lived, per-process memory of changes already read, keyed by resolved commit SHAs.

A change pinned to SHAs never changes, yet one job may need it twice: a path-filtered
webhook job reads it to decide whether to post, then builds the report from it. Remembering
the last few reads for a couple of minutes saves GitHub the second compare (the heavy call).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from bot.diff import Change

MAX_ENTRIES = 4
TTL_SECONDS = 120.0

_lock = threading.Lock()
_memory: OrderedDict[Hashable, tuple[float, Change]] = OrderedDict()


def read_once(key: Hashable, read: Callable[[], Change]) -> Change:
    """``read()``'s change, or a copy of the one read under ``key`` in the last two minutes.

    The change is frozen, so every caller may share the one value.
    """
    now = time.monotonic()
    with _lock:
        for stale in [k for k, (at, _) in _memory.items() if now - at > TTL_SECONDS]:
            del _memory[stale]
        hit = _memory.get(key)
        if hit is not None:
            _memory.move_to_end(key)
            return hit[1]
    change = read()
    with _lock:
        _memory[key] = (now, change)
        _memory.move_to_end(key)
        while len(_memory) > MAX_ENTRIES:
            _memory.popitem(last=False)
    return change


def forget_all() -> None:
    """Drop everything remembered (tests that change a repository under the same SHAs)."""
    with _lock:
        _memory.clear()
