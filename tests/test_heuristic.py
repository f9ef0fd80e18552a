"""The heuristic summarizer names concrete changes and ranks them, for 1 file and for 300."""

from __future__ import annotations

from dataclasses import replace

from bot.diff import Change, FileChange, RefInfo
from bot.summarize import MODIFICATION_TYPES
from bot.summarize.heuristic.summarizer import (
    HeuristicSummarizer,
    file_facts,
    summarize_file,
    summarize_overall,
)
from tests.support import DATA

PY_PATCH = "\n".join(
    [
        "@@ -1,10 +1,12 @@ import os",
        "-def parse(text, strict=False):",
        "+def parse(text, strict=False, *, limit=10):",
        "     return text",
        " ",
        "-def old_helper(x):",
        "-    pass",
        "+def new_api(y):",
        "+    pass",
        " ",
        " class Reader:",
        "-    def read(self, n):",
        "+    def read(self, n, timeout=None):",
        "         pass",
        "+    def _private(self):",
        "+        pass",
    ]
)


def change_of(*files: FileChange) -> Change:
    return Change(
        repository="octo/widgets",
        host="github.com",
        base=RefInfo("main", "a" * 40),
        head=RefInfo("topic", "b" * 40),
        permalink="https://github.com/octo/widgets/compare/main...topic",
        files=list(files),
        date="2025-06-12",
    )


def test_python_removals_and_signature_changes_are_breaking() -> None:
    f = FileChange("pkg/core.py", "modified", 6, 4, PY_PATCH)
    facts = file_facts(f)
    assert "Removed public function `old_helper`." in facts
    # New keyword-only and defaulted parameters break no caller: they are features.
    assert (
        "New optional parameters: `limit` of `parse()` and `timeout` of `Reader.read()`." in facts
    )
    assert "Added public function `new_api`." in facts
    assert not any("_private" in x for x in facts)  # a private method is nobody's API
    summary = summarize_file(f)
    assert summary.modification_type == "breaking change"
    assert "core.py" in summary.modification_title
    assert "- Removed public function `old_helper`." in summary.explanation


def test_the_same_change_in_a_test_file_is_not_breaking() -> None:
    f = FileChange("tests/test_core.py", "modified", 6, 4, PY_PATCH)
    assert summarize_file(f).modification_type != "breaking change"


def test_javascript_go_and_java_definitions() -> None:
    js = (
        "@@ -1,5 +1,6 @@\n-export function fetchAll(url) {\n"
        "+export function fetchAll(url, opts) {\n   return 1;\n }\n"
        "+export const makeThing = (a, b) => {"
    )
    facts = file_facts(FileChange("src/api.ts", "modified", 2, 1, js))
    assert facts[0] == "New required parameters: `opts` of `fetchAll()`."
    plain_js = file_facts(FileChange("src/api.js", "modified", 2, 1, js))
    assert "New optional parameters: `opts` of `fetchAll()`." in plain_js  # JS may omit it
    go = (
        "@@ -1,5 +1,6 @@ package x\n-func Open(path string) error {\n"
        "+func Open(path string, mode int) error {\n }\n+func helper() {}\n-type Config struct {}"
    )
    facts = file_facts(FileChange("x/open.go", "modified", 2, 2, go))
    assert "Removed public struct `Config`." in facts
    assert not any("helper" in x for x in facts)  # lower case: not exported in Go
    assert (
        "Signatures changed: `Open`: `func Open(path string) error` -> "
        "`func Open(path string, mode int) error`." in facts
    )
    java = (
        "@@ -1,5 +1,6 @@ public class Foo {\n-    public String getName(int id) {\n"
        "+    public String getName(long id) {"
    )
    facts = file_facts(FileChange("src/main/java/Foo.java", "modified", 1, 1, java))
    assert facts[0] == (
        "Signatures changed: `Foo.getName`: `public String getName(int id)` -> "
        "`public String getName(long id)`."
    )


