"""The JSON report, with the keys the README's "JSON report" section lists."""

from __future__ import annotations

import json

from bot.report import Report

CONTRACT_KEYS = (
    "title", "date", "permalink", "summary", "language", "repository", "base", "head",
    "highlights", "insights", "totals", "files", "notes",
)  # fmt: skip


def report_json(report: Report) -> dict:
    data = report.to_dict()
    return {key: data[key] for key in CONTRACT_KEYS}


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
