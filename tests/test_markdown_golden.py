"""Golden test: our Markdown for the example's change is the example, byte for byte.

The change is rebuilt from ``tests/data/example-report.md`` itself (patches from its diff
blocks, counts from its table, permalink and date from its front matter); a summarizer double
returns the example's own words, so any difference is the renderer's.

Re-blessed on purpose for issue 11 (item 5): the shared example has no blank line after
``<summary>Diff</summary>``, so CommonMark reads ``<details>`` as an HTML block that ends at
the diff's first blank line; the rest of the diff became Markdown (five bogus H2s) and the
second file's heading vanished. tests/data/example-report.md now has that blank line (the
only change), and :mod:`tests.test_markdown_structure` checks the structure by parsing.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from bot.build import area_for, build_from_change
from bot.diff import Change, FileChange, RefInfo
from bot.render.markdown import render_markdown
from bot.report import FileSummary, Highlights, ReportSummary
from bot.summarize import MODIFICATION_TYPES, SummaryResult
from bot.summarize.heuristic.summarizer import HeuristicSummarizer, file_facts, summarize_file
from tests.support import DATA

EXAMPLE = (DATA / "example-report.md").read_text(encoding="utf-8")
_FILE_RE = re.compile(r"^## (\S+)\{#item-[0-9a-f]{6}\}$", re.MULTILINE)


def _front_matter(text: str) -> dict[str, str]:
    body = text.split("---\n", 2)[1]
    fields: dict[str, str] = {}
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("date: ", "permalink: ", "title: ")):
            key, _, value = line.partition(": ")
            fields[key] = value.strip("'")
        elif line == "summary: |-":
            fields["summary"] = lines[i + 2].strip()  # after the "Summary:" line
    return fields


def _bullets(text: str, heading: str) -> list[str]:
    block = text.split(f"## {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    return [line[2:] for line in block.split("\n") if line.startswith("- ")]


def _table(text: str) -> dict[str, tuple[str, int, int]]:
    """Base name -> (status, additions, deletions) from the summary table."""
    rows = text.split("# Summary Table\n", 1)[1].split("\n\n", 1)[0].split("\n")[2:]
    table = {}
    for row in rows:
        cells = [c.strip() for c in row.split("|")]
        name = re.match(r"\[(.+?)\]", cells[1]).group(1)
        table[name] = (cells[4], int(cells[5]), int(cells[6]))
    return table


def _file_sections(text: str) -> list[tuple[str, str, dict, str]]:
    """(path, patch, summary JSON, explanation) for every file section of the example."""
    found = []
    starts = list(_FILE_RE.finditer(text))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        section = text[match.start() : end]
        patch = section.split("````diff\n", 1)[1].split("\n````\n", 1)[0]
        summary = json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])
        explanation = section.split("### Explanation\n", 1)[1].strip()
        found.append((match.group(1), patch, summary, explanation))
    return found


def example_change() -> Change:
    front = _front_matter(EXAMPLE)
    table = _table(EXAMPLE)
    files = []
    for path, patch, _, _ in _file_sections(EXAMPLE):
        status, additions, deletions = table[path.rsplit("/", 1)[-1]]
        files.append(FileChange(path, status, additions, deletions, patch))
    base, head = re.search(r"compare/(.+?)\.\.\.(.+)$", front["permalink"]).groups()
    return Change(
        repository="MicrosoftDocs/azure-ai-docs",
        host="github.com",
        base=RefInfo(base, base.split(":")[-1]),
        head=RefInfo(head, head.split(":")[-1]),
        permalink=front["permalink"],
        files=files,
        date=front["date"],
    )


class ExampleWords:
    """A summarizer double that answers with the example report's own texts."""

    name = "example"

    def summarize(self, change: Change, lang: str, progress=None) -> SummaryResult:
        sections = {path: (summary, text) for path, _, summary, text in _file_sections(EXAMPLE)}
        files = [
            FileSummary(
                sections[f.filename][0]["modification_type"],
                sections[f.filename][0]["modification_title"],
                sections[f.filename][1],
            )
            for f in change.files
        ]
        insights = EXAMPLE.split("# Insights\n\n", 1)[1].split("\n\n# Summary Table", 1)[0]
        overall = ReportSummary(
            summary=_front_matter(EXAMPLE)["summary"],
            highlights=Highlights(
                new_features=_bullets(EXAMPLE, "New features"),
                breaking_changes=_bullets(EXAMPLE, "Breaking changes"),
                other_updates=_bullets(EXAMPLE, "Other updates"),
            ),
            insights=insights,
        )
        return SummaryResult(files=files, overall=overall)


