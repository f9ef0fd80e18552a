"""The report as one self-contained HTML page, laid out like the example Markdown report.

Repository and LLM text is untrusted: prose goes through markdown-it with raw HTML off (it
escapes ``<``/``&``), images off (no external fetches), links and autolinks off (a label
written by a model or a repository, "re-authenticate here", could disguise where it points:
they show as the text they are, as in Slack) and headings off (prose cannot pose as the page's
own sections); every other string goes through :func:`html.escape`. The page has no scripts
and no external assets, so the web route can serve it under a Content-Security-Policy that
forbids both.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from bot import messages
from bot.render.html_diff import diff_table
from bot.render.page_css import PAGE_CSS
from bot.report import FileReport, Report


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; no raw HTML, images, links or headings."""
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.disable(["image", "link", "autolink", "heading", "lheading", "reference"])
    return md


def prose(text: str) -> str:
    """Block Markdown (explanations, insights) as safe HTML."""
    return _markdown().render(text.strip()) if text.strip() else ""


def inline(text: str) -> str:
    """One line of Markdown (a highlight, a note) as safe inline HTML."""
    return _markdown().renderInline(text.strip())


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def safe_url(url: str) -> str | None:
    """The URL when it is http(s), else ``None``: a permalink is data and must not be a script."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def _external(url: str, label: str) -> str:
    href = safe_url(url)
    if href is None:
        return _e(label)
    return f'<a href="{_e(href)}" rel="nofollow noopener noreferrer">{_e(label)}</a>'


def _ref(ref: str, sha: str) -> str:
    short = sha[:7]
    if not ref or ref == sha or ref.startswith(short):
        return f"<code>{_e(short or ref)}</code>"
    return f'<code>{_e(ref)}</code> <span class="sha">({_e(short)})</span>'


def _facts(report: Report, report_id: str) -> str:
    totals = report.totals
    rows = [
        (messages.WEB_DATE, _e(report.date)),
        (messages.WEB_REPOSITORY, _e(report.repository)),
        (messages.WEB_RANGE, f"{_ref(report.base.ref, report.base.sha)} &hellip; "
                             f"{_ref(report.head.ref, report.head.sha)}"),
        (messages.WEB_CHANGES, f'{_e(_file_count(totals.files))}, '
                               f'<span class="a">+{totals.additions}</span> '
                               f'<span class="d">&minus;{totals.deletions}</span>'),
        (messages.WEB_PERMALINK, _external(report.permalink, report.permalink)),
    ]  # fmt: skip
    if report.area:
        rows.insert(2, (messages.WEB_AREA, _e(report.area)))
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    rid = _e(report_id)
    on_github = (
        _external(report.permalink, messages.WEB_VIEW_ON_GITHUB)
        if safe_url(report.permalink)
        else ""
    )
    other = (
        f'<p class="other">{on_github}'
        f'<a href="{rid}.md">{_e(messages.WEB_AS_MARKDOWN)}</a>'
        f'<a href="{rid}.json">{_e(messages.WEB_AS_JSON)}</a></p>'
    )
    return f'<dl class="facts">{body}</dl>{other}'


def _file_count(n: int) -> str:
    return (messages.WEB_FILE_COUNT_ONE if n == 1 else messages.WEB_FILE_COUNT).format(files=n)


def _h(level: int, text: str) -> str:
    return f"<h{level}>{_e(text)}</h{level}>"


def _bullets(items: list[str]) -> str:
    if not items:
        return f"<ul><li>{_e(messages.WEB_NONE)}</li></ul>"
    return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"


def _highlights(report: Report) -> str:
    h = report.highlights
    return (
        f'<section id="highlights">{_h(2, messages.WEB_HIGHLIGHTS)}'
        f"{_h(3, messages.WEB_NEW_FEATURES)}{_bullets(h.new_features)}"
        f"{_h(3, messages.WEB_BREAKING_CHANGES)}{_bullets(h.breaking_changes)}"
        f"{_h(3, messages.WEB_OTHER_UPDATES)}{_bullets(h.other_updates)}</section>"
    )


def _merged(report: Report) -> str:
    """A digest's ``Merged in this period``, oldest first, each linked where it has a link."""
    rows = []
    for m in report.merged:
        label = f"#{m.number}" if m.number is not None else m.sha[:7]
        url = safe_url(m.url) if m.url else None
        ref = _external(url, label) if url else f"<code>{_e(label)}</code>"
        title = _e(" ".join(m.title.split()) or messages.DIGEST_UNTITLED)
        rows.append(f"<li>{ref} {title} ({_e(m.author)}, {_e(m.date[:10])})</li>")
    items = "".join(rows) or f"<li>{_e(messages.DIGEST_NOTHING_MERGED)}</li>"
    return f'<section id="merged">{_h(2, messages.WEB_MERGED)}<ul>{items}</ul></section>'


