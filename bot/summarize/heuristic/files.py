"""All the facts about one changed file: what happened to the file, then what is in its patch.

File-level facts (new, deleted, renamed, mode, binary, submodule, missing diff) come from the
:class:`~bot.diff.FileChange` itself; content facts from the extractor for the file's kind
(Markdown, code, manifests). A file nothing structural was found in still gets one fact that
says where and how much its text changed, so no file is left without a description.
"""

from __future__ import annotations

import posixpath
import re

from bot.diff import FileChange
from bot.summarize.heuristic.api_facts import ChangeFacts, analyse
from bot.summarize.heuristic.changelog import is_changelog
from bot.summarize.heuristic.code import is_internal_path, is_test_path, language_of
from bot.summarize.heuristic.constants import constant_facts
from bot.summarize.heuristic.docsconfig import config_facts, is_docs_config
from bot.summarize.heuristic.facts import Fact, FactKind
from bot.summarize.heuristic.manifests import manifest_facts, manifest_keys, manifest_kind
from bot.summarize.heuristic.markdown import markdown_facts
from bot.summarize.heuristic.pages import DocsContext, doc_format, doc_page_facts
from bot.summarize.heuristic.patchwalk import clip, code, iter_runs
from bot.summarize.heuristic.ranking import worth
from bot.summarize.heuristic.text import is_settings, settings_facts
from bot.summarize.heuristic.toc import is_toc, toc_facts

_MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdx")
_COMMENT_STARTS = ("#", "//", "/*", "*", "--", ";")
_HASH_COMMENTS = (".sh", ".bash", ".cfg", ".ini", ".toml", ".yml", ".yaml", ".r", ".pl")
# Keys the metadata facts speak for, so settings facts do not repeat them.
_META_KEYS = frozenset(
    {"requires-python", "python_requires", "dependencies", "install_requires", "rust-version",
     "node", "go"}
)  # fmt: skip
_SUBPROJECT_RE = re.compile(r"^([-+])Subproject commit ([0-9a-f]{7,40})", re.MULTILINE)


def is_markdown(filename: str) -> bool:
    return filename.lower().endswith(_MARKDOWN_EXTENSIONS)


def is_api_code(filename: str) -> bool:
    """Source code whose names others may import (not tests)."""
    return language_of(filename) is not None and not is_internal_path(filename)


def _path_is_api(f: FileChange) -> bool:
    """Whether a renamed file's path is what others import: not for Go and C#, whose files
    are imported by folder (package) or namespace, so a move within one folder breaks no one."""
    old_dir, new_dir = posixpath.dirname(f.previous_filename or ""), posixpath.dirname(f.filename)
    if f.filename.endswith((".py", ".pyi")) and _import_path(f.filename) == _import_path(
        f.previous_filename or ""
    ):
        return False  # a move into (or out of) a src/ layout: every import stays the same
    return old_dir != new_dir or not f.filename.lower().endswith((".go", ".cs"))


def _import_path(path: str) -> str:
    """A Python file's path as imports see it: without a leading ``src/`` or ``lib/``."""
    for prefix in ("src/", "lib/", "python/"):
        path = path.removeprefix(prefix)
    return path


def _is_submodule(f: FileChange) -> bool:
    """Git's diff marks a submodule by its mode; GitHub's file list only by its patch."""
    return f.submodule or bool(f.patch and _SUBPROJECT_RE.search(f.patch))


