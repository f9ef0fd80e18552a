"""Documentation changes read as a docs reader would, on real commits of five doc sites.

Each diff in tests/data/docs/ is a real commit (see tests/data/SOURCES.md): Microsoft Learn's
Azure CLI docs (Markdown, toc.yml, docfx.json), the Python Packaging User Guide (Sphinx,
reStructuredText), Asciidoctor's docs (AsciiDoc, Antora nav) and httpx (mkdocs).
"""

from __future__ import annotations

import pytest

from bot.diff import Change, FileChange, RefInfo, parse_unified_diff
from bot.report import ReportSummary
from bot.summarize.heuristic import pages
from bot.summarize.heuristic.docfacts import page_facts
from bot.summarize.heuristic.pages import docs_context, without_site_suffix
from bot.summarize.heuristic.summarizer import HeuristicSummarizer, file_facts, summarize_file
from bot.summarize.llm.filecache import InProcessFileCache
from bot.summarize.llm.summarizer import LLMSummarizer
from tests.fakes.openai import FakeOpenAI
from tests.llmdata import llm_config
from tests.support import DATA

DOCS = DATA / "docs"


def files_of(name: str) -> list[FileChange]:
    return parse_unified_diff((DOCS / f"{name}.diff").read_bytes())


def change_of(files: list[FileChange]) -> Change:
    return Change(
        repository="docs/site",
        host="github.com",
        base=RefInfo("main", "a" * 40),
        head=RefInfo("topic", "b" * 40),
        permalink="https://github.com/docs/site/compare/main...topic",
        files=files,
        date="2026-08-20",
    )


def report_of(name: str) -> ReportSummary:
    return HeuristicSummarizer().summarize(change_of(files_of(name)), "en").overall


def facts_of(name: str, tail: str) -> list[str]:
    """The facts of the file ending in ``tail``, read with the rest of its change."""
    files = files_of(name)
    docs = docs_context(files)
    (f,) = [f for f in files if f.filename.endswith(tail)]
    return file_facts(f, docs=docs)


def test_a_restructured_article_says_what_moved_to_the_new_page_and_renames_nothing() -> None:
    facts = "\n".join(facts_of("azure-cli-macos-preview-split", "install-azure-cli-macos.md"))
    assert "Troubleshooting" not in facts.split("Heading renamed")[-1].split("\n")[0] or (
        "Heading renamed" not in facts
    )
    assert '"Troubleshooting" -> "Update"' not in facts  # paired by position before
    assert (
        'Content moved to `install-azure-cli-macos-preview.md` ("Install Azure CLI on macOS - '
        'Preview"): "What is changing", "Choose an installation method"' in facts
    )
    assert "Article restructured: 6 sections added and 18 sections moved to another page." in facts
    assert "Sections removed" not in facts  # they moved, they were not dropped
    assert "IMPORTANT removed" not in facts  # it moved with its section
    assert (
        'Code sample (bash) changed under "Unable to find Python or installed packages": '
        "`python@3.13` -> `python@3.10`." in facts
    )
    assert 'Page description changed: now "Learn how to install and run the Azure CLI on macOS' in (
        facts
    )


def test_a_new_page_is_named_by_its_title_and_its_toc_place() -> None:
    facts = facts_of("azure-cli-macos-preview-split", "install-azure-cli-macos-preview.md")
    assert facts[0] == (
        'New page "Install Azure CLI on macOS - Preview" listed in `toc.yml` as '
        '"Install - macOS (preview)" after "Upcoming breaking changes".'
    )
    assert not any(f.startswith("New file") for f in facts)  # said once, as a page
    toc = facts_of("azure-cli-macos-preview-split", "Latest-version/toc.yml")
    assert toc == [
        'TOC entries added: "Install - macOS (preview)" (`install-azure-cli-macos-preview.md`, '
        'after "Upcoming breaking changes").'
    ]
    report = report_of("azure-cli-macos-preview-split")
    assert report.highlights.new_features[0].startswith(
        '`install-azure-cli-macos-preview.md`: New page "Install Azure CLI on macOS - Preview"'
    )
    assert report.highlights.other_updates[0].startswith(
        "`install-azure-cli-macos.md`: Content moved to `install-azure-cli-macos-preview.md`"
    )


