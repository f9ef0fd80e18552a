"""The Markdown report, in the exact shape of the example Diff Insight Report."""

from __future__ import annotations

import json
import re

from bot import messages
from bot.report import FileReport, MergedItem, Report

_BACKTICKS_RE = re.compile(r"`+")


def _yaml_single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _yaml_plain(value: str) -> str:
    """A URL or range as a plain scalar when safe, quoted otherwise."""
    if value and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9:/._~%?&=+#@-]*", value) and ": " not in value:
        return value
    return _yaml_single(value)


def _front_matter(report: Report) -> str:
    summary_lines = ["Summary:", *(report.summary.splitlines() or [""])]
    summary = "\n".join(f"  {line}" if line else "" for line in summary_lines)
    return (
        "---\n"
        f"date: {_yaml_single(report.date)}\n"
        f"permalink: {_yaml_plain(report.permalink)}\n"
        f"summary: |-\n{summary}\n"
        f"title: {_yaml_single(report.title)}\n"
        "\n---\n"
    )


_HEADING_LINE_RE = re.compile(r"(?m)^(\s{0,3})(#{1,6})(?=\s|$)")


def _prose(text: str) -> str:
    """Free text (an LLM's explanation or insights) that cannot open a heading of its own: a
    line starting with ``#`` would otherwise cut the report's structure (say, a fake
    ``# Summary Table``); it is shown as written, its ``#`` escaped."""
    return _HEADING_LINE_RE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text.strip())


def _link_text(text: str) -> str:
    return _cell(text).replace("[", "\\[").replace("]", "\\]")


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) if items else "- None."


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in ``text`` (at least four)."""
    longest = max((len(m) for m in _BACKTICKS_RE.findall(text)), default=0)
    return "`" * max(4, longest + 1)


def _summary_table(files: list[FileReport]) -> str:
    rows = [
        "|  Filename  | Type |    Title    | Status | A  | D  | M  |",
        "|------------|------|-------------|--------|----|----|----|",
    ]
    for f in files:
        rows.append(
            f"| [{_link_text(f.basename)}](#{f.anchor}) | {_cell(f.modification_type)} | "
            f"{_cell(f.modification_title)} | {f.status} | {f.additions} | {f.deletions} | "
            f"{f.changes} | "
        )
    return "\n".join(rows)


def _file_section(f: FileReport) -> str:
    diff = f.patch if f.patch is not None else ""
    fence = fence_for(diff)
    summary_json = json.dumps(
        {"modification_type": f.modification_type, "modification_title": f.modification_title},
        indent=4,
        ensure_ascii=False,
    )
    body = diff.rstrip("\n")
    return (
        f"## {f.filename}{{#{f.anchor}}}\n\n"
        "<details>\n<summary>Diff</summary>\n"
        f"{fence}diff\n{body}\n{fence}\n</details>\n\n"
        f"### Summary\n\n```json\n{summary_json}\n```\n\n"
        f"### Explanation\n{_prose(f.explanation)}\n\n"
    )


def _view_line(permalink: str) -> str:
    """The link to the change on GitHub; a local range without a GitHub origin is named only."""
    if "://" in permalink:
        return f'\n[View Diff on GitHub]({permalink}){{target="_blank"}}\n\n'
    return f"\nRange: `{permalink}` (a local repository without a GitHub origin)\n\n"


def _merged_line(item: MergedItem) -> str:
    """``- [#12](url) Title (@author, 2026-11-24)`` or, for a local commit, ``- `abc1234` ...``."""
    title = _prose(" ".join(item.title.split())) or messages.DIGEST_UNTITLED
    when = item.date[:10]
    if item.number is not None:
        ref = f"[#{item.number}]({item.url})" if item.url else f"#{item.number}"
    else:
        ref = f"[`{item.sha[:7]}`]({item.url})" if item.url else f"`{item.sha[:7]}`"
    return f"- {ref} {title} ({_cell(item.author)}, {when})"


def _merged_section(report: Report) -> str:
    """``# Merged in this period``: what landed in the digest's window, oldest first."""
    lines = [_merged_line(m) for m in report.merged] or [f"- {messages.DIGEST_NOTHING_MERGED}"]
    return "# Merged in this period\n\n" + "\n".join(lines) + "\n\n"


def render_markdown(report: Report) -> str:
    parts = [
        _front_matter(report),
        _view_line(report.permalink),
        "# Highlights\n\n",
        f"## New features\n\n{_bullets(report.highlights.new_features)}\n\n",
        f"## Breaking changes\n\n{_bullets(report.highlights.breaking_changes)}\n\n",
        f"## Other updates\n\n{_bullets(report.highlights.other_updates)}\n\n",
        _merged_section(report) if report.is_digest else "",
        f"# Insights\n\n{_prose(report.insights)}\n\n",
        f"# Summary Table\n{_summary_table(report.files)}\n\n",
    ]
    if report.notes:
        parts.append("# Notes\n\n" + _bullets(report.notes) + "\n\n")
    parts.append("\n# Modified Contents\n")
    parts.extend(_file_section(f) for f in report.files)
    parts.append("\n")  # the example ends with one more blank line after the last section
    return "".join(parts)
