"""Reports for the Slack rendering and posting tests: hostile text in every field a user sees.

``EVIL`` holds the Slack control sequences repository and model text can carry (mentions,
channel pings, links with labels); every rendered message must show them inert.
"""

from __future__ import annotations

from bot.diff import RefInfo
from bot.report import FileReport, Highlights, Report

EVIL = "<!channel> <!here> <@U123> <http://evil|docs> & <#C999>"


def make_report(files: int = 3, words: int = 20, **over) -> Report:
    reports = [
        FileReport(
            filename=f"docs/dir/file{i}.md",
            status="modified",
            modification_type="minor update",
            modification_title=f"Title {i} {EVIL}",
            additions=i + 1,
            deletions=i,
            explanation=" ".join(["word"] * words) + f" {EVIL} *bold text* `code span`",
        )
        for i in range(files)
    ]
    fields = dict(
        title="[en_US] Diff Insight Report - docs",
        date="2025-06-12",
        permalink="https://github.com/o/r/compare/main...dev",
        summary=f"The summary. {EVIL}",
        language="en_US",
        repository="o/r",
        base=RefInfo("main", "a" * 40),
        head=RefInfo("dev", "b" * 40),
        highlights=Highlights([f"feature {EVIL}"], [], ["other"]),
        insights=f"Insight text. {EVIL}",
        files=reports,
        notes=["The LLM was unavailable; this report was written by the heuristic summarizer."],
        web_url="https://github.com/o/r",
    )
    fields.update(over)
    return Report(**fields)
