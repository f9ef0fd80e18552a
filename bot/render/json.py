"""The JSON report, with the keys the README's "JSON report" section lists."""

from __future__ import annotations

import json

from bot.report import Report

CONTRACT_KEYS = (
    "title", "date", "permalink", "summary", "language", "repository", "base", "head",
    "highlights", "insights", "totals", "files", "notes",
)  # fmt: skip


DIGEST_KEYS = ("period", "merged")
"""A digest's JSON adds these to the report's keys (CONTRACT.md)."""


def report_json(report: Report) -> dict:
    data = report.to_dict()
    keys = CONTRACT_KEYS + DIGEST_KEYS if report.is_digest else CONTRACT_KEYS
    return {key: data[key] for key in keys}


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
