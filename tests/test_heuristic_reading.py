"""The heuristic report as a reader meets it: patches that start mid-block, mixed changes.

Each case here was a wrong or missing sentence in a real report (this repository's own
history, and a small multi-language project) before it was fixed.
"""

from __future__ import annotations

from bot.diff import Change, FileChange
from bot.summarize.heuristic.summarizer import HeuristicSummarizer, file_facts, summarize_file
from tests.test_heuristic import change_of

# A README hunk that begins inside a ``` block: its first fence closes the block.
README_PATCH = "\n".join(
    [
        "@@ -116,6 +128,14 @@ web: diffinsight serve",
        " worker: diffinsight worker",
        " ```",
        " ",
        "-The web process verifies requests.",
        "+The web process verifies and acknowledges requests at once.",
        "+",
        "+### Install the Slack app",
        "+",
        "+1. Run the server where Slack can reach it over HTTPS.",
        "+",
        "+### GitHub access",
        "+",
        "+Public repositories need no token at all.",
    ]
)


def test_headings_after_a_hunk_that_starts_inside_a_code_block_are_found() -> None:
    facts = file_facts(FileChange("README.md", "modified", 8, 1, README_PATCH))
    assert 'New sections added: H3 "Install the Slack app" and H3 "GitHub access".' in facts


def test_a_fence_naming_its_language_opens_a_block_even_mid_hunk() -> None:
    # Starts outside any block: "```bash" opens one, so its "# comment" is no heading.
    patch = "\n".join(
        [
            "@@ -10,4 +10,8 @@ Some text",
            " Install it:",
            " ```bash",
            "-# old comment",
            "+# install it",
            " pip install x",
            " ```",
            "+",
            "+## Upgrading",
        ]
    )
    facts = "\n".join(file_facts(FileChange("docs/a.md", "modified", 3, 1, patch)))
    assert 'New sections added: H2 "Upgrading".' in facts
    assert "install it" not in facts.split("New sections")[1].split("\n")[0]
    # Starts inside a block: the first fence (bare) closes it, the second (named) opens one.
    inside = "\n".join(
        [
            "@@ -20,5 +20,9 @@",
            " x = 1",
            " ```",
            "+## Usage",
            "+",
            "+```python",
            "+# not a heading",
            "+```",
        ]
    )
    facts = "\n".join(file_facts(FileChange("docs/b.md", "modified", 5, 0, inside)))
    assert 'New sections added: H2 "Usage".' in facts
    assert "not a heading" not in facts


def test_changes_are_attributed_to_the_definition_they_are_in() -> None:
    patch = "\n".join(
        [
            "@@ -3,9 +3,9 @@ export interface User {",
            "   name: string;",
            " }",
            " ",
            " export function load(id: number): User {",
            "-  return get(id);",
            "+  return get(id, { cache: true });",
            " }",
            " ",
            "-export const old = 1;",
            "+export const fresh = 2;",
        ]
    )
    facts = file_facts(FileChange("web/api.ts", "modified", 2, 2, patch))
    assert "Code changed inside `load`." in facts
    assert not any("`User`" in f for f in facts)  # the hunk's header names the wrong place
    py = "\n".join(
        [
            "@@ -16,5 +16,5 @@ def make_widget(name: str) -> Widget:",
            "     return Widget(name)",
            " ",
            " ",
            "-def legacy_helper(x):",
            "-    return x * 2",
            "+def clone_widget(w):",
            "+    return Widget(w.name)",
        ]
    )
    facts = file_facts(FileChange("pkg/core.py", "modified", 2, 2, py))
    assert not any("make_widget" in f for f in facts)  # a replaced function, not an edit inside
    assert "Removed public function `legacy_helper`." in facts


def test_pyproject_tool_settings_are_said_beside_its_dependencies() -> None:
    patch = "\n".join(
        [
            "@@ -1,10 +1,10 @@",
            " [project]",
            '-version = "1.2.0"',
            '+version = "1.3.0"',
            " dependencies = [",
            '-    "requests>=2.28",',
            '+    "requests>=2.31",',
            " ]",
            " [tool.ruff]",
            "-line-length = 88",
            "+line-length = 100",
        ]
    )
    facts = file_facts(FileChange("pyproject.toml", "modified", 3, 3, patch))
    assert facts == [
        "Version bumped: `1.2.0` -> `1.3.0`.",
        "Dependency versions changed: `requests` `>=2.28` -> `>=2.31`.",
        "Settings changed: `line-length` `88` -> `100`.",
    ]


def test_a_new_binary_file_is_not_a_file_of_zero_lines() -> None:
    logo = FileChange("docs/logo.png", "added", binary=True)
    text = summarize_file(logo).explanation
    assert text.startswith("`docs/logo.png` is a new binary file (new content).")
    assert "0 lines" not in text
    one = FileChange("a.txt", "added", 1, 0, "@@ -0,0 +1 @@\n+hi")
    assert summarize_file(one).explanation.startswith("`a.txt` is a new file of 1 line ")