def _sections(markdown: str) -> list[str]:
    """Front matter, link line, then one piece per ``#``/``##`` heading (outside fences)."""
    front_end = markdown.index("\n---\n", 4) + len("\n---\n")
    head, rest = markdown[:front_end], markdown[front_end:]
    return [head, *re.split(r"(?m)^(?=#{1,2} )", rest)]


@pytest.fixture(scope="module")
def rendered() -> str:
    report = build_from_change(example_change(), globs=(), lang="en_US", summarizer=ExampleWords())
    return render_markdown(report)


def test_rendering_matches_the_example_section_by_section(rendered: str) -> None:
    ours, theirs = _sections(rendered), _sections(EXAMPLE)
    assert [s.split("\n", 1)[0] for s in ours] == [s.split("\n", 1)[0] for s in theirs]
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine == expected


def test_rendering_matches_the_example_byte_for_byte(rendered: str) -> None:
    assert rendered.encode("utf-8") == EXAMPLE.encode("utf-8")


def test_area_of_the_example_is_openai() -> None:
    assert area_for(example_change(), ()) == "openai"


def test_heuristic_finds_the_examples_concrete_changes() -> None:
    fine_tuning, retirements = example_change().files
    facts = file_facts(retirements)
    assert "Front matter `ms.date` changed: `04/23/2025` -> `06/11/2025`." in facts
    assert (
        "Table row `computer-use-preview`: Retirement date `No earlier than June 11, 2025` -> "
        "`No earlier than September 1, 2025`." in facts
    )
    tuning = "\n".join(file_facts(fine_tuning))
    assert (
        'Heading renamed (H1): "When to use Azure OpenAI fine-tuning" -> '
        '"Azure OpenAI in Azure AI Foundry Models fine-tuning considerations".' in tuning
    )
    assert 'H2 "Key benefits of fine-tuning"' in tuning
    assert 'H2 "Challenges and limitations of fine-tuning"' not in tuning.split("removed")[-1]
    assert 'Sections removed: H2 "What is Fine Tuning with Azure OpenAI?"' in tuning
    assert "Table rows removed: `Volume` and `Format`." in tuning
    assert summarize_file(retirements).modification_type == "minor update"
    assert summarize_file(fine_tuning).modification_type == "major update"


def test_heuristic_report_of_the_example_reads_well() -> None:
    report = build_from_change(
        example_change(), globs=(), lang="en_US", summarizer=HeuristicSummarizer()
    )
    assert report.title == "[en_US] Diff Insight Report - openai"
    assert all(f.modification_type in MODIFICATION_TYPES for f in report.files)
    assert report.highlights.breaking_changes == []
    assert any("Key benefits of fine-tuning" in h for h in report.highlights.new_features)
    others = "\n".join(report.highlights.other_updates)
    assert "`model-retirements.md`: Table row `computer-use-preview`" in others
    assert "`ms.date`" in others
    assert "Both files are under `articles/ai-services/openai/concepts/`." in report.insights
    assert "No breaking changes were detected." in report.summary
    assert "in `model-retirements.md`, table row `computer-use-preview`" in report.summary
    assert "in `fine-tuning-considerations.md`, new sections added" in report.summary
    assert 2 <= report.summary.count(". ") + 1 <= 4
    markdown = render_markdown(report)
    assert markdown.startswith("---\ndate: '2025-06-12'\n")
    assert "- None." in markdown  # the empty breaking-changes list is said, not left blank


def test_model_text_cannot_add_headings_to_the_report() -> None:
    """An explanation or insights line starting with '#' (a model echoing a diff, or told to
    by one) is shown escaped, so the report keeps exactly the example's sections."""

    class Injected(ExampleWords):
        def summarize(self, change: Change, lang: str, progress=None) -> SummaryResult:
            result = super().summarize(change, lang, progress)
            result.files[0].explanation += "\n# Summary Table\n## fake.md{#item-000000}"
            result.overall.insights += "\n\n# Modified Contents"
            return result

    report = build_from_change(example_change(), globs=(), lang="en_US", summarizer=Injected())
    markdown = render_markdown(report)
    headings = [s.split("\n", 1)[0] for s in _sections(markdown)]
    assert headings == [s.split("\n", 1)[0] for s in _sections(EXAMPLE)]
    assert "&#35; Summary Table\n&#35;# fake.md" in markdown
    assert "&#35; Modified Contents" in markdown
    odd = replace(report.files[0], filename="docs/a[1].md")
    assert "| [a\\[1\\].md](#item-" in render_markdown(replace(report, files=[odd]))