def test_dependency_and_version_bumps_in_manifests() -> None:
    pyproject = (
        '@@ -1,8 +1,8 @@\n [project]\n name = "x"\n-version = "1.0.0"\n+version = "1.1.0"\n'
        ' dependencies = [\n-    "requests>=2.30",\n+    "requests>=2.32",\n'
        '+    "httpx>=0.27",\n-    "six",\n ]'
    )
    facts = file_facts(FileChange("pyproject.toml", "modified", 3, 3, pyproject))
    assert "Version bumped: `1.0.0` -> `1.1.0`." in facts
    assert "Dependency versions changed: `requests` `>=2.30` -> `>=2.32`." in facts
    assert "Dependencies added: `httpx` `>=0.27`." in facts
    assert "Dependencies removed: `six`." in facts
    package = (
        '@@ -1,6 +1,6 @@\n {\n   "dependencies": {\n-    "react": "^17.0.2",\n'
        '+    "react": "^18.2.0",\n   }'
    )
    facts = file_facts(FileChange("web/package.json", "modified", 1, 1, package))
    assert facts == ["Dependency versions changed: `react` `^17.0.2` -> `^18.2.0`."]
    requirements = "@@ -1,2 +1,2 @@\n-Django==4.2.1\n+Django==5.0.0\n pytest>=7"
    facts = file_facts(FileChange("requirements-dev.txt", "modified", 1, 1, requirements))
    assert facts == ["Dependency versions changed: `Django` `==4.2.1` -> `==5.0.0`."]


def test_markdown_front_matter_from_the_top_of_a_file_and_links() -> None:
    patch = (
        "@@ -1,6 +1,6 @@\n ---\n-title: Old guide\n+title: New guide\n author: me\n ---\n \n"
        "@@ -40,3 +40,3 @@ Intro\n-See [the docs](https://old.example/docs).\n"
        "+See [the docs](https://new.example/docs)."
    )
    facts = file_facts(FileChange("docs/guide.md", "modified", 2, 2, patch))
    assert 'Page title changed: "Old guide" -> "New guide".' in facts  # worth a highlight
    assert "Links added: `https://new.example/docs`." in facts
    assert "Links removed: `https://old.example/docs`." in facts


def test_a_key_value_line_deep_in_a_document_is_not_front_matter() -> None:
    patch = "@@ -120,3 +120,3 @@\n Some text\n-Note: old\n+Note: new\n More"
    facts = file_facts(FileChange("docs/guide.md", "modified", 1, 1, patch))
    assert not any("Front matter" in fact for fact in facts)


def test_table_rows_added_removed_and_changed_name_row_and_column() -> None:
    patch = (
        "@@ -10,6 +10,6 @@\n | Name | Limit | Region |\n |---|---|---|\n"
        "-| alpha | 10 | eu |\n+| alpha | 20 | eu |\n-| beta | 5 | us |\n+| gamma | 7 | asia |"
    )
    facts = file_facts(FileChange("docs/limits.md", "modified", 2, 2, patch))
    assert "Table row `alpha`: Limit `10` -> `20`." in facts
    assert "Table rows added: `gamma`." in facts
    assert "Table rows removed: `beta`." in facts


def test_file_level_changes_each_say_what_happened() -> None:
    renamed = FileChange("docs/new.md", "renamed", previous_filename="docs/old.md")
    assert summarize_file(renamed).modification_type == "renamed"
    assert file_facts(renamed) == ["Renamed from `docs/old.md` to `docs/new.md`."]
    moved_module = FileChange("pkg/b.py", "renamed", previous_filename="pkg/a.py")
    assert summarize_file(moved_module).modification_type == "breaking change"
    deleted = FileChange("pkg/gone.py", "removed", deletions=12, patch="@@ -1,1 +0,0 @@\n-x = 1")
    assert summarize_file(deleted).modification_type == "breaking change"
    added = FileChange("pkg/new.py", "added", 2, 0, "@@ -0,0 +1,2 @@\n+def run(x):\n+    pass")
    assert summarize_file(added).modification_type == "new feature"
    assert "Added public function `run`." in file_facts(added)
    doc = FileChange("docs/new.md", "added", 1, 0, "@@ -0,0 +1 @@\n+# Hello")
    assert summarize_file(doc).modification_type == "new content"
    image = FileChange("img/logo.png", "modified", binary=True)
    assert "Binary content changed; it is not shown as text." in file_facts(image)
    script = FileChange("run.sh", "changed", old_mode="100644", new_mode="100755")
    assert file_facts(script) == ["File mode changed from 100644 to 100755 (now executable)."]
    sub = FileChange(
        "vendor/lib",
        "modified",
        1,
        1,
        "@@ -1 +1 @@\n-Subproject commit 1111111aaaa\n+Subproject commit 2222222bbbb",
        submodule=True,
    )
    assert file_facts(sub) == ["Submodule moved from `1111111` to `2222222`."]
    missing = FileChange("big.json", "modified", 900, 10, missing_reason="GitHub sent no patch")
    assert file_facts(missing) == ["Its diff is not available: GitHub sent no patch."]
    assert summarize_file(missing).modification_title == "Updated big.json (diff not available)"
    assert summarize_file(renamed).explanation.startswith(
        "`docs/new.md` was renamed from `docs/old.md`, without edits."
    )
    assert summarize_file(script).explanation.startswith("`run.sh` has a minor update.\n")
    for f in (renamed, moved_module, deleted, added, doc, image, script, sub, missing):
        assert summarize_file(f).modification_type in MODIFICATION_TYPES


