"""A pasted link's preview: title, range, counts, the top highlights and a "Full report" button."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.render.slack.mrkdwn import (
    escape_mrkdwn,
    first_piece,
    mrkdwn,
    mrkdwn_from_markdown,
    plural,
    truncate_plain,
)
from bot.render.slack.parent import FULL_REPORT_ACTION
from bot.report import Report

MAX_HIGHLIGHTS = 3
HIGHLIGHT_CHARS = 200
REF_CHARS = 60
"""A branch name in the range line; longer ones (up to 255 on GitHub) end with an ellipsis."""
SECTION_LIMIT = 3000


def _ref(ref: str, sha: str) -> str:
    short = sha[:7]
    if not ref or ref == sha or ref.startswith(short):
        return escape_mrkdwn(truncate_plain(short or ref, REF_CHARS))
    return f"{escape_mrkdwn(truncate_plain(ref, REF_CHARS))} ({escape_mrkdwn(short)})"


def _top_highlights(report: Report) -> list[str]:
    """Up to three, one from each kind first (new, breaking, other), then the rest in order."""
    h = report.highlights
    kinds = [
        (messages.UNFURL_NEW, h.new_features),
        (messages.UNFURL_BREAKING, h.breaking_changes),
        (messages.UNFURL_OTHER, h.other_updates),
    ]
    picked = [(label, items[0]) for label, items in kinds if items]
    picked += [(label, item) for label, items in kinds for item in items[1:]]
    # Clipped before escaping (to keep words whole) and again after, since escaping can make
    # a line of ``<`` five times longer: the three lines always fit one section.
    limit = SECTION_LIMIT // MAX_HIGHLIGHTS - 20
    lines = []
    for label, item in picked[:MAX_HIGHLIGHTS]:
        text = mrkdwn_from_markdown(truncate_plain(item, HIGHLIGHT_CHARS))
        lines.append(f"• *{label}* {first_piece(text, limit)}")
    return lines


def unfurl_for(report: Report, page_url: str | None) -> dict[str, Any]:
    """One link's preview: title, range, counts, top highlights and a "Full report" button."""
    totals = report.totals
    title = escape_mrkdwn(truncate_plain(report.title, 150))
    template = plural(totals.files, messages.UNFURL_FACTS_ONE, messages.UNFURL_FACTS)
    facts = template.format(
        repository=escape_mrkdwn(report.repository),
        range=f"{_ref(report.base.ref, report.base.sha)}…{_ref(report.head.ref, report.head.sha)}",
        files=totals.files,
        additions=totals.additions,
        deletions=totals.deletions,
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(first_piece(f"*{title}*\n{facts}", SECTION_LIMIT))}
    ]
    lines = _top_highlights(report)
    if lines:
        blocks.append({"type": "section", "text": mrkdwn("\n".join(lines))})
    if page_url:
        button = {
            "type": "button",
            "action_id": FULL_REPORT_ACTION,
            "text": {"type": "plain_text", "text": messages.UNFURL_FULL_REPORT},
            "url": page_url,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return {"blocks": blocks}
