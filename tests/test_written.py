"""What maintainers wrote: changelog entries and commit messages, each in its group."""

from __future__ import annotations

from bot.diff import CommitMessage, FileChange
from bot.summarize.heuristic.changelog import entries, fragment_entry
from bot.summarize.heuristic.commits import read_commits
from bot.summarize.heuristic.summarizer import file_facts

RST = """Changes
=======

Version 2.0
-----------

-   Drop support for Python 3.7.
-   Remove previously deprecated code.

    -   The ``Client.fetch`` method.
    -   Calling ``connect()`` without a host is an error.

-   Add ``timeout`` to ``Client``. :issue:`12`
-   Fix a crash on empty input.
"""

KEEP_A_CHANGELOG = """# Changelog

## [2.0.0] - 2024-01-02

### Added
- `Client.retry()` for flaky networks ([#40](https://example.com/40))

### Deprecated
- `Client.get_all()`; use `Client.pages()`

### Fixed
- Handle an empty body
"""


def test_rst_setext_headings_and_nested_removals() -> None:
    """Setext headings were not recognised and a changelog read as its headings only."""
    found = {e.text: e.group for e in entries(RST, None)}
    assert found["Drop support for Python 3.7."] == "breaking"
    assert found["The `Client.fetch` method."] == "breaking"  # under "Remove ... code"
    assert found["Calling `connect()` without a host is an error."] == "breaking"
    assert found["Add `timeout` to `Client`."] == "feature"  # :issue: role dropped
    assert found["Fix a crash on empty input."] == "other"
    assert {e.section for e in entries(RST, None)} == {"Version 2.0"}


def test_keep_a_changelog_sections_decide_and_only_added_lines_count() -> None:
    lines = KEEP_A_CHANGELOG.splitlines()
    added = {i + 1 for i, line in enumerate(lines) if "Client" in line}
    found = entries(KEEP_A_CHANGELOG, added)
    assert [(e.text, e.group, e.deprecation) for e in found] == [
        ("`Client.retry()` for flaky networks", "feature", False),  # its reference dropped
        ("`Client.get_all()`; use `Client.pages()`", "breaking", True),
    ]


def test_towncrier_fragments_are_typed_by_their_name() -> None:
    entry = fragment_entry("changelog.d/1234.removal.md", "Removed `old()`.\n")
    assert entry is not None and entry.group == "breaking"
    feature = fragment_entry("newsfragments/99.feature.rst", "New `shiny()`.")
    assert feature is not None and feature.group == "feature"
    assert fragment_entry("docs/index.md", "text") is None


def test_conventional_commits_merges_and_bots() -> None:
    said = read_commits(
        [
            CommitMessage("a" * 40, "feat(api): add pages()\n\nBody."),
            CommitMessage("b" * 40, "fix!: stop retrying forever"),
            CommitMessage("c" * 40, "refactor: tidy\n\nBREAKING CHANGE: `Client.get_all` is gone"),
            CommitMessage("d" * 40, "Merge pull request #7 from x/y\n\nAdd a new login flow"),
            CommitMessage("e" * 40, "Bump requests from 2.31.0 to 2.32.0 (#8)"),
            CommitMessage("f" * 40, "wip"),
        ]
    )
    by_text = {s.text: (s.group, s.tier, s.source) for s in said}
    assert by_text["api: add pages()"] == ("feature", "api", "commit aaaaaaa")
    assert by_text["stop retrying forever"][0] == "breaking"
    assert by_text["`Client.get_all` is gone"][0] == "breaking"
    assert by_text["Add a new login flow"] == ("other", "behaviour", "pull request #7")
    assert by_text["Bump requests from 2.31.0 to 2.32.0 (#8)"][1] == "tooling"
    assert "wip" not in by_text  # a bare subject says too little to be a highlight


def test_hostile_entries_stay_bounded() -> None:
    """A 1 MB line of brackets is data, not an entry to scan quadratically."""
    text = "## Added\n\n- " + "[" * 1_000_000 + "\n"
    found = entries(text, None)
    assert len(found) == 1 and len(found[0].text) <= 2000
    huge = read_commits([CommitMessage("a" * 40, "feat: " + "x" * 50_000)])
    assert len(huge) == 1 and len(huge[0].text) < 20_000


def test_a_move_into_a_src_layout_renames_no_module() -> None:
    """A move to src/ once gave 18 "Renamed module" breaking bullets; no import changed."""
    moved = FileChange("src/pkg/core.py", "renamed", 0, 0, None, previous_filename="pkg/core.py")
    facts = file_facts(moved)
    assert not any(f.kind == "breaking" for f in facts)
    away = FileChange("pkg2/core.py", "renamed", 0, 0, None, previous_filename="pkg/core.py")
    assert any(f.kind == "breaking" for f in file_facts(away))