def _lines(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def _status_facts(f: FileChange) -> list[Fact]:
    facts: list[Fact] = []
    if f.status == "added":
        kind: FactKind = "feature" if not is_test_path(f.filename) else "other"
        text = f"New file with {_lines(f.additions)}." if not f.binary else "New binary file."
        facts.append(Fact(text, kind, 7, "new file"))
    elif f.status == "removed":
        if is_api_code(f.filename):
            text = f"Deleted module `{f.filename}` ({_lines(f.deletions)})."
            facts.append(Fact(text, "breaking", 9, "deleted file"))
        else:
            text = (
                f"File deleted ({_lines(f.deletions)})." if not f.binary else "Binary file deleted."
            )
            facts.append(Fact(text, "other", 5, "deleted file"))
    elif f.status in ("renamed", "copied") and f.previous_filename:
        verb = "Renamed" if f.status == "renamed" else "Copied"
        if verb == "Renamed" and is_api_code(f.previous_filename) and _path_is_api(f):
            text = f"Renamed module `{f.previous_filename}` to `{f.filename}`."
            facts.append(Fact(text, "breaking", 7, "renamed"))
        else:
            text = f"{verb} from `{f.previous_filename}` to `{f.filename}`."
            facts.append(Fact(text, "other", 4, "renamed"))
    return facts


def _special_facts(f: FileChange) -> list[Fact]:
    facts: list[Fact] = []
    if f.old_mode and f.new_mode and f.old_mode != f.new_mode:
        note = ""
        if f.new_mode.endswith("755"):
            note = " (now executable)"
        elif f.old_mode.endswith("755"):
            note = " (no longer executable)"
        text = f"File mode changed from {f.old_mode} to {f.new_mode}{note}."
        facts.append(Fact(text, "other", 3, "mode"))
    if f.binary and f.status not in ("added", "removed"):
        facts.append(Fact("Binary content changed; it is not shown as text.", "other", 2, "binary"))
    if _is_submodule(f):
        moves = dict((sign, sha[:7]) for sign, sha in _SUBPROJECT_RE.findall(f.patch or ""))
        if "-" in moves and "+" in moves:
            text = f"Submodule moved from `{moves['-']}` to `{moves['+']}`."
        elif "+" in moves:
            text = f"Submodule added at `{moves['+']}`."
        else:
            text = "Submodule reference changed."
        facts.append(Fact(text, "other", 3, "submodule"))
    if f.missing_reason:
        text = f"Its diff is not available: {f.missing_reason.rstrip('.')}."
        facts.append(Fact(text, "other", 3, "missing"))
    if f.truncated:
        text = "The diff was cut short at the source, so only its first part is described."
        facts.append(Fact(text, "other", 2, "missing"))
    facts += [fact for fact in (_symlink_fact(f), _line_ending_fact(f)) if fact is not None]
    return facts


def _patch_lines(patch: str, sign: str) -> list[str]:
    return [
        line[1:]
        for line in patch.split("\n")
        if line.startswith(sign) and not line.startswith(("---", "+++"))
    ]


def _symlink_fact(f: FileChange) -> Fact | None:
    """A link's change said as one: where it points, not a "text edit" of one line."""
    if not f.symlink:
        return None
    old = next(iter(_patch_lines(f.patch or "", "-")), "")
    new = next(iter(_patch_lines(f.patch or "", "+")), "")
    if f.status == "added":
        text = f"Symbolic link added, pointing to {code(clip(new, 80))}."
    elif f.status == "removed":
        text = f"Symbolic link removed (it pointed to {code(clip(old, 80))})."
    elif old and new:
        text = (
            f"Symbolic link now points to {code(clip(new, 80))} instead of {code(clip(old, 80))}."
        )
    else:
        text = "Symbolic link changed."
    return Fact(text, "other", 3, "symlink")


def _line_ending_fact(f: FileChange) -> Fact | None:
    """CRLF to LF (or back): every line "changed", yet the text may be the same."""
    if f.line_endings is None or not f.patch:
        return None
    removed, added = _patch_lines(f.patch, "-"), _patch_lines(f.patch, "+")
    same = sorted(removed) == sorted(added)
    what = {
        "crlf-to-lf": "Line endings changed from CRLF (Windows) to LF",
        "lf-to-crlf": "Line endings changed from LF to CRLF (Windows)",
    }[f.line_endings]
    rest = "; the text is otherwise the same" if same else "; the text changed as well"
    # "eol" alone says it all; "eol+text" leaves room for the plain account of the edit.
    topic = "eol" if same else "eol+text"
    return Fact(f"{what} ({len(removed)} lines){rest}.", "other", 3 if same else 2, topic)


def _doc_facts(f: FileChange, docs: DocsContext | None) -> list[Fact] | None:
    """A documentation file's facts (pages, TOC, docs configuration), or None for other files."""
    if not f.patch:
        return None
    page = docs.page(f.filename) if docs is not None else None
    if is_markdown(f.filename):
        return markdown_facts(f.patch, f.filename, page)
    if is_toc(f.filename) or is_docs_config(f.filename):
        toc = toc_facts(f.filename, f.patch) if is_toc(f.filename) else []
        config = config_facts(f.filename, f.patch) if is_docs_config(f.filename) else []
        return [*toc, *config]
    if doc_format(f.filename):
        return doc_page_facts(f.filename, f.patch, page)
    return None


def _content_facts(
    f: FileChange, whole: ChangeFacts | None, docs: DocsContext | None
) -> list[Fact]:
    if f.symlink:
        return []  # where it points is its fact (_symlink_fact)
    if whole is not None and f.filename in whole.analysed:
        found = list(whole.by_file.get(f.filename, []))
        if is_changelog(f.filename) and found:
            return found  # its entries, not its version headings
        if f.patch and manifest_kind(f.filename):  # the project's own version, from its hunks
            found += [x for x in manifest_facts(f.filename, f.patch) if x.topic == "version"]
        doc = _doc_facts(f, docs)
        if doc is not None:
            found += doc
        elif is_settings(f.filename) and f.status == "modified" and f.patch:
            found += settings_facts(f.patch, manifest_keys(f.filename, f.patch) | _META_KEYS)
        elif f.status == "modified" and f.patch:
            found += constant_facts(f.filename, f.patch)
        return found
    if whole is not None and whole.by_file.get(f.filename):  # a changelog from its hunks
        return list(whole.by_file[f.filename])
    if not f.patch or f.binary or _is_submodule(f) or f.symlink:
        return []
    doc = _doc_facts(f, docs)
    if doc is not None:
        return doc
    facts = manifest_facts(f.filename, f.patch)
    if is_settings(f.filename) and f.status == "modified":
        # pyproject.toml: dependencies above, tool settings (line-length...) here.
        return [*facts, *settings_facts(f.patch, manifest_keys(f.filename, f.patch))]
    constants = constant_facts(f.filename, f.patch) if f.status == "modified" else []
    return [*facts, *constants]


def _plain_fact(f: FileChange) -> Fact | None:
    """Where and how a file without structural facts changed, with a glimpse of the text."""
    if not f.patch or f.status in ("added", "removed"):
        return None
    places = 0
    sample = ""
    sections: list[str] = []
    comments_only = language_of(f.filename) is not None or f.filename.endswith(_HASH_COMMENTS)
    for run in iter_runs(f.patch):
        if not run.removed and not run.added:
            continue
        places += 1
        comments_only = comments_only and all(
            not x.strip() or x.lstrip().startswith(_COMMENT_STARTS)
            for x in [*run.removed, *run.added]
        )
        if run.hunk_start and run.section and run.section not in sections:
            sections.append(run.section)
        if not sample:
            sample = next((x.strip() for x in [*run.added, *run.removed] if x.strip()), "")
    if not places:
        return None
    where = f" near {code(sections[0])}" if sections else ""
    if comments_only:
        text = (
            f"Only comments and blank lines changed ({f.additions} added, {f.deletions} removed)."
        )
        return Fact(text, "other", 1, "comments")
    text = f"{_lines(f.additions).capitalize()} added and {f.deletions} removed in {places} "
    text += f"place{'s' if places != 1 else ''}{where}"
    if sample:
        text += f", e.g. {code(clip(sample, 60))}"
    return Fact(text + ".", "other", 1, "text")


def collect_facts(
    f: FileChange, whole: ChangeFacts | None = None, docs: DocsContext | None = None
) -> list[Fact]:
    """Every fact about one file, most important first (stable for equal worth).

    ``whole`` holds what whole-file analysis found in the change (API, metadata, changelog
    entries); without it, or for a file not read whole, only the hunks are read. ``docs`` is
    what the change's other docs pages and TOC files say about this one.
    """
    if whole is None:  # one file on its own: what its hunks say
        whole = analyse([f], {}, {})
    content = _content_facts(f, whole, docs)
    status = _status_facts(f)
    if any(fact.topic == "page" for fact in content):  # "New page "Title" listed in toc.yml"
        status = [fact for fact in status if fact.topic not in ("new file", "deleted file")]
    facts = [*status, *_special_facts(f), *content]
    plain_wanted = not any(fact.topic not in ("renamed", "mode", "eol+text") for fact in facts)
    if plain_wanted and not f.symlink:
        plain = _plain_fact(f)
        if plain is not None:
            facts.append(plain)
    facts.sort(key=lambda fact: -worth(fact, f.filename))
    return facts
