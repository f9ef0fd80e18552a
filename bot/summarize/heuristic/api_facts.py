"""Facts from whole files: API changes (griffe, tree-sitter), project metadata, changelogs.

:func:`change_facts` reads the whole texts a reader attached to a :class:`~bot.diff.Change`
once per report and returns, per changed file, the facts found there, plus the set of files
whose code was analysed whole (the line-based fallback is not needed for those). Changes of
one kind in one file are told in one sentence, names listed, so a release that removes ten
attributes of a class reads as one bullet, not ten.
"""

from __future__ import annotations

import difflib
import logging
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot import messages
from bot.diff import Change, FileChange
from bot.reading.contents import wants_text
from bot.summarize.heuristic import api_python, changelog, manifest_readers, metadata
from bot.summarize.heuristic.api_changes import ApiChange, compare_decls
from bot.summarize.heuristic.api_hunks import changed_lines as hunk_lines
from bot.summarize.heuristic.api_hunks import hunk_sides
from bot.summarize.heuristic.api_public import Package, package_of
from bot.summarize.heuristic.api_syntax import enclosing
from bot.summarize.heuristic.api_tree import declarations, grammar_of
from bot.summarize.heuristic.api_words import api_facts
from bot.summarize.heuristic.code import is_internal_path
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import changed_lines, iter_runs, listing

logger = logging.getLogger(__name__)

# Python source (both sides) griffe reads per report: about half a second of parsing.
MAX_PYTHON_SOURCE = 1_500_000


@dataclass
class ChangeFacts:
    """What whole-file analysis found in one change, by the changed file's path."""

    by_file: dict[str, list[Fact]] = field(default_factory=dict)
    analysed: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def add(self, path: str, facts: Iterable[Fact]) -> None:
        self.by_file.setdefault(path, []).extend(facts)


# --- analysis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Texts:
    """What the steps read: the changed files and both sides' whole texts."""

    files: Sequence[FileChange]
    old_texts: Mapping[str, str]
    new_texts: Mapping[str, str]


def change_facts(change: Change) -> ChangeFacts:
    """Whole-file facts of every changed file (source files not read whole: from hunks)."""
    return analyse(change.files, change.old_texts, change.new_texts)


def analyse(
    files: Sequence[FileChange], old_texts: Mapping[str, str], new_texts: Mapping[str, str]
) -> ChangeFacts:
    """The facts of ``files``, given whatever whole texts were read for them."""
    found = ChangeFacts()
    change = _Texts(files, old_texts, new_texts)
    for step in (_python, _other_languages, _manifests, _changelogs):
        try:
            step(change, found)
        except Exception:  # one odd file must not cost the whole report
            logger.exception("whole-file analysis failed", extra={"step": step.__name__})
    return found


def _api_file(path: str) -> bool:
    return wants_text(path) and not is_internal_path(path)


def _old_path(f: FileChange) -> str:
    return f.previous_filename or f.filename


def _python(change: _Texts, found: ChangeFacts) -> None:
    """griffe over each folder of packages (a src/ root), smallest first, within the report's
    budget of Python source; packages beyond it are read from their hunks (and noted)."""
    old_paths, new_paths = set(change.old_texts), set(change.new_texts)
    packages: dict[Package, list[FileChange]] = {}
    for f in change.files:
        if not f.filename.endswith((".py", ".pyi")) or not _api_file(f.filename):
            continue
        hit = package_of(f.filename, new_paths) or package_of(_old_path(f), old_paths)
        if hit is not None:
            packages.setdefault(hit[0], []).append(f)
    folders: dict[str, list[Package]] = {}
    for package in packages:
        folders.setdefault(posixpath.dirname(package.folder), []).append(package)
    budget = MAX_PYTHON_SOURCE
    for parent, members in sorted(folders.items(), key=lambda i: _source_size(change, i[0])):
        size = _source_size(change, parent)
        if size > budget:
            names = [f"`{p.name}`" for p in members]
            found.notes.append(
                messages.NOTE_PYTHON_BUDGET.format(
                    names=listing(names), size=_megabytes(size), limit=_megabytes(MAX_PYTHON_SOURCE)
                )
            )
            continue
        budget -= size
        for package, changes in api_python.compare(
            members, change.old_texts, change.new_texts
        ).items():
            files = packages[package]
            by_path = {f.filename: f.filename for f in files}
            by_path.update({_old_path(f): f.filename for f in files})
            per_file: dict[str, list[ApiChange]] = {}
            for c in changes:
                per_file.setdefault(by_path.get(c.path) or files[0].filename, []).append(c)
            for path, items in per_file.items():
                found.add(path, api_facts(items))
            found.analysed.update(f.filename for f in files)


