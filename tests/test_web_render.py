"""The HTML page: same content as the Markdown, every untrusted string escaped, fast."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from bot import messages
from bot.render.html import render_html, safe_url
from bot.render.html_diff import diff_rows
from tests.webdata import HOSTILE, PATCH, large_report, small_report


class _Collector(HTMLParser):
    """Records every start tag and attribute so tests reason about the DOM, not substrings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_untrusted_text_never_becomes_markup() -> None:
    page = render_html(small_report(), "rid")
    dom = _parse(page)
    tags = {tag for tag, _ in dom.tags}
    assert "script" not in tags
    assert "img" not in tags  # neither HOSTILE's <img> nor the Markdown image in an explanation
    assert not any(attrs.get("onerror") is not None for _, attrs in dom.tags)
    # The words survive as visible text, escaped in the source.
    text = "".join(dom.text)
    assert "<script>alert('x')</script>" in text
    assert "<!channel>" in text
    assert "&lt;script&gt;" in page and "&lt;!channel&gt;" in page
    assert "<b>not bold</b>" not in page


def test_script_links_are_not_rendered() -> None:
    page = render_html(small_report(), "rid")
    hrefs = [attrs.get("href") or "" for tag, attrs in _parse(page).tags if tag == "a"]
    assert hrefs, "the page has links"
    assert not any(h.lower().startswith(("javascript:", "data:", "vbscript:")) for h in hrefs)
    hostile_permalink = small_report(permalink="javascript:alert(document.cookie)")
    page = render_html(hostile_permalink, "rid")
    hrefs = [attrs.get("href") or "" for tag, attrs in _parse(page).tags if tag == "a"]
    assert not any("javascript" in h for h in hrefs)
    assert safe_url("https://github.com/o/r") == "https://github.com/o/r"
    assert safe_url("ftp://x/y") is None


def test_sections_and_facts_follow_the_example_report() -> None:
    report = small_report()
    page = render_html(report, "rid")
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings == [
        "Summary",
        "Highlights",
        "Insights",
        "Notes",
        "Summary Table",
        "Modified Contents",
    ]
    for fact in ("2025-06-12", "octo/repo", "1111111", "2222222", report.permalink):
        assert fact in page
    assert '<a href="rid.json">' in page and '<a href="rid.md">' in page
    assert "Renamed from docs/old-guide.md" in page
    assert escape(messages.WEB_NO_DIFF) in page  # the binary file
    assert '<pre><code class="language-json">{\n    &quot;modification_type&quot;' in page


def test_summary_table_links_to_each_file_section() -> None:
    report = small_report()
    dom = _parse(render_html(report, "rid"))
    ids = {attrs.get("id") for _, attrs in dom.tags}
    links = [attrs["href"] for tag, attrs in dom.tags if tag == "a" and attrs.get("title")]
    assert links == [f"#{f.anchor}" for f in report.files]
    for f in report.files:
        assert f.anchor in ids
        assert re.fullmatch(r"item-[0-9a-f]{6}", f.anchor)


def test_diff_lines_carry_old_and_new_numbers() -> None:
    rows = diff_rows(PATCH)
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in rows]
    kinds = [re.match(r'<tr class="(\w+)"', row).group(1) for row in rows]  # type: ignore[union-attr]
    assert kinds == ["hunk", "ctx", "del", "add", "add", "ctx", "hunk", "ctx", "del", "add", "meta"]
    assert cells[1][:2] == ["3", "3"]
    assert cells[2][:2] == ["4", ""]
    assert cells[3][:2] == ["", "4"]
    assert cells[4][:2] == ["", "5"]
    assert cells[5][:2] == ["5", "6"]
    assert cells[7][:2] == ["20", "21"]
    assert cells[8][:2] == ["21", ""]
    assert cells[9][:2] == ["", "22"]
    assert cells[3][2] == "+added line four &lt;b&gt;not bold&lt;/b&gt;"


