"""The Markdown report's structure, read back by a CommonMark parser (issue 11: 5, 11, 12, 13).

A report must parse into exactly its own headings: Highlights (New features, Breaking
changes, Other updates), Insights, Summary Table, Modified Contents, and per file its H2 with
Summary and Explanation under it; no raw HTML but our ``<details>`` wrappers; no links but our
own. Model text and file names are made as hostile as the probe made them.
"""

from __future__ import annotations

import html
from dataclasses import replace

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.build import build_from_change
from bot.render.inert import inert_line, inert_prose
from bot.render.markdown import render_markdown
from bot.report import Report
from bot.summarize import SummaryResult
from tests.test_markdown_golden import EXAMPLE, ExampleWords, example_change

OUR_HTML = {"<details>\n<summary>Diff</summary>\n", "</details>\n"}
HOSTILE_TEXT = (
    "Fine.\n```python\nunclosed fence swallowing the rest\n"
    '<img src=x onerror="alert(1)"> </details> <script>x()</script>\n'
    "[re-authenticate here](https://evil.example/login) ![pixel](https://evil.example/p.png)\n"
    "<https://evil.example/auto>\n# Summary Table\nSetext heading\n===\n~~~\n> quote\n"
    "\\<b>escaped by the model itself\\</b> `` `<kept in code>` ``\n"
    "[ref]: https://evil.example/ref\n\x1b[31mansi\x07 and \u2028 line separator"
)
HOSTILE_NAME = "docs/evil\n# Injected heading\n<img src=x onerror=1>[x](http://e)`.md"


def parse(markdown: str) -> list:
    body = markdown.split("\n---\n", 1)[1]
    return MarkdownIt("commonmark").parse(body)


def headings(tokens: list) -> list[tuple[str, str]]:
    return [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]


def front_matter(markdown: str) -> dict:
    return yaml.safe_load(markdown.split("---\n", 2)[1])


def expected_headings(report: Report) -> list[tuple[str, str]]:
    out = [
        ("h1", "Highlights"),
        ("h2", "New features"),
        ("h2", "Breaking changes"),
        ("h2", "Other updates"),
        ("h1", "Insights"),
        ("h1", "Summary Table"),
    ]
    if report.notes:
        out.append(("h1", "Notes"))
    out.append(("h1", "Modified Contents"))
    for _ in report.files:
        out += [("h2", "<file>"), ("h3", "Summary"), ("h3", "Explanation")]
    return out


def check_structure(report: Report) -> list:
    markdown = render_markdown(report)
    tokens = parse(markdown)
    found = headings(tokens)
    shape = [(tag, "<file>" if tag == "h2" and text.endswith("}") else text) for tag, text in found]
    assert shape == expected_headings(report)
    html = [t.content for t in tokens if t.type == "html_block"]
    assert set(html) <= OUR_HTML and len(html) == 2 * len(report.files), html
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [c for c in inline if c.type == "html_inline"]
    links = [c.attrs.get("href") for c in inline if c.type == "link_open"]
    assert all(h == report.permalink or str(h).startswith("#item-") for h in links), links
    assert not [c for c in inline if c.type == "image"]
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["diff", "json"] * len(report.files)
    return tokens


def example_report(summarizer: object = None) -> Report:
    return build_from_change(
        example_change(), globs=(), lang="en_US", summarizer=summarizer or ExampleWords()
    )


def test_the_example_parses_into_its_own_headings_only() -> None:
    report = example_report()
    tokens = check_structure(report)
    names = [text for tag, text in headings(tokens) if tag == "h2" and text.endswith("}")]
    assert [n.split("{")[0] for n in names] == [f.filename for f in report.files]
    # Each diff is one fenced block, whole: its blank lines no longer end an HTML block.
    diffs = [t.content for t in tokens if t.type == "fence" and t.info == "diff"]
    assert [d.rstrip("\n") for d in diffs] == [f.patch.rstrip("\n") for f in report.files]


def test_the_shared_example_is_what_the_fix_is_for() -> None:
    """The example as published: its diff blank lines break it (why the golden file moved)."""
    published = EXAMPLE.replace("<summary>Diff</summary>\n\n", "<summary>Diff</summary>\n")
    assert len(headings(parse(published))) > len(headings(parse(EXAMPLE)))


class Hostile(ExampleWords):
    def summarize(self, change, lang, progress=None) -> SummaryResult:
        result = super().summarize(change, lang, progress)
        for f in result.files:
            f.explanation = HOSTILE_TEXT
            f.modification_title = HOSTILE_TEXT
        result.overall.insights = HOSTILE_TEXT
        result.overall.summary = "Summary with\n---\nand: colons # and \x00\x1b controls"
        result.overall.highlights.new_features = [HOSTILE_TEXT]
        result.overall.highlights.other_updates = ["# not a heading", "<b>x</b>"]
        return result


def test_model_text_is_inert_in_every_part_of_the_report() -> None:
    report = example_report(Hostile())
    report = replace(report, notes=[HOSTILE_TEXT])
    tokens = check_structure(report)
    text = render_markdown(report)
    assert "swallowing the rest" in text and "re-authenticate here" in text  # shown, as text
    # The code span the model wrote is kept as a code span.
    assert any(
        c.type == "code_inline" and c.content == "`<kept in code>`"
        for t in tokens
        if t.type == "inline"
        for c in t.children or []
    )


def test_a_file_name_with_a_newline_stays_one_heading() -> None:
    report = example_report()
    odd = replace(report.files[0], filename=HOSTILE_NAME)
    report = replace(report, files=[odd, *report.files[1:]])
    tokens = check_structure(report)
    first = [text for tag, text in headings(tokens) if tag == "h2" and text.endswith("}")][0]
    shown = html.unescape(MarkdownIt("commonmark").renderInline(first))
    assert shown.startswith("docs/evil\\n# Injected heading\\n<img src=x onerror=1>[x](http")


def test_front_matter_is_valid_yaml_whatever_the_text() -> None:
    report = example_report(Hostile())
    report = replace(report, title="[en_US] Diff Insight Report - a\n---\nb: c\x07")
    data = front_matter(render_markdown(report))
    assert set(data) == {"date", "permalink", "summary", "title"}
    assert data["title"] == report.title
    assert data["summary"] == "Summary:\n" + report.summary
    plain = front_matter(render_markdown(example_report()))
    assert plain["date"] == "2025-06-12" and plain["summary"].startswith("Summary:\nRecent")


PIECES = [*"`~#<>[]()!*_-=|\\&;:/ \n\tax1", "</details>", "<img ", "```", "    "]
MARKUP = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(MARKUP)
def test_any_model_text_stays_inside_its_paragraphs(text: str) -> None:
    """Fuzzed: whatever the text, its place in a document opens no block and no markup."""
    doc = f"# Before\n\n{inert_prose(text)}\n\n- {inert_line(text)}\n\n# After\n"
    tokens = MarkdownIt("commonmark").parse(doc)
    assert headings(tokens) == [("h1", "Before"), ("h1", "After")]
    kinds = {t.type for t in tokens} | {
        c.type for t in tokens if t.type == "inline" for c in t.children or []
    }
    # An indented code block inside a list item is literal text: allowed. Nothing else.
    assert not kinds & {"html_block", "html_inline", "fence", "link_open", "image"}
    assert not kinds & {"blockquote_open", "hr"}