def test_plain_text_still_gets_a_description() -> None:
    patch = (
        "@@ -3,3 +3,3 @@ Section Header\n keep\n-check this dokument. On\n+check this document. On"
    )
    facts = file_facts(FileChange("notes.txt", "modified", 1, 1, patch))
    assert facts == [
        "1 line added and 1 removed in 1 place near `Section Header`, "
        "e.g. `check this document. On`."
    ]


def test_three_hundred_files_read_well_and_lists_are_capped() -> None:
    files = [
        FileChange(
            f"pkg/mod{i}.py", "modified", 1, 1, f"@@ -1 +1 @@\n-def f{i}(a):\n+def f{i}(a, b):"
        )
        for i in range(150)
    ]
    files += [
        FileChange(f"docs/page{i}.md", "added", 1, 0, f"@@ -0,0 +1 @@\n+# Page {i}")
        for i in range(150)
    ]
    report_text = HeuristicSummarizer().summarize(change_of(*files), "en_US").overall
    breaking = report_text.highlights.breaking_changes
    # One kind of break in 150 modules is one highlight naming them, not 150 bullets.
    assert len(breaking) == 1
    assert breaking[0].startswith("New required parameters: `b` of `f0()`, `b` of `f1()`")
    assert breaking[0].endswith("(`mod0.py`, `mod1.py`, `mod2.py` and 147 more).")
    features = report_text.highlights.new_features
    assert features[0].startswith("New files (150): `page0.md`, `page1.md`")
    assert features[0].endswith("and 142 more.")
    assert len(report_text.summary) < 600
    assert "It contains 150 possible breaking changes." in report_text.summary
    assert report_text.insights.startswith("This change touches 300 files in `octo/widgets`")
    assert "Most of it is under `pkg/` (150 files, 300 lines) and `docs/` (150 files" in (
        report_text.insights
    )


def test_one_file_report_and_progress_and_language_note() -> None:
    calls: list[tuple[str, int, int]] = []
    f = FileChange("pkg/core.py", "modified", 6, 4, PY_PATCH)
    result = HeuristicSummarizer().summarize(change_of(f), "ja_JP", lambda *a: calls.append(a))
    assert calls == [("summarizing", 1, 1)]
    assert result.notes and "English" in result.notes[0] and "ja_JP" in result.notes[0]
    assert result.overall.summary.startswith(
        "This change updates `core.py` in `octo/widgets` (+6/-4"
    )
    assert result.overall.highlights.breaking_changes[0] == (
        "`core.py`: Removed public function `old_helper`."
    )
    english = HeuristicSummarizer().summarize(change_of(f), "en_US")
    assert english.notes == []
    assert english == HeuristicSummarizer().summarize(change_of(f), "en_US")  # deterministic


def test_summarize_overall_ranks_plain_strings_too() -> None:
    """The LLM path may hand back plain ``str`` facts; their wording still ranks them."""
    f = FileChange("pkg/core.py", "modified", 6, 4, PY_PATCH)
    plain = [[str(x) for x in file_facts(f)]]
    overall = summarize_overall(change_of(f), [summarize_file(f)], plain)
    assert overall.highlights.breaking_changes[0] == (
        "`core.py`: Removed public function `old_helper`."
    )
    assert any("new_api" in item for item in overall.highlights.new_features)


