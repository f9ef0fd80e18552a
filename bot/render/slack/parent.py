"""The report's message in the channel: header, who or what asked, summary, highlights, buttons.

Also the one-line placeholder, progress and failure messages that stand in its place while it
is built. Every piece of repository or summarizer text goes through :func:`escape_mrkdwn`, so
nothing a diff contains can mention, ping or disguise a link; sizes follow Slack's limits
(tests/data/LIMITS.md, and the primitives in :mod:`bot.render.slack.mrkdwn`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from bot import messages
from bot.render.slack.mrkdwn import (
    SlackMessage,
    context_block,
    escape_mrkdwn,
    first_piece,
    link_to,
    mrkdwn_from_markdown,
    plural,
    section_block,
    truncate_plain,
)
from bot.report import FileReport, Report

HEADER_LIMIT = 150
ITEM_LIMIT = 700
"""One highlight in the parent message; longer ones end with an ellipsis."""
SUMMARY_LIMIT = 2000
"""The summary in the parent; a longer one ends with an ellipsis and opens the thread in full."""
LIST_BUDGET = 2000
NOTES_LIMIT = 1000
# Header 150 + context (~1,000 at worst) + summary + three lists (each a budget plus one item
# and the "more" line) + notes stays under BLOCK_TEXT_BUDGET, whatever the report holds.
REGENERATE_ACTION = "diffinsight_regenerate"
FULL_REPORT_ACTION = "diffinsight_full_report"
_USER_RE = re.compile(r"[UW][A-Z0-9]{2,20}")
_SHA_RE = re.compile(r"[0-9a-f]{7,64}")


def _short(sha: str) -> str:
    return sha[:7] if _SHA_RE.fullmatch(sha) else sha


def file_diff_url(report: Report, f: FileReport) -> str | None:
    """The file's diff on GitHub: its anchor in the compare, pull request or commit page.

    Only commit SHAs go into a compare URL we build, never other text from the report.
    """
    anchor = "diff-" + hashlib.sha256(f.filename.encode("utf-8")).hexdigest()
    link = report.permalink
    if "/pull/" in link:
        return f"{link.split('#')[0].rstrip('/')}/files#{anchor}"
    if "/commit/" in link:
        return f"{link.split('#')[0]}#{anchor}"
    if report.web_url and _SHA_RE.fullmatch(report.base.sha) and _SHA_RE.fullmatch(report.head.sha):
        return f"{report.web_url}/compare/{report.base.sha}...{report.head.sha}#{anchor}"
    return None


def _range(report: Report) -> str:
    return escape_mrkdwn(f"{_short(report.base.sha)}...{_short(report.head.sha)}")


def _requester(user: str | None) -> str:
    return f"<@{user}>" if user and _USER_RE.fullmatch(user) else ""


def _context_line(report: Report, requester: str | None, trigger: str | None) -> str:
    totals = report.totals
    count = plural(totals.files, messages.SLACK_FILE_COUNT_ONE, messages.SLACK_FILE_COUNT)
    parts = [
        f"*{escape_mrkdwn(report.repository)}*",
        link_to(report.permalink if "://" in report.permalink else None, _range(report)),
        count.format(files=totals.files),
        f"+{totals.additions} −{totals.deletions}",
    ]
    # A webhook report was asked for by no one: say what started it, not the subscriber.
    who = None if trigger else _requester(requester)
    if trigger:
        parts.append(escape_mrkdwn(trigger))
    elif who:
        parts.append(messages.SLACK_ASKED_BY.format(user=who))
    return " · ".join(parts)


def _bullets(items: list[str], budget: int) -> str:
    """Bullet lines within ``budget`` characters; items left out are counted, not lost silently."""
    items = [item for item in items if item.strip()]  # an empty bullet says nothing
    if not items:
        return messages.SLACK_NONE
    lines: list[str] = []
    used = 0
    for i, item in enumerate(items):
        line = "• " + first_piece(mrkdwn_from_markdown(" ".join(item.split())), ITEM_LIMIT)
        if used + len(line) > budget and lines:
            lines.append(messages.SLACK_MORE_IN_THREAD.format(n=len(items) - i))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _buttons(report_url: str | None, regenerate_value: str | None) -> dict[str, Any] | None:
    elements: list[dict[str, Any]] = []
    if regenerate_value is not None:
        elements.append(
            {
                "type": "button",
                "action_id": REGENERATE_ACTION,
                "text": {"type": "plain_text", "text": messages.SLACK_REGENERATE_BUTTON},
                "value": regenerate_value[:2000],
            }
        )
    if report_url:
        elements.append(
            {
                "type": "button",
                "action_id": FULL_REPORT_ACTION,
                "text": {"type": "plain_text", "text": messages.SLACK_FULL_REPORT_BUTTON},
                "url": report_url[:3000],
            }
        )
    return {"type": "actions", "elements": elements} if elements else None


def parent_message(
    report: Report,
    *,
    requester: str | None = None,
    trigger: str | None = None,
    report_url: str | None = None,
    regenerate_value: str | None = None,
) -> SlackMessage:
    """The channel message: title, context, summary, the three highlight lists, buttons.

    A pull request or commit is headed by its own title (what people know it by), with the
    report's title beside the context line. ``trigger`` (a merge, a push) replaces "asked by"
    for reports nobody asked for.
    """
    # A blank header is refused (and the whole message with it): fall back to something said.
    named = [" ".join(t.split()) for t in (report.subject or "", report.title)]
    title = truncate_plain(next((t for t in named if t), messages.SLACK_UNTITLED), HEADER_LIMIT)
    context = _context_line(report, requester, trigger)
    if report.subject:
        context = f"{escape_mrkdwn(truncate_plain(report.title, HEADER_LIMIT))} · {context}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        context_block(context),
    ]
    blocks.append(section_block(parent_summary(report)))
    lists = (
        (messages.SLACK_NEW_FEATURES, report.highlights.new_features),
        (messages.SLACK_BREAKING_CHANGES, report.highlights.breaking_changes),
        (messages.SLACK_OTHER_UPDATES, report.highlights.other_updates),
    )
    for label, items in lists:
        blocks.append(section_block(f"*{label}*\n{_bullets(items, LIST_BUDGET)}"))
    notes = " ".join(mrkdwn_from_markdown(" ".join(n.split())) for n in report.notes if n.strip())
    if notes:  # Slack refuses an empty text object, and with it the whole message
        blocks.append(context_block(first_piece(notes, NOTES_LIMIT)))
    actions = _buttons(report_url, regenerate_value)
    if actions:
        blocks.append(actions)
    # The fallback is parsed for mentions too (it drives notifications): escaped as well.
    where = f"{escape_mrkdwn(report.repository)} {_range(report)}"
    fallback = f"{escape_mrkdwn(title)}\n{where}\n{escape_mrkdwn(report.summary)}"
    return SlackMessage(text=truncate_plain(fallback, 3000), blocks=blocks)


def summary_text(report: Report) -> str:
    return mrkdwn_from_markdown(report.summary.strip())


def summary_is_cut(report: Report) -> bool:
    """Too long for the parent: the thread then opens with the whole summary."""
    summary = summary_text(report)
    return first_piece(summary, SUMMARY_LIMIT) != summary


def parent_summary(report: Report) -> str:
    """The summary for the parent; a cut one ends saying it continues in the thread."""
    summary = summary_text(report) or messages.SLACK_NONE
    if not summary_is_cut(report):
        return summary
    note = messages.SLACK_SUMMARY_CONTINUES
    return f"{first_piece(summary, SUMMARY_LIMIT - len(note) - 1)}\n{note}"


def _where(repository: str, range_text: str) -> str:
    if repository:
        return f"*{escape_mrkdwn(repository)}* {escape_mrkdwn(range_text)}".rstrip()
    return messages.SLACK_THIS_CHANGE  # a retried job's new poster has not seen the text


def _line(line: str) -> SlackMessage:
    plain = re.sub(r":[a-z_]+:\s*|\*", "", line).strip()  # no emoji codes or bold marks
    return SlackMessage(text=plain, blocks=[section_block(line)])


def failed_message(repository: str, range_text: str) -> SlackMessage:
    """What the "building" parent becomes when the report cannot be built: never left spinning."""
    return _line(messages.SLACK_BUILD_FAILED.format(where=_where(repository, range_text)))


def progress_message(repository: str, range_text: str, done: int, total: int) -> SlackMessage:
    """The "building" parent, posted early and updated with files done of files total."""
    where = _where(repository, range_text)
    if total > 0:
        template = plural(total, messages.SLACK_PROGRESS_ONE, messages.SLACK_PROGRESS)
        line = template.format(where=where, done=done, total=total)
    else:
        line = messages.SLACK_PLACEHOLDER.format(where=where)
    return _line(line)


def regenerate_value(source: str, paths: tuple[str, ...], lang: str | None) -> str:
    """What the Regenerate button carries: the request as plain values, nothing secret."""
    return json.dumps({"source": source, "paths": list(paths), "lang": lang}, separators=(",", ":"))