def test_a_major_update_title_names_what_changed() -> None:
    rows = "\n".join(f"+| `VAR_{i}` | meaning {i} |" for i in range(150))
    patch = f"@@ -1,2 +1,152 @@\n | Name | Meaning |\n |---|---|\n{rows}"
    summary = summarize_file(FileChange("docs/env.md", "modified", 150, 0, patch))
    assert summary.modification_type == "major update"
    assert summary.modification_title == "Reworked table in env.md"


def _mixed() -> Change:
    names = ["a.md", "b.png", "c.go", "D.java", "e.py", "f.toml", "g.txt", "h.ts", "i.json"]
    return change_of(*(FileChange(n, "modified", 1, 1, "@@ -1 +1 @@\n-a\n+b") for n in names))


def test_file_kinds_add_up_and_mostly_is_said_only_when_true() -> None:
    result = HeuristicSummarizer().summarize(_mixed(), "en_US")
    kinds = "By kind: 1 Markdown, 1 image, 1 Go, 1 Java and 5 other files."
    assert kinds in result.overall.insights
    assert "mostly" not in result.overall.summary
    assert "in Markdown, image, Go and 6 more kinds of files." in result.overall.summary
    python = [FileChange(f"pkg/m{i}.py", "modified", 1, 1, "@@ -1 +1 @@\n-a\n+b") for i in range(9)]
    result = HeuristicSummarizer().summarize(
        change_of(*python, FileChange("README.md", "modified", 1, 1)), "en_US"
    )
    assert "mostly Python files." in result.overall.summary  # one Markdown file of ten
    half = [FileChange(f"d{i}.md", "modified", 1, 1) for i in range(5)]
    result = HeuristicSummarizer().summarize(change_of(*python[:5], *half), "en_US")
    assert "mostly Python and Markdown files." in result.overall.summary


def test_go_methods_are_named_by_their_receiver_and_files_move_freely_in_a_package() -> None:
    patch = "\n".join(
        [
            "@@ -8,6 +8,10 @@ func NewServer(addr string) *Server {",
            " }",
            " ",
            "+func (s *Server) Stop() error {",
            "+\treturn nil",
            "+}",
            "+",
            " func (s *Server) Start() error {",
        ]
    )
    moved = FileChange("server/srv.go", "renamed", 4, 0, patch, "server/server.go")
    facts = file_facts(moved)
    assert "Added public method `Server.Stop`." in facts
    assert "Renamed from `server/server.go` to `server/srv.go`." in facts
    assert summarize_file(moved).modification_type == "new feature"  # nothing breaks
    # Into another folder it is another package: callers' imports break.
    elsewhere = FileChange("api/server.go", "renamed", 0, 0, None, "server/server.go")
    assert "Renamed module `server/server.go` to `api/server.go`." in file_facts(elsewhere)
    python = FileChange("pkg/b.py", "renamed", 0, 0, None, "pkg/a.py")
    assert summarize_file(python).modification_type == "breaking change"


def test_prose_under_a_new_heading_belongs_to_that_section() -> None:
    patch = "\n".join(
        [
            "@@ -20,3 +20,7 @@ Regions",
            " ## Government cloud",
            " ",
            " | usgovarizona | Yes |",
            "+",
            "+## Sovereign clouds",
            "+",
            "+See the China regions page.",
        ]
    )
    facts = file_facts(FileChange("docs/regions.md", "modified", 4, 0, patch))
    assert facts == ['New sections added: H2 "Sovereign clouds".']  # not "edited under Gov..."
    edit = patch.replace("+See the China", " See the China") + "\n+More text."
    facts = file_facts(FileChange("docs/regions.md", "modified", 4, 0, edit))
    assert 'Text edited under "Government cloud".' not in facts


def test_sentences_read_as_english() -> None:
    rows = "\n".join(["@@ -1,2 +1,4 @@", " # Page", " ", "+## New part", "+Text."])
    page = FileChange("docs/page.md", "modified", 2, 0, rows)
    assert summarize_file(page).explanation.startswith(
        "`docs/page.md` has new content (2 added, 0 removed lines)."
    )
    other = [FileChange(f"d{i}.txt", "modified", 1, 1, "@@ -1 +1 @@\n-a\n+b") for i in range(9)]
    result = HeuristicSummarizer().summarize(change_of(*other), "en_US")
    assert result.overall.highlights.other_updates[-1] == (
        "And 1 more update in 1 file; see the files below."
    )
    assert "(+9/-9 lines), all text." in result.overall.summary
    two = HeuristicSummarizer().summarize(change_of(*other[:2]), "en_US")
    assert "(+2/-2 lines), both text." in two.overall.summary


