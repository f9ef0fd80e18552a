"""Whole files for analysis: which ones a report needs, within what budget, and local reading.

Hunks cut declarations in half and hide re-exports, so the changed source files, manifests
and changelogs are read whole on both sides, and for Python every module of each touched
package (local git), or its ``__init__`` files (GitHub), so public names can be told from
private ones. A report reads at most :data:`MAX_FILES` texts and :data:`MAX_BYTES` bytes;
what does not fit is analysed from its hunks only, and a note says which files and why.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot import messages
from bot.diff import FileChange, named

MAX_FILES = 800  # texts per report, both sides counted
MAX_BYTES = 24_000_000
MAX_FILE_BYTES = 1_000_000  # larger files are data or generated, not hand-written API
_SOURCE_EXTENSIONS = (
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".go", ".java",
    ".kt", ".kts", ".cs", ".rs",
)  # fmt: skip
_MANIFESTS = frozenset(
    {"pyproject.toml", "setup.cfg", "setup.py", "package.json", "go.mod", "Cargo.toml",
     "Directory.Build.props"}
)  # fmt: skip
_CHANGELOG_RE = re.compile(
    r"(?i)(^|/)(changes|changelog|history|news|release[-_ ]?notes|whatsnew)"
    r"(\.(md|markdown|rst|txt))?$"
    r"|(^|/)(changelog\.d|newsfragments|\.changeset)/[^/]+$"
)
_NOT_API_RE = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec|examples?|docs?|benchmarks?|scripts?|\.github)/"
    r"|(^|/)(test_[^/]*|[^/]*_test\.\w+|[^/]*\.(test|spec)\.\w+|conftest\.py|noxfile\.py)$"
    r"|\.min\.js$|(^|/)(vendor|third_party|node_modules|dist)/"
)


def wants_text(path: str) -> bool:
    """Whether analysis reads this file whole: API source, a manifest or a changelog."""
    base = path.rsplit("/", 1)[-1]
    if _CHANGELOG_RE.search(path):
        return True
    if base in _MANIFESTS or base.endswith((".csproj", ".fsproj")) or _requirements(base):
        return True
    return path.endswith(_SOURCE_EXTENSIONS) and not _NOT_API_RE.search(path)


def _requirements(base: str) -> bool:
    return base.startswith("requirements") and base.endswith((".txt", ".in"))


@dataclass
class Budget:
    """What a report may still read; ``skipped`` names what did not fit, and why."""

    files: int = MAX_FILES
    size: int = MAX_BYTES
    skipped: dict[str, str] = field(default_factory=dict)

    def take(self, path: str, size: int) -> bool:
        if size > MAX_FILE_BYTES:
            self.skipped.setdefault(path, "larger than 1 MB")
            return False
        if self.files <= 0 or size > self.size:
            self.skipped.setdefault(path, "report budget reached")
            return False
        self.files -= 1
        self.size -= size
        return True

    def notes(self) -> list[str]:
        """One note per reason, naming the files analysed from their hunks only."""
        by_reason: dict[str, list[str]] = {}
        for path, reason in self.skipped.items():
            by_reason.setdefault(reason, []).append(path)
        return [
            messages.NOTE_HUNKS_ONLY.format(
                count=len(paths), reason=reason, names=named(sorted(paths), 20)
            )
            for reason, paths in by_reason.items()
        ]


def sides(files: Iterable[FileChange]) -> tuple[list[str], list[str]]:
    """Paths to read on the old side and on the new side, changed files only."""
    old: list[str] = []
    new: list[str] = []
    for f in files:
        if f.binary or f.submodule:
            continue
        before = f.previous_filename or f.filename
        if f.status != "added" and wants_text(before):
            old.append(before)
        if f.status != "removed" and wants_text(f.filename):
            new.append(f.filename)
    return old, new


def package_context(changed: list[str], tree: set[str]) -> list[str]:
    """Other Python modules of the packages the changed ones belong to (``__init__.py``
    chains in ``tree``), so re-exports and public names are known."""
    folders: set[str] = set()
    for path in changed:
        if not path.endswith((".py", ".pyi")):
            continue
        folder, top = posixpath.dirname(path), ""
        while folder and f"{folder}/__init__.py" in tree:
            top, folder = folder, posixpath.dirname(folder)
        if top:
            folders.add(top + "/")
    have = set(changed)
    return sorted(
        p
        for p in tree
        if p.endswith((".py", ".pyi"))
        and p not in have
        and any(p.startswith(f) for f in folders)
        and not _NOT_API_RE.search(p)
    )


# --- local git -------------------------------------------------------------------------------


def _tree(top: str, sha: str) -> dict[str, tuple[str, int]]:
    """Path -> (blob id, size) of every file at ``sha``."""
    done = subprocess.run(
        ["git", "-C", top, "ls-tree", "-r", "-l", "-z", "--full-tree", sha],
        capture_output=True,
        check=False,
        timeout=120,
    )
    found: dict[str, tuple[str, int]] = {}
    if done.returncode != 0:
        return found
    for record in done.stdout.split(b"\0"):
        meta, _, path = record.partition(b"\t")
        parts = meta.split()
        if len(parts) == 4 and parts[1] == b"blob" and parts[3].isdigit():
            found[path.decode("utf-8", "replace")] = (parts[2].decode(), int(parts[3]))
    return found


def _cat(top: str, oids: list[str]) -> dict[str, str]:
    """Blob id -> text, all read by one ``git cat-file --batch``."""
    if not oids:
        return {}
    done = subprocess.run(
        ["git", "-C", top, "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid in oids).encode(),
        capture_output=True,
        check=False,
        timeout=300,
    )
    out, texts, pos = done.stdout, {}, 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<oid> missing"
            continue
        size = int(header[2])
        texts[header[0].decode()] = out[pos : pos + size].decode("utf-8", "replace")
        pos += size + 1
    return texts


def read_local_texts(
    top: str, old_sha: str, new_sha: str, files: list[FileChange]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Old and new whole texts of what analysis needs, and notes for what was left out."""
    old_paths, new_paths = sides(files)
    if not old_paths and not new_paths:
        return {}, {}, []
    old_tree, new_tree = _tree(top, old_sha), _tree(top, new_sha)
    budget = Budget()
    chosen: list[tuple[str, str, str]] = []  # side, path, oid
    plan = [("old", p, old_tree) for p in old_paths] + [("new", p, new_tree) for p in new_paths]
    plan += [("old", p, old_tree) for p in package_context(old_paths, set(old_tree))]
    plan += [("new", p, new_tree) for p in package_context(new_paths, set(new_tree))]
    seen: set[str] = set()
    for side, path, tree in plan:
        if path not in tree:
            continue
        oid, size = tree[path]
        if oid in seen or budget.take(path, size):  # a blob read once serves both sides
            seen.add(oid)
            chosen.append((side, path, oid))
    texts = _cat(top, list(dict.fromkeys(oid for _, _, oid in chosen)))
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for side, path, oid in chosen:
        if oid in texts:
            (old if side == "old" else new)[path] = texts[oid]
    return old, new, budget.notes()