def test_page_titles_lose_the_site_suffix() -> None:
    (_, preview, page, *_) = files_of("azure-cli-macos-preview-split")
    assert summarize_file(page).modification_title.endswith('"Install Azure CLI on macOS"')
    assert "Microsoft Docs" not in summarize_file(preview).modification_title
    assert without_site_suffix("Release notes & updates – Azure CLI | Microsoft Docs") == (
        "Release notes & updates – Azure CLI"
    )
    assert without_site_suffix("Get started - Microsoft Learn") == "Get started"


def test_an_added_tip_is_quoted_with_the_option_its_sample_changes() -> None:
    report = report_of("azure-cli-secret-hyphen-tip")
    headline = report.highlights.other_updates[0]
    assert headline == (
        '`authenticate-azure-cli-service-principal.md`: TIP added: "If your client secret '
        "starts with a special character such as a hyphen (-), the shell or CLI parser might "
        'interpret it as an option flag." (its sample: `--password` -> `--password=`)'
    )
    assert "`ms.date`" in report.highlights.other_updates[1]  # still said, never first


def test_a_version_bumped_in_a_sentence_is_old_to_new() -> None:
    facts = facts_of("azure-cli-release-2.89.0", "current-version.md")
    assert facts == [
        "Changed `2.88.0` -> `2.89.0` (`The current version of the Azure CLI is 2.89.0.`)."
    ]


def test_a_new_release_notes_section_is_summarised_by_groups_and_first_entries() -> None:
    facts = facts_of("azure-cli-release-2.89.0", "release-notes-azure-cli.md")
    assert facts[0].startswith(
        'Release notes for "August 04, 2026" added (14 groups: "ACR", "AKS", "App Config"'
    )
    assert (
        'first entries: ACR: "az acr import: Fix regional endpoint source resolution' in (facts[0])
    )
    assert facts[0].kind == "feature"
    assert not any(f.startswith("List items added") for f in facts)  # the groups say it
    assert facts[-1] == "Front matter `ms.date` changed: `07/07/2026` -> `08/04/2026`."


def test_table_cells_keep_link_text_whole_and_never_name_a_column_by_number() -> None:
    facts = facts_of("azure-cli-extensions-table", "azure-cli-extensions-list.md")
    assert "Table row `aimanager`: `1.4.1` -> `1.5.0`." in facts
    assert "Table row `azure-iot-ops`: `2.8.0` -> `2.9.0`." in facts
    assert not any("column" in f or "](" in f for f in facts)
    assert facts[-1] == "Front matter `ms.date` changed: `08/19/2026` -> `08/20/2026`."


def test_a_table_cell_is_named_by_its_header_when_the_hunk_shows_it() -> None:
    patch = (
        "@@ -10,5 +10,5 @@ intro\n | Model | Retirement date |\n |---|---|\n"
        "-| [gpt-4](https://x/gpt4) | [June 1](https://x/a) |\n"
        "+| [gpt-4](https://x/gpt4) | [July 1](https://x/a) |\n"
    )
    facts = file_facts(FileChange("models.md", "modified", 1, 1, patch))
    assert facts == ["Table row `gpt-4`: Retirement date `June 1` -> `July 1`."]


def test_docfx_json_is_read_by_key() -> None:
    assert facts_of("azure-cli-docfx-manager", "docfx.json") == [
        "Docs configuration added: `ms.manager` = `akashdubey`."
    ]


