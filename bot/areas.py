"""Per-area reports: keeping the files under some globs, and naming what a report is about.

Globs come from people (subscriptions, ``--path``) and paths from repositories, so matching
must stay fast whatever either holds. The old matcher compiled a glob into a backtracking
regex with nested ``(?:.*/)?`` groups: eleven ``**/`` against a deep path took seconds. Here a
glob becomes a tiny NFA whose set of live states is one Python int (bit i: "about to match
token i"); each path character costs a fixed handful of integer operations, so a match is
linear in the path's length whatever the glob (benchmarks/bench_glob.py prints the worst case).

The meaning is the old one: ``**/`` is empty or any run ending in ``/``, ``**`` any run, ``*`` a
run without ``/``, ``?`` one character but ``/``; a glob ending in ``/`` covers everything below
it, any other glob also covers what lies below the file or folder it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot import messages
from bot.sources import SourceError

# Folder names that say what kind of page a file is, not what it is about.
GENERIC_FOLDERS = frozenset(
    """concepts concept how-to howto includes include media images image img assets static
    docs doc articles article src lib libs source sources test tests spec specs examples example
    tutorials tutorial reference references guides guide quickstarts quickstart overview
    samples sample content pages files resources public common shared internal pkg app apps
    scripts bin data config configs website site en en-us""".split()
)


MAX_GLOB_LENGTH = 200
"""Longer globs are refused (a subscription's, a ``--path``'s): no real folder needs more."""
MAX_GLOBSTARS = 10
"""At most this many ``**`` in one glob. Matching stays linear whatever the count; the bound
keeps a glob readable and says so plainly, instead of accepting eleven ``**/`` in a row."""

_LIT, _ONE, _STAR, _ANY, _ANYSLASH = "lit", "one", "star", "any", "anyslash"


def normalize_glob(glob: str) -> str:
    """The glob as matched: blanks, leading ``./`` and ``/`` dropped."""
    glob = glob.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    return glob.lstrip("/")


def glob_problem(glob: str) -> str | None:
    """Why a glob cannot be used (worded for the person who wrote it), or None."""
    if len(glob) > MAX_GLOB_LENGTH:
        return messages.GLOB_TOO_LONG.format(limit=MAX_GLOB_LENGTH)
    if glob.count("**") > MAX_GLOBSTARS:
        return messages.GLOB_TOO_MANY_GLOBSTARS.format(limit=MAX_GLOBSTARS)
    return None


class GlobError(SourceError):
    """A ``--path`` glob we refuse (exit 2 on the command line, told with the Slack ack)."""

    def __init__(self, reason: str) -> None:
        ValueError.__init__(self, reason)
        self.reason = reason


def check_globs(globs: Iterable[str]) -> None:
    """Raise :class:`GlobError` naming the first glob :func:`glob_problem` refuses."""
    for glob in globs:
        problem = glob_problem(normalize_glob(glob))
        if problem:
            raise GlobError(messages.GLOB_REFUSED.format(glob=glob[:60], problem=problem))


def _tokens(glob: str) -> list[tuple[str, str]]:
    """The old translator's tokens, with runs that mean the same thing merged."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            tok, i = (_ANYSLASH, ""), i + 3
        elif glob.startswith("**", i):
            tok, i = (_ANY, ""), i + 2
        elif glob[i] == "*":
            tok, i = (_STAR, ""), i + 1
        elif glob[i] == "?":
            tok, i = (_ONE, ""), i + 1
        else:
            tok, i = (_LIT, glob[i]), i + 1
        prev = out[-1][0] if out else None
        kind = tok[0]
        # Exact equivalences: .*.* = .*, .*[^/]* = .*, [^/]*.* = .*, .*(?:.*/)? = .*,
        # (?:.*/)?.* = .*, (?:.*/)?(?:.*/)? = (?:.*/)?
        if prev == _ANY and kind in (_ANY, _STAR, _ANYSLASH):
            continue
        if prev in (_STAR, _ANYSLASH) and kind == _ANY:
            out[-1] = (_ANY, "")
            continue
        if prev == _ANYSLASH and kind == _ANYSLASH:
            continue
        out.append(tok)
    return out


