"""Block Kit for a report's thread: insights, the summary table, one section per file.

Beside :mod:`bot.render.slack.parent` (the channel message) and sized by the same limits: each
message under 50 blocks and the block-text budget, each section under 3,000 characters.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.render.slack.mrkdwn import (
    BLOCK_TEXT_BUDGET,
    MAX_BLOCKS,
    SlackMessage,
    block_size,
    context_block,
    escape_mrkdwn,
    link_to,
    mrkdwn_from_markdown,
    plural,
    section_blocks,
    truncate_plain,
)
from bot.render.slack.parent import file_diff_url, summary_is_cut, summary_text
from bot.report import FileReport, MergedItem, Report

MAX_FILE_SECTIONS = 300
"""Beyond this many files the thread points at the uploaded Markdown instead of posting more."""
MAX_MERGED_LINES = 200
"""A digest's merged list in the thread; the rest is in the uploaded Markdown."""


def _merged_line(item: MergedItem) -> str:
    title = escape_mrkdwn(truncate_plain(" ".join(item.title.split()), 200))
    if item.number is not None:
        ref = link_to(item.url, f"#{item.number}")
    else:
        ref = link_to(item.url, f"`{item.sha[:7]}`")
    who = escape_mrkdwn(item.author)
    return f"• {ref} {title or messages.DIGEST_UNTITLED} · {who} · {item.date[:10]}"


def _merged_lines(report: Report) -> list[str]:
    """A digest's ``Merged in this period``, oldest first, as in the Markdown file."""
    lines = [f"*{messages.SLACK_MERGED_HEAD}*"]
    lines += [_merged_line(m) for m in report.merged[:MAX_MERGED_LINES]]
    if not report.merged:
        lines.append(messages.DIGEST_NOTHING_MERGED)
    hidden = len(report.merged) - MAX_MERGED_LINES
    if hidden > 0:
        lines.append(messages.SLACK_MERGED_MORE.format(n=hidden))
    return lines


def _table_lines(report: Report) -> list[str]:
    lines = [f"*{messages.SLACK_SUMMARY_TABLE}*"]
    for f in report.files[:MAX_FILE_SECTIONS]:
        name = link_to(file_diff_url(report, f), f"`{escape_mrkdwn(f.filename)}`")
        lines.append(
            f"• {name} · _{escape_mrkdwn(f.modification_type)}_ · "
            f"{escape_mrkdwn(' '.join(f.modification_title.split()))} · {f.status} · "
            f"+{f.additions} −{f.deletions}"
        )
    return lines


def _file_text(report: Report, f: FileReport) -> str:
    name = link_to(file_diff_url(report, f), f"`{escape_mrkdwn(f.filename)}`")
    head = f"*{escape_mrkdwn(' '.join(f.modification_title.split()))}*\n{name}"
    if f.previous_filename:
        renamed = messages.SLACK_RENAMED_FROM.format(name=escape_mrkdwn(f.previous_filename))
        head += f" ({renamed})"
    facts = f"_{escape_mrkdwn(f.modification_type)}_ · {f.status} · +{f.additions} −{f.deletions}"
    return f"{head}\n{facts}\n{mrkdwn_from_markdown(f.explanation.strip())}"


def _pack(blocks: list[dict[str, Any]], label: str) -> list[SlackMessage]:
    """Group blocks into messages under 50 blocks and the block-text budget."""
    out: list[SlackMessage] = []
    current: list[dict[str, Any]] = []
    size = 0
    for block in blocks:
        bsize = block_size(block)
        if current and (len(current) >= MAX_BLOCKS or size + bsize > BLOCK_TEXT_BUDGET):
            out.append(SlackMessage(text="", blocks=current))
            current, size = [], 0
        current.append(block)
        size += bsize
    if current:
        out.append(SlackMessage(text="", blocks=current))
    for i, msg in enumerate(out, 1):
        msg.text = messages.SLACK_THREAD_FALLBACK.format(label=label, n=i, total=len(out))
    return out


def thread_messages(report: Report) -> list[SlackMessage]:
    """The thread: (a digest's merged list,) insights, the summary table, one section per file.

    Beyond MAX_FILE_SECTIONS files a closing line says how many more the uploaded file holds.
    """
    insights = mrkdwn_from_markdown(report.insights.strip()) or messages.SLACK_NONE
    # A summary cut short in the parent opens the thread in full, so nothing is only in the file.
    blocks = section_blocks(summary_text(report)) if summary_is_cut(report) else []
    if report.is_digest:
        blocks += section_blocks("\n".join(_merged_lines(report)))
        blocks.append({"type": "divider"})
    blocks += section_blocks(f"*{messages.SLACK_INSIGHTS}*\n{insights}")
    blocks.append({"type": "divider"})
    blocks.extend(section_blocks("\n".join(_table_lines(report))))
    blocks.append({"type": "divider"})
    for f in report.files[:MAX_FILE_SECTIONS]:
        blocks.extend(section_blocks(_file_text(report, f)))
    hidden = len(report.files) - MAX_FILE_SECTIONS
    if hidden > 0:
        more = plural(hidden, messages.SLACK_MORE_FILES_ONE, messages.SLACK_MORE_FILES)
        blocks.append(context_block(more.format(n=hidden)))
    return _pack(blocks, escape_mrkdwn(truncate_plain(report.title, 200)))