def _summary_table(files: list[FileReport]) -> str:
    wide = (False, True, False, False, False, False, True)  # hidden on narrow screens
    cells = (
        f'<th scope="col"{" class=wide" if w else ""}>{_e(label)}</th>'
        for label, w in zip(messages.WEB_TABLE_HEADS, wide, strict=True)
    )
    head = f"<tr>{''.join(cells)}</tr>"
    rows = [
        f'<tr><td class="name"><a href="#{f.anchor}" title="{_e(f.filename)}">'
        f'{_e(f.basename)}</a></td><td class="wide">{_e(f.modification_type)}</td>'
        f"<td>{_e(f.modification_title)}</td><td>{_e(f.status)}</td>"
        f'<td class="num">{f.additions}</td><td class="num">{f.deletions}</td>'
        f'<td class="num wide">{f.changes}</td></tr>'
        for f in files
    ]
    return (
        f'<section id="summary-table">{_h(2, messages.WEB_SUMMARY_TABLE)}<div class="tablewrap">'
        f'<table class="summary"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
        "</table></div></section>"
    )


def _diff_block(f: FileReport) -> str:
    if not f.patch:
        return f'<p class="note">{_e(messages.WEB_NO_DIFF)}</p>'
    note = f'<p class="note">{_e(messages.WEB_DIFF_TRUNCATED)}</p>' if f.truncated else ""
    return (
        f'<details class="diffbox"><summary>{_e(messages.WEB_DIFF)} <span class="counts">'
        f'<span class="a">'
        f'+{f.additions}</span> <span class="d">&minus;{f.deletions}</span></span></summary>'
        f"{note}{diff_table(f.patch)}</details>"
    )


def _file_section(f: FileReport) -> str:
    summary_json = json.dumps(
        {"modification_type": f.modification_type, "modification_title": f.modification_title},
        indent=4,
        ensure_ascii=False,
    )
    renamed = ""
    if f.previous_filename and f.previous_filename != f.filename:
        renamed = (
            f'<p class="renamed">{_e(messages.WEB_RENAMED_FROM)} {_e(f.previous_filename)}</p>'
        )
    return (
        f'<section class="file" id="{f.anchor}"><h3>{_e(f.filename)}</h3>{renamed}'
        f"{_diff_block(f)}{_h(4, messages.WEB_FILE_SUMMARY)}"
        f'<pre><code class="language-json">{_e(summary_json)}</code></pre>'
        f"{_h(4, messages.WEB_EXPLANATION)}{prose(f.explanation)}</section>"
    )


def render_html(report: Report, report_id: str) -> str:
    """The whole page. ``report_id`` makes the ``.md``/``.json`` twin links relative to it."""
    lang = _e((report.language or "en").replace("_", "-"))
    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(report.title)} &middot; {_e(report.repository)}</title>"
        f"<style>{PAGE_CSS}</style></head><body><main>",
        f"<header><h1>{_e(report.title)}</h1>{_facts(report, report_id)}</header>",
        f'<section id="summary">{_h(2, messages.WEB_SUMMARY)}{prose(report.summary)}</section>',
        _highlights(report),
        _merged(report) if report.is_digest else "",
        f'<section id="insights">{_h(2, messages.WEB_INSIGHTS)}{prose(report.insights)}</section>',
    ]
    if report.notes:
        notes = f"{_h(2, messages.WEB_NOTES)}{_bullets(report.notes)}"
        parts.append(f'<section id="notes">{notes}</section>')
    parts.append(_summary_table(report.files))
    parts.append(f'<section id="modified-contents">{_h(2, messages.WEB_MODIFIED_CONTENTS)}')
    parts.extend(_file_section(f) for f in report.files)
    parts.append(f"</section><footer>{_e(messages.WEB_FOOTER)}</footer></main></body></html>")
    return "".join(parts)


def render_message_page(title: str, message: str, status_line: str = "") -> str:
    """A small page in the report's style for 404/410/503 answers."""
    extra = f"<p>{_e(status_line)}</p>" if status_line else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{_e(title)}</title><style>{PAGE_CSS}</style></head><body><main>"
        f"<h1>{_e(title)}</h1><p>{_e(message)}</p>{extra}</main></body></html>"
    )