@dataclass(frozen=True)
class _Machine:
    lits: dict[str, int]
    one: int
    star_loop: int
    any_loop: int
    loops: int
    skips: int
    accept: int
    rounds: int
    """The longest chain of moves that consume nothing: that many rounds close any state set."""
    steps: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def closure(self, d: int) -> int:
        loops, skips = self.loops, self.skips
        for _ in range(self.rounds):
            d |= ((d & loops) << 1) | ((d & skips) << 3)
        return d

    def step(self, c: str) -> tuple[int, int]:
        got = self.steps.get(c)
        if got is None:
            slash = c == "/"
            single = self.lits.get(c, 0) | (0 if slash else self.one)
            loop = self.any_loop | (0 if slash else self.star_loop)
            got = self.steps[c] = (single, loop)
        return got


@lru_cache(maxsize=256)
def _machine(glob: str) -> _Machine:
    toks = _tokens(glob)
    if glob.endswith("/"):
        toks.append((_ANY, ""))
        tail_optional = False
    else:
        toks += [(_LIT, "/"), (_ANY, "")]
        tail_optional = True
    # Each _ANYSLASH is three states: a fork, a loop on anything, a '/'; the fork skips both.
    lits: dict[str, int] = {}
    one = star_loop = any_loop = skips = forks = 0
    pos = 0
    for kind, ch in toks:
        bit = 1 << pos
        if kind == _LIT:
            lits[ch] = lits.get(ch, 0) | bit
        elif kind == _ONE:
            one |= bit
        elif kind == _STAR:
            star_loop |= bit
        elif kind == _ANY:
            any_loop |= bit
        else:
            # A fork state that consumes nothing: into the loop, or past loop and '/'.
            forks |= bit
            skips |= bit
            any_loop |= bit << 1
            lits["/"] = lits.get("/", 0) | (bit << 2)
            pos += 2
        pos += 1
    accept = 1 << pos
    if tail_optional:
        accept |= 1 << (pos - 2)  # before the optional "/..." tail
    loops = star_loop | any_loop | forks
    rounds = _rounds(loops, skips, pos)
    return _Machine(lits, one, star_loop, any_loop, loops, skips, accept, rounds)


def _rounds(loops: int, skips: int, states: int) -> int:
    """The longest chain of free moves (``loops``: to the next state, ``skips``: three on)."""
    longest = [0] * (states + 4)
    for i in range(states, -1, -1):  # free moves only go forward
        if loops >> i & 1:
            longest[i] = max(longest[i], 1 + longest[i + 1])
        if skips >> i & 1:
            longest[i] = max(longest[i], 1 + longest[i + 3])
    return max(longest)


def glob_matches(glob: str, path: str) -> bool:
    """Whether ``path`` lies under ``glob``; linear in ``len(path)``."""
    m = _machine(normalize_glob(glob))
    d = m.closure(1)
    loops, skips, steps, step, rounds = m.loops, m.skips, m.steps, m.step, range(m.rounds)
    for c in path:
        single, loop = steps.get(c) or step(c)
        d = ((d & single) << 1) | (d & loop)
        if not d:
            return False
        for _ in rounds:  # the free moves, inlined: this is the hot loop of every match
            d |= ((d & loops) << 1) | ((d & skips) << 3)
    return bool(d & m.accept)


def matches_any(path: str, globs: Iterable[str]) -> bool:
    return any(glob_matches(g, path) for g in globs if g.strip())


def _literal_folders(glob: str) -> list[str]:
    folders: list[str] = []
    for part in glob.strip().strip("/").split("/"):
        if any(ch in part for ch in "*?["):
            break
        folders.append(part)
    return folders


def area_from_globs(globs: Sequence[str]) -> str | None:
    """The last literal folder of the first glob: ``articles/ai-services/openai/**`` -> openai."""
    for glob in globs:
        folders = _literal_folders(glob)
        if folders and folders[-1]:
            last = folders[-1]
            # A literal file name (with an extension) names the folder above it.
            if "." in last and len(folders) > 1 and not glob.rstrip().endswith("/"):
                return folders[-2]
            return last
    return None


def area_from_paths(paths: Sequence[str], repository: str) -> str:
    """The deepest folder common to all paths, walking up past generic folder names."""
    folder_lists = [p.split("/")[:-1] for p in paths]
    if not folder_lists:
        return repository.rsplit("/", 1)[-1]
    common: list[str] = []
    for parts in zip(*folder_lists, strict=False):
        if all(part == parts[0] for part in parts):
            common.append(parts[0])
        else:
            break
    for folder in reversed(common):
        if folder.lower() not in GENERIC_FOLDERS and not folder.startswith("."):
            return folder
    return repository.rsplit("/", 1)[-1]