def test_an_empty_change_says_so() -> None:
    result = HeuristicSummarizer().summarize(change_of(), "en_US")
    assert result.files == []
    assert result.overall.summary == "This change has no file differences to describe."
    assert "notes below say why" in result.overall.insights  # emptied by --path, say
    identical = replace(
        change_of(), notes=("Base and head are identical: both are the same commit (abc).",)
    )
    result = HeuristicSummarizer().summarize(identical, "en_US")
    assert "the two sides of this change are identical" in result.overall.insights


def test_settings_files_and_restructuredtext_sections() -> None:
    yaml = (
        "@@ -1,6 +1,6 @@\n repos:\n -   repo: https://github.com/psf/black\n"
        "-    rev: 19.10b0\n+    rev: 21.11b1\n+    stages: [commit]\n     hooks:"
    )
    facts = file_facts(FileChange(".pre-commit-config.yaml", "modified", 2, 1, yaml))
    assert facts[0] == "Settings changed: `rev` `19.10b0` -> `21.11b1`."
    assert "Settings added: `stages`." in facts
    rst = (
        "@@ -1,8 +1,8 @@\n Changelog\n =========\n \n-Old release\n------------\n"
        "+pytest 7.0.0 (2022-02-03)\n+-------------------------\n \n text"
    )
    facts = file_facts(FileChange("doc/changelog.rst", "modified", 2, 2, rst))
    assert facts == [
        'New sections added: "pytest 7.0.0 (2022-02-03)".',
        'Sections removed: "Old release".',
    ]


def test_tooling_and_dunders_are_not_api() -> None:
    patch = "@@ -1,3 +1,1 @@\n-def main(argv):\n-    pass\n+x = 1"
    script = FileChange("scripts/release.py", "modified", 1, 2, patch)
    assert summarize_file(script).modification_type != "breaking change"
    assert not any("Removed" in x for x in file_facts(script))  # a script is no API
    dunder = "@@ -1,4 +1,2 @@ class A:\n class A:\n-    def __repr__(self):\n-        return 'A'"
    facts = file_facts(FileChange("pkg/a.py", "modified", 0, 2, dunder))
    assert facts == ["Code changed inside `A`."]


def test_signatures_spread_over_lines_are_joined_and_cut_ones_not_compared() -> None:
    patch = (
        "@@ -1,6 +1,9 @@\n-def get_loc(item):\n+def get_loc(\n+    item: str,\n"
        "+    other: int = 1,\n+) -> int:\n     pass\n-def cut(a):\n+def cut(\n     a,"
    )
    facts = file_facts(FileChange("pkg/x.py", "modified", 5, 2, patch))
    assert facts == ["New optional parameters: `other` of `get_loc()`."]


def test_markdown_titles_use_the_pages_own_title() -> None:
    patch = "@@ -1,4 +1,4 @@\n ---\n title: Install the bot\n-ms.date: 1/1\n+ms.date: 2/2\n ---"
    summary = summarize_file(FileChange("docs/install.md", "modified", 1, 1, patch))
    assert summary.modification_title == 'Updated front matter in "Install the bot"'
    added = FileChange("docs/new.md", "added", 2, 0, "@@ -0,0 +1,2 @@\n+# Quick start\n+Hi")
    assert summarize_file(added).modification_title == 'Added "Quick start"'
    plain = FileChange("docs/x.md", "modified", 1, 1, "@@ -50,2 +50,2 @@\n-a\n+b\n text")
    assert summarize_file(plain).modification_title == "Updated text in x.md"


def test_manifest_names_urls_and_scripts_are_not_dependencies() -> None:
    package = (
        '@@ -1,6 +1,7 @@\n   "scripts": {\n-    "build": "tsc",\n+    "build": "tsc -p .",\n'
        '   "dependencies": {\n+    "zod": "latest"'
    )
    facts = file_facts(FileChange("package.json", "modified", 2, 1, package))
    assert facts == ["Dependencies added: `zod` `latest`."]
    pyproject = (
        '@@ -1,5 +1,6 @@\n [project.urls]\n-Homepage = "https://a"\n+Homepage = "https://b"\n'
        ' [tool.poetry.dependencies]\n+httpx = {version = "^0.27", optional = true}'
    )
    facts = file_facts(FileChange("pyproject.toml", "modified", 2, 1, pyproject))
    # The URL is a setting, said as one; only httpx is a dependency.
    assert facts == [
        "Dependencies added: `httpx` `^0.27`.",
        "Settings changed: `Homepage` `https://a` -> `https://b`.",
    ]
    setup = "@@ -1,2 +1,2 @@\n-    version='0.6',\n+    version='0.7',\n     url='http://a',"
    facts = file_facts(FileChange("setup.py", "modified", 1, 1, setup))
    assert facts == ["Version bumped: `0.6` -> `0.7`."]
    tool = "@@ -1,2 +1,2 @@\n [tool.ruff]\n-line-length = 88\n+line-length = 100"
    facts = file_facts(FileChange("pyproject.toml", "modified", 1, 1, tool))
    assert facts == ["Settings changed: `line-length` `88` -> `100`."]


