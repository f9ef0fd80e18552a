"""Per-area reports: keeping the files under some globs, and naming what a report is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Folder names that say what kind of page a file is, not what it is about.
GENERIC_FOLDERS = frozenset(
    """concepts concept how-to howto includes include media images image img assets static
    docs doc articles article src lib libs source sources test tests spec specs examples example
    tutorials tutorial reference references guides guide quickstarts quickstart overview
    samples sample content pages files resources public common shared internal pkg app apps
    scripts bin data config configs website site en en-us""".split()
)


@lru_cache(maxsize=256)
def _glob_regex(glob: str) -> re.Pattern[str]:
    """Translate a path glob where ``**`` spans folders and ``*``/``?`` stay within one."""
    glob = glob.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    pattern = "".join(out)
    # A glob naming a folder (``docs/`` or ``docs``) covers everything below it.
    if glob.endswith("/"):
        pattern += ".*"
    else:
        pattern += "(?:/.*)?"
    return re.compile(pattern + r"\Z")


def matches_any(path: str, globs: Iterable[str]) -> bool:
    return any(_glob_regex(g).match(path) for g in globs if g.strip())


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
