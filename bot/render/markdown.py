"""The Markdown report, in the exact shape of the example Diff Insight Report."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from bot import messages
from bot.render.inert import inert_line, inert_name, inert_prose
from bot.report import FileReport, MergedItem, Report

_BACKTICKS_RE = re.compile(r"`+")


class _FrontMatterDumper(yaml.SafeDumper):
    """Safe YAML whose multi-line strings are literal blocks (``|-``), as in the example."""


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FrontMatterDumper.add_representer(str, _str)


def _front_matter(report: Report) -> str:
    """YAML written by a YAML library: any folder name or model text stays one valid value
    (a newline, ``---`` or a control character is quoted or escaped, never structure)."""
    fields = {
        "date": report.date,
        "permalink": report.permalink,
        "summary": "\n".join(["Summary:", *(report.summary.splitlines() or [""])]),
        "title": report.title,
    }
    text = yaml.dump(
        fields, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=1 << 30
    )
    return f"---\n{text}\n---\n"


def _prose(text: str) -> str:
    """Free text from a model or a repository, shown as written (see bot.render.inert)."""
    return inert_prose(text)


def _link_text(text: str) -> str:
    return inert_name(text)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {inert_line(item)}" for item in items) if items else "- None."


def _cell(text: str) -> str:
    return inert_line(text).replace("|", "\\|")


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
        f"## {inert_name(f.filename)}{{#{f.anchor}}}\n\n"
        # The blank line ends the HTML block: without it the diff's first blank line would
        # end it instead, and the rest of the diff would be read as Markdown.
        "<details>\n<summary>Diff</summary>\n\n"
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