def test_comment_only_changes_are_said_to_be_so() -> None:
    patch = "@@ -1,3 +1,2 @@\n-# -*- coding: utf-8 -*-\n-\n+# Copyright 2025\n import os"
    f = FileChange("github/Branch.py", "modified", 1, 2, patch)
    assert file_facts(f) == ["Only comments and blank lines changed (1 added, 2 removed)."]
    assert summarize_file(f).modification_title == "Updated comments in Branch.py"


def test_a_real_github_compare_of_228_files() -> None:
    """GitHub's own per-file patches (recorded compare response) summarize cleanly."""
    import json

    data = json.loads((DATA / "github-api/compare.PyGithub.v1.54...v1.54.1.json").read_text())
    files = [
        FileChange(
            f["filename"],
            f["status"],
            f["additions"],
            f["deletions"],
            f.get("patch"),
            f.get("previous_filename"),
        )
        for f in data["files"]
    ]
    result = HeuristicSummarizer().summarize(change_of(*files), "en_US")
    assert len(result.files) == 228
    assert all(s.modification_type in MODIFICATION_TYPES for s in result.files)
    by_name = dict(zip((f.filename for f in files), result.files, strict=True))
    assert "- Changelog: “Pin pyjwt version (#1797) (31a1c007)”" in (
        by_name["doc/changes.rst"].explanation
    )
    assert "`python-version` `[3.5, 3.6, 3.7, 3.8, 3.9]` -> `[3.6, 3.7, 3.8, 3.9]`" in (
        by_name[".github/workflows/ci.yml"].explanation
    )
    highlights = result.overall.highlights
    # The maintainers' own changelog line is the one break of this release.
    assert highlights.breaking_changes == [
        "`changes.rst`: Changelog: “Drop support for Python 3.5 (#1770) (63e4fae9)”"
    ]
    assert "- Code changed inside `GithubObject`." in by_name["github/GithubObject.py"].explanation
    for items in (highlights.new_features, highlights.breaking_changes, highlights.other_updates):
        assert len(items) <= 9
    assert len(result.overall.summary.split(". ")) <= 4


def test_files_sharing_a_base_name_are_told_apart() -> None:
    from bot.summarize.heuristic.overall import display_names

    names = display_names(["a/x/__init__.py", "b/x/__init__.py", "c/__init__.py", "d/e.py"])
    assert names == {
        "a/x/__init__.py": "`a/x/__init__.py`",
        "b/x/__init__.py": "`b/x/__init__.py`",
        "c/__init__.py": "`c/__init__.py`",
        "d/e.py": "`e.py`",
    }
    files = [
        FileChange(f"pkg{i}/__init__.py", "removed", 0, 1, "@@ -1 +0,0 @@\n-x = 1") for i in (1, 2)
    ]
    highlights = HeuristicSummarizer().summarize(change_of(*files), "en_US").overall.highlights
    assert "`pkg1/__init__.py`" in highlights.breaking_changes[0]


def test_a_failing_extractor_costs_one_files_details_not_the_report(monkeypatch, caplog) -> None:
    import bot.summarize.heuristic.summarizer as heuristic

    def broken(f: FileChange) -> list:
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(heuristic, "collect_facts", broken)
    f = FileChange("pkg/core.py", "modified", 6, 4, PY_PATCH)
    result = HeuristicSummarizer().summarize(change_of(f), "en_US")
    assert result.files[0].modification_type == "minor update"
    assert "No content change was found" in result.files[0].explanation
    assert "heuristic fact extraction failed" in caplog.text