def test_rst_admonitions_lists_and_a_paragraph_made_a_warning() -> None:
    warning = facts_of("packaging-artifact-warning", ".rst")
    assert warning[0] == (
        'WARNING added: "This artifact configuration is intended for a single build job that '
        'uploads one source distribution and one wheel."'
    )
    trusted = facts_of("packaging-trusted-publishers", "tool-recommendations.rst")
    assert trusted[0] == (
        'Paragraph made a WARNING under "Uploading to PyPI": "Never use python setup.py upload '
        'for this task."'
    )
    assert trusted[1].startswith(
        'List items added under "Uploading to PyPI": "GitHub Actions (on https://github.com)"'
    )


def test_asciidoc_admonitions_added_and_edited() -> None:
    facts = facts_of("asciidoctor-extension-state-tip", "register.adoc")
    assert (
        'NOTE added: "Once an extension class is registered, it is frozen, preventing further '
        'modification."' in facts
    )
    assert any(
        f.startswith('TIP added: "If you need to store state on a class-based') for f in facts
    )
    assert 'CAUTION edited: "Extension classes must be defined outside of the register block."' in (
        facts
    )
    assert not any("removed" in f for f in facts)  # the CAUTION stays, one line shorter


def test_asciidoc_page_split_with_antora_nav() -> None:
    facts = facts_of("asciidoctor-converters-split", "convert/pages/available.adoc")
    assert (
        'Content moved to `index.adoc` ("Converters"): "What is a converter?" and '
        '"What is a backend?".' in facts
    )
    new = facts_of("asciidoctor-converters-split", "convert/pages/index.adoc")
    assert new[0] == 'New page "Converters" listed in `nav.adoc`.'
    nav = facts_of("asciidoctor-converters-split", "nav.adoc")
    assert nav[0].startswith("TOC entries added: ")
    assert "`index.adoc`" in nav[0]


def test_mkdocs_page_split_into_several_pages() -> None:
    facts = facts_of("httpx-advanced-split", "docs/advanced.md")
    assert facts[0].startswith("Content split into 3 pages (sections each took): `clients.md` (")
    assert 'Page "Advanced Usage" deleted, taken out of `mkdocs.yml`.' in facts
    nav = facts_of("httpx-advanced-split", "mkdocs.yml")
    assert nav[0].startswith(
        'TOC entries added: "Clients" (`advanced/clients.md`, after "QuickStart"), '
        '"Authentication" (`advanced/authentication.md`, after "Clients")'
    )
    assert "Docs configuration removed: `features`" in "\n".join(nav)


def test_a_heading_renamed_over_the_same_body_and_one_moved_within_the_page() -> None:
    body = " the same words about installing the tool stay here\n"
    patch = (
        "@@ -1,9 +1,9 @@\n # Guide\n-## Setup\n+## Installation\n" + body + " \n"
        "-## Usage\n-Run it with care and read the output.\n ## Notes\n Some notes.\n"
        "+## Usage\n+Run it with care and read the output.\n"
    )
    facts, _ = page_facts("guide.md", patch, "markdown")
    assert 'Heading renamed (H2): "Setup" -> "Installation".' in facts
    assert 'Sections moved within the page: "Usage".' in facts
    other = (
        "@@ -1,4 +1,4 @@\n # Guide\n-## Setup\n+## Changelog\n-Install it.\n+Version 2 fixes bugs."
    )
    facts, _ = page_facts("guide.md", other, "markdown")
    assert not any(f.startswith("Heading renamed") for f in facts)  # another section, not a rename
    assert 'New sections added: H2 "Changelog".' in facts


