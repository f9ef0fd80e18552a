"""Words a user sees while a change is read live in bot/messages.py, with their exact wording."""

from __future__ import annotations

import ast

import pytest

from bot import messages
from bot.diff import FileChange, unreadable_note
from bot.errors import SourceReadError
from bot.reading.local import read_local
from bot.request import LanguageError
from bot.sources import parse_source
from tests.support import ROOT

READING = [
    "build.py",
    "diff.py",
    "sources.py",
    "reading/github.py",
    "reading/github_client.py",
    "reading/github_files.py",
    "reading/local.py",
]


def _literal_text(node: ast.AST) -> bool:
    """A sentence written in place: a string or f-string with at least one space in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) or _literal_text(node.right)
    return False


@pytest.mark.parametrize("name", READING)
def test_the_report_engine_raises_and_notes_only_words_from_messages(name: str) -> None:
    tree = ast.parse((ROOT / "bot" / name).read_text())
    written = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            written += [a for a in node.exc.args if _literal_text(a)]
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("append", "__init__", "DiffRefused"):  # notes, errors, refusals
                written += [a for a in node.args if _literal_text(a)]
            written += [k.value for k in node.keywords if k.arg == "missing_reason"]
    assert not [ast.unparse(w) for w in written if _literal_text(w)]


def test_the_exact_wording_is_kept(tmp_path) -> None:
    assert str(LanguageError("xx; rm")) == (
        "'xx; rm' is not a report language; use a locale such as en_US or ja_JP"
    )
    ghost = FileChange("a.md", "modified", additions=1, missing_reason="x")
    assert unreadable_note([ghost]) == (
        "The diff of 1 file(s) could not be read, so their contents are missing from this "
        "report (each file's section says why): a.md."
    )
    many = [FileChange(f"f{i}", "modified", missing_reason="x") for i in range(3)]
    assert unreadable_note(many, limit=2).endswith(": f0, f1 and 1 more.")
    assert messages.FILE_MISSING_FROM_DIFF == (
        "GitHub sent no diff for it, neither in the file list nor in the full diff"
    )
    assert messages.GITHUB_NO_ANSWER.format(seconds=30) == "no answer within 30 seconds"
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceReadError) as caught:
        read_local(parse_source("main...dev", git_path=str(missing)))
    assert str(caught.value) == f"{missing} does not exist"
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(SourceReadError) as caught:
        read_local(parse_source("main...dev", git_path=str(tmp_path / "f.txt")))
    assert str(caught.value) == f"{tmp_path / 'f.txt'} is a file; --git takes a repository's folder"