def test_diff_without_hunk_header_is_shown_not_dropped() -> None:
    rows = diff_rows("diff --git a/x b/x\nBinary files differ\n")
    assert len(rows) == 2 and all('class="meta"' in r for r in rows)
    only = diff_rows("@@ -0,0 +1 @@\n+only line\n")
    assert only == [
        '<tr class="hunk"><td></td><td></td><td>@@ -0,0 +1 @@</td></tr>',
        '<tr class="add"><td></td><td>1</td><td>+only line</td></tr>',
    ]


def test_every_diff_is_collapsed_and_truncation_is_said() -> None:
    report = small_report()
    report.files[0].truncated = True
    page = render_html(report, "rid")
    assert page.count("<details") == 2  # binary file has no diff block
    assert "<details open" not in page
    assert escape(messages.WEB_DIFF_TRUNCATED) in page


def test_hostile_report_id_is_escaped() -> None:
    page = render_html(small_report(), '"><script>x</script>')
    assert "<script>x" not in page


def test_three_hundred_files_render_each_once_with_its_own_anchor() -> None:
    """How fast is benchmarks/bench_web.py's question; this pins what the page holds."""
    report = large_report(300)
    page = render_html(report, "rid")
    assert page.count('<section class="file"') == 300
    assert len(set(re.findall(r'id="(item-[0-9a-f]{6})"', page))) == 300
    assert HOSTILE not in page


def test_every_word_of_the_page_comes_from_messages(monkeypatch) -> None:  # noqa: ANN001
    """Swap each web word for a marker: the page shows the marker, so none is hard-coded."""
    names = [
        n for n in dir(messages) if n.startswith("WEB_") and isinstance(getattr(messages, n), str)
    ]
    for name in names:
        monkeypatch.setattr(messages, name, f"@{name}@ {{files}}")
    monkeypatch.setattr(messages, "WEB_TABLE_HEADS", tuple(f"@H{i}@" for i in range(7)))
    report = small_report()
    report.highlights.breaking_changes.clear()  # "None." is shown for an empty list
    page = render_html(report, "rid")
    text = " ".join(_parse(page).text)
    for word in (
        "Date",
        "Repository",
        "Range",
        "Changes",
        "Permalink",
        "Highlights",
        "Breaking changes",
        "Summary Table",
        "Modified Contents",
        "Explanation",
        "None.",
    ):
        assert word not in text, word
    for name in (
        "WEB_DATE",
        "WEB_HIGHLIGHTS",
        "WEB_NONE",
        "WEB_SUMMARY_TABLE",
        "WEB_EXPLANATION",
        "WEB_DIFF",
        "WEB_MODIFIED_CONTENTS",
        "WEB_FILE_SUMMARY",
    ):
        assert f"@{name}@" in text, name
    assert all(f"@H{i}@" in text for i in range(7))


def test_one_file_is_said_in_the_singular() -> None:
    report = small_report()
    del report.files[1:]
    page = render_html(report, "rid")
    assert "1 file," in page and "1 files" not in page


def test_links_and_headings_from_the_repository_or_model_are_text() -> None:
    """Issue 11 #14: a model's "re-authenticate here" heading linked wherever it liked."""
    from dataclasses import replace

    lure = (
        "# [re-authenticate here](https://evil.example/login)\n\n"
        "See <https://evil.example/auto> and [docs][1].\n\n[1]: https://evil.example/ref\n\n"
        "Setext lure\n==="
    )
    report = small_report()
    report = replace(
        report,
        insights=lure,
        highlights=replace(report.highlights, other_updates=[lure.splitlines()[0]]),
        files=[replace(f, explanation=lure) for f in report.files],
    )
    page = render_html(report, "rid")
    dom = _parse(page)
    hrefs = [attrs.get("href") or "" for tag, attrs in dom.tags if tag == "a"]
    assert not [h for h in hrefs if "evil.example" in h], hrefs

    def headings(d: _Collector) -> list[str]:
        return [tag for tag, _ in d.tags if re.fullmatch(r"h[1-6]", tag)]

    own = _parse(render_html(small_report(), "rid"))
    assert headings(dom) == headings(own)  # only the page's own sections
    text = "".join(dom.text)
    assert "[re-authenticate here](https://evil.example/login)" in text