def test_a_retitled_rst_section_whose_underline_stayed_is_seen() -> None:
    patch = "\n".join(
        [
            "@@ -1,6 +1,4 @@",
            "-Installation and Getting Started",
            "-===================================",
            "-",
            "-**Pythons**: Python 3.6",
            "+.. _get-started:",
            " ",
            "+Get Started",
            " ===================================",
            " ",
        ]
    )
    facts = file_facts(FileChange("doc/getting-started.rst", "modified", 3, 4, patch))
    assert facts == [
        'New sections added: "Get Started".',
        'Sections removed: "Installation and Getting Started".',
    ]


def test_setup_cfg_options_are_settings_not_dependencies() -> None:
    patch = "\n".join(
        [
            "@@ -47,4 +47,4 @@ install_requires =",
            "-\ttoml",
            "+\ttomli>=1.0.0",
            " [build_sphinx]",
            "-source-dir = doc/en/",
            "+source_dir = doc/en/",
        ]
    )
    facts = file_facts(FileChange("setup.cfg", "modified", 2, 2, patch))
    assert "Dependencies added: `tomli` `>=1.0.0`." in facts
    assert "Dependencies removed: `toml`." in facts
    assert "Settings added: `source_dir`." in facts
    assert not any("source" in f and f.startswith("Dependenc") for f in facts)


def test_module_constants_are_named_with_their_values() -> None:
    patch = "\n".join(
        [
            "@@ -10,6 +10,7 @@ import os",
            "-TIMEOUT_SECONDS = 30",
            "+TIMEOUT_SECONDS = 60",
            "+RETRIES: int = 3",
            "-OLD_LIMIT = 5",
            " ",
            " def run():",
        ]
    )
    facts = file_facts(FileChange("bot/client.py", "modified", 2, 2, patch))
    assert "Constants changed: `TIMEOUT_SECONDS` `30` -> `60`." in facts
    assert "Constants added: `RETRIES`." in facts
    assert "Constants removed: `OLD_LIMIT`." in facts
    assert summarize_file(
        FileChange("bot/client.py", "modified", 2, 2, patch)
    ).modification_type == (
        "breaking change"  # a public name others may import is gone
    )
    js = "@@ -1,2 +1,3 @@\n-export const MAX_ITEMS = 10;\n+export const MAX_ITEMS = 20;\n"
    js += "+export const LOAD = async () => fetch(URL);"
    facts = file_facts(FileChange("web/config.ts", "modified", 2, 1, js))
    assert "Constants changed: `MAX_ITEMS` `10` -> `20`." in facts
    assert not any("LOAD" in f and f.startswith("Constants") for f in facts)  # a function


def test_a_code_title_names_the_definition_edited() -> None:
    patch = "@@ -10,3 +10,3 @@ def read_change(source):\n     x = 1\n-    y = 2\n+    y = 3"
    summary = summarize_file(FileChange("bot/build.py", "modified", 1, 1, patch))
    assert summary.modification_title == "Updated `read_change` in build.py"


def test_the_summary_names_a_new_file_once_and_in_sentence_case() -> None:
    new = FileChange("bot/extra.py", "added", 2, 0, "@@ -0,0 +1,2 @@\n+def helper(x):\n+    pass")
    docs = FileChange("docs/a.md", "modified", 1, 1, "@@ -1,2 +1,2 @@\n # A\n-Old.\n+New.")
    summary = HeuristicSummarizer().summarize(change_of(new, docs), "en_US").overall.summary
    assert "Most notable: in `extra.py`, added public function `helper`; in `a.md`, " in summary
    assert "New file" not in summary  # the same file again, and capitalised mid-sentence


def test_a_java_constructor_signature_change_is_breaking() -> None:
    patch = "\n".join(
        [
            "@@ -1,4 +1,4 @@ package com.acme;",
            " public class Repo<T> {",
            "-    public Repo(String url) {",
            "+    public Repo(String url, int timeout) {",
            "     }",
        ]
    )
    changed = FileChange("src/main/java/com/acme/Repo.java", "modified", 1, 1, patch)
    assert file_facts(changed) == [
        "Signatures changed: `Repo.Repo`: `public Repo(String url)` -> "
        "`public Repo(String url, int timeout)`."
    ]
    assert summarize_file(changed).modification_type == "breaking change"


def test_a_submodule_from_githubs_file_list_is_said_as_one() -> None:
    """GitHub's JSON has no mode for a submodule, only its patch."""
    patch = "@@ -1 +1 @@\n-Subproject commit 1111111111\n+Subproject commit 2222222222"
    facts = file_facts(FileChange("vendor/lib", "modified", 1, 1, patch))
    assert facts == ["Submodule moved from `1111111` to `2222222`."]


def test_code_sample_edits_are_told_apart_from_prose() -> None:
    patch = "\n".join(
        [
            "@@ -20,6 +20,6 @@",
            " ## Install with pip",
            " ",
            " ```bash",
            "-pip install mylib",
            '+pip install "mylib[fast]"',
            " ```",
        ]
    )
    facts = file_facts(FileChange("docs/install.md", "modified", 1, 1, patch))
    assert facts == [
        'Code sample (bash) changed under "Install with pip": `pip install mylib` -> '
        '`pip install "mylib[fast]"`.'
    ]