def _source_size(change: _Texts, parent: str) -> int:
    prefix = f"{parent}/" if parent else ""
    return sum(
        len(text)
        for texts in (change.old_texts, change.new_texts)
        for path, text in texts.items()
        if path.startswith(prefix) and path.endswith((".py", ".pyi"))
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _other_languages(change: _Texts, found: ChangeFacts) -> None:
    for f in change.files:
        grammar = grammar_of(f.filename)
        if grammar is None or not _api_file(f.filename):
            continue
        whole = f.filename in found.analysed  # Python read whole: griffe has spoken
        old_text = change.old_texts.get(_old_path(f)) if f.status != "added" else ""
        new_text = change.new_texts.get(f.filename) if f.status != "removed" else ""
        # Python that griffe did not read (over budget) is read from its hunks: cheaper, and
        # the note already says so.
        hunks = old_text is None or new_text is None or (grammar == "python" and not whole)
        if hunks:  # not read whole: its hunks, as a fallback
            old_text, new_text, gone_lines, new_lines = hunk_sides(f.patch)
            old_text = "" if f.status == "added" else old_text
        else:
            gone_lines, new_lines = hunk_lines(f.patch)
        try:
            old = declarations(_old_path(f), old_text or "")
            new = declarations(f.filename, new_text or "") if f.status != "removed" else {}
        except RecursionError:  # declarations nested thousands deep: this file alone is lost
            logger.warning("declarations too deeply nested", extra={"grammar": grammar})
            continue
        facts: list[Fact] = []
        if not whole:
            changes = compare_decls(f.filename, grammar, old, new)
            if hunks:
                changes = _whole_in_hunks(changes, old_text or "", new_text or "")
            facts = api_facts(changes)
        if f.status != "removed":
            earlier = found.by_file.get(f.filename, [])
            facts += _touched(facts, earlier, old, new, gone_lines, new_lines)
        found.add(f.filename, facts)
        found.analysed.add(f.filename)


def _whole_in_hunks(changes: list[ApiChange], old: str, new: str) -> list[ApiChange]:
    """Hunks cut declarations: a name "removed" that the other side still defines is only
    cut off there (and so for "added"), so it is no change."""
    kept = []
    for c in changes:
        short = c.name.rsplit(".", 1)[-1].rsplit("::", 1)[-1]
        other = new if c.what == "removed" else old if c.what == "added" else ""
        if other and re.search(rf"\b{re.escape(short)}\s*[(<:=]", other):
            continue
        kept.append(c)
    return kept


def _touched(
    facts: list[Fact],
    earlier: list[Fact],
    old: dict,
    new: dict,
    gone_lines: set[int],
    new_lines: set[int],
) -> list[Fact]:
    """ "Code changed inside `f`": the declarations whose bodies the change edited, where no
    API fact already names them."""
    said = " ".join(str(x) for x in [*facts, *earlier])
    names = enclosing(new, new_lines) or enclosing(old, gone_lines)
    owners = {n.rsplit(".", 1)[0] for n in names if "." in n}
    shown = [f"`{n}`" for n in names if f"`{n}" not in said and n not in owners]
    if not shown:
        return []
    return [Fact(f"Code changed inside {listing(shown)}.", "other", 1, "code")]


def _manifests(change: _Texts, found: ChangeFacts) -> None:
    """Each project's metadata once: Python's pyproject.toml, setup.cfg and setup.py of one
    folder are one project (metadata moved between them is no change)."""
    done: set[str] = set()
    for f in sorted(change.files, key=lambda f: manifest_readers.manifest_rank(f.filename)):
        if manifest_readers.manifest_name(f.filename) is None:
            continue
        project = manifest_readers.project_key(f.filename)
        found.analysed.add(f.filename)
        if project in done:
            continue
        old = manifest_readers.project_manifest(_old_path(f), change.old_texts)
        new = manifest_readers.project_manifest(f.filename, change.new_texts)
        if old is None or new is None:
            found.analysed.discard(f.filename)
            continue
        done.add(project)
        found.add(f.filename, metadata.facts(metadata.compare_manifests(old, new)))


def _added_lines(f: FileChange, old: str, new: str) -> set[int]:
    """1-based line numbers of ``new`` that the change added: from the hunks when there are
    any, else by comparing the two texts."""
    if f.patch:
        added: set[int] = set()
        for run in iter_runs(f.patch):
            added.update(range(run.new_line, run.new_line + len(run.added)))
        return added
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    found: set[int] = set()
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            found.update(range(j1 + 1, j2 + 1))
    return found


def _changelogs(change: _Texts, found: ChangeFacts) -> None:
    for f in change.files:
        if not changelog.is_changelog(f.filename) or f.status == "removed":
            continue
        new = change.new_texts.get(f.filename)
        if new is None:  # not read whole: the added lines alone, headings as they come
            added = "\n".join(changed_lines(f.patch)[1])
            found.add(f.filename, changelog.facts(changelog.entries(added, None)))
            continue
        fragment = changelog.fragment_entry(f.filename, new) if f.status == "added" else None
        if fragment is not None:
            entries = [fragment]
        else:
            old = change.old_texts.get(_old_path(f), "") if f.status != "added" else ""
            entries = changelog.entries(new, _added_lines(f, old, new))
        found.add(f.filename, changelog.facts(entries))
        found.analysed.add(f.filename)