@pytest.mark.parametrize(
    "patch",
    [
        "@@ -1,3 +1,3 @@\n" + "-" + "[" * 50_000 + "\n+" + "](" * 50_000 + "\n",
        "@@ -1,2 +1,2 @@\n" + "".join(f"+## h{i}\n" for i in range(3000)),
        "@@ -1,2 +1,2 @@\n-> [!TIP]\n+> [!TIP]\n" + "+> " + "word " * 20_000 + "\n",
        "@@ -1,2 +1,2 @@\n-" + "a " * 30_000 + "\n+" + "b " * 30_000 + "\n",
        "@@ -1,9 +1,9 @@\n"
        + "".join(f"-## h{i}\n-body {i} words here\n" for i in range(1500))
        + "".join(f"+## g{i}\n+body {i} words here\n" for i in range(1500)),
        "@@ -1,2 +1,2 @@\n-# a" + " " * 30_000 + "x\n+# b" + " " * 30_000 + "x\n",  # was ReDoS
        "@@ -1,2 +1,2 @@\n- name: " + " " * 30_000 + "x\n+ name: " + " " * 30_000 + "y\n",
        "@@ -1,2 +1,2 @@\n-" + "[a](" * 15_000 + "\n+" + "[b](" * 15_000 + "\n",
        "@@ -1,9 +1,9 @@\n"
        + "".join(f"-- item {i} alpha\n" for i in range(2000))
        + "".join(f"+- item {i} gamma\n" for i in range(2000)),
    ],
)
def test_hostile_pages_give_few_short_facts(patch: str) -> None:
    """Huge lines, thousands of headings or list items: a bounded list of bounded facts
    (benchmarks/bench_docs.py prints how long such pages take)."""
    facts = file_facts(FileChange("x.md", "modified", 1, 1, patch))
    assert 0 < len(facts) <= 30
    assert all(len(f) < 1200 for f in facts)


def test_the_llm_prompt_carries_the_same_docs_facts() -> None:
    """Through the real openai client against FakeOpenAI: each file's FACTS block holds the
    facts the heuristic found, the ones that need the change's other pages included."""
    with FakeOpenAI() as fake:
        summarizer = LLMSummarizer(llm_config(fake), InProcessFileCache())
        summarizer.summarize(change_of(files_of("azure-cli-macos-preview-split")), "en_US")
        user = "\n".join(request.text("user") for request in fake.requests)
    assert (
        '- Content moved to `install-azure-cli-macos-preview.md` ("Install Azure CLI on macOS - '
        'Preview"): "What is changing"' in user
    )
    assert '- New page "Install Azure CLI on macOS - Preview" listed in `toc.yml`' in user
    assert "- Article restructured: 6 sections added and 18 sections moved to another page." in (
        user
    )


def test_sphinx_toctree_entries_tie_pages_to_their_place() -> None:
    """The hunks start inside the toctrees (their directive line is out of view)."""
    new = facts_of("flask-gevent-toctree", "docs/gevent.rst")
    assert (
        new[0] == 'New page "Async with Gevent" listed in `index.rst` after "deploying/index.rst".'
    )
    assert 'New sections added: "Enabling gevent", "Combining with async/await" and "libuv".' in (
        new
    )  # the title is not listed as a section of its own page
    assert "Page taken out of `index.rst`." in facts_of("flask-gevent-toctree", "eventlet.rst")
    assert facts_of("flask-gevent-toctree", "deploying/index.rst") == [
        "TOC entries removed: `eventlet.rst`."
    ]
    gunicorn = facts_of("flask-gevent-toctree", "gunicorn.rst")
    assert 'Heading renamed: "Async with gevent or eventlet" -> "Async with gevent".' in gunicorn


def test_a_replaced_command_and_a_retitled_toc_entry() -> None:
    assert facts_of("azure-cli-install-script-url", "cli-install-linux-apt.md") == [
        "Code sample (bash) changed: `curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash` -> "
        "`curl -fsSL 'https://azurecliprod.blob.core.windows.net/$root/deb_inst…`."
    ]
    assert facts_of("azure-cli-toc-typo", "toc.yml") == [
        'TOC entries retitled: "Use shorthand synax" -> "Use shorthand syntax".'
    ]


def test_a_failure_reading_pages_together_costs_only_the_cross_page_facts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("odd page")

    monkeypatch.setattr(pages, "_find_moves", broken)
    report = report_of("azure-cli-macos-preview-split")
    assert "docs pages could not be read together" in caplog.text
    others = "\n".join(report.highlights.other_updates)
    assert "Content moved to" not in others  # that needed the pages together
    assert "Article restructured: 6 sections added and 18 sections removed." in others  # alone
