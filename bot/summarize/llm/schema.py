"""The JSON schemas the model answers in, and the checks its replies must pass.

The schemas follow OpenAI's strict Structured Outputs rules (every object has
``additionalProperties: false`` and lists every property in ``required``), so a server that
honours them cannot answer otherwise. Many OpenAI-compatible servers ignore the schema, so every
reply is still checked here; the problems found are worded for the model, because they are sent
back to it in the one repair attempt.
"""

from __future__ import annotations

import re
from typing import Any

from bot.report import FileSummary, Highlights, ReportSummary
from bot.summarize import MODIFICATION_TYPES

FILES_SCHEMA_NAME = "diffinsight_files"
REPORT_SCHEMA_NAME = "diffinsight_report"
CHANGE_SCHEMA_NAME = "diffinsight_change"

MAX_TITLE_CHARS = 150
MAX_TEXT_CHARS = 6000
MAX_ITEM_CHARS = 600
MAX_HIGHLIGHTS = 12
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _string() -> dict[str, Any]:
    return {"type": "string"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _file_properties() -> dict[str, Any]:
    return {
        "modification_type": {"type": "string", "enum": list(MODIFICATION_TYPES)},
        "modification_title": _string(),
        "explanation": _string(),
    }


def _report_properties() -> dict[str, Any]:
    strings = {"type": "array", "items": _string()}
    return {
        "summary": _string(),
        "highlights": _object(
            {"new_features": strings, "breaking_changes": strings, "other_updates": strings}
        ),
        "insights": _string(),
    }


def _entries(file_ids: list[str]) -> dict[str, Any]:
    item = _object({"file_id": {"type": "string", "enum": list(file_ids)}, **_file_properties()})
    return {"type": "array", "items": item}


def files_schema(file_ids: list[str]) -> dict[str, Any]:
    """One summary per file of a batch (the first round trip of a larger change).

    The file ids are an enum, so a server that honours the schema can only name files it was
    sent; one that ignores it is checked by :func:`check_files`.
    """
    return _object({"files": _entries(file_ids)})


def report_schema() -> dict[str, Any]:
    """The report-level fields (the synthesis call)."""
    return _object(_report_properties())


def change_schema(file_ids: list[str]) -> dict[str, Any]:
    """Every file's summary plus the report fields, for the one call of a small change."""
    return _object({"files": _entries(file_ids), **_report_properties()})


def clean_text(value: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Model text made plain: no control characters, trimmed, bounded in length.

    Renderers escape it for their medium (Slack mrkdwn, HTML, Markdown); this only removes what
    no medium should receive.
    """
    text = _CONTROL_RE.sub("", value).replace("\r\n", "\n").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _problems_file(data: Any, where: str) -> list[str]:
    if not isinstance(data, dict):
        return [f"{where} must be a JSON object"]
    problems = []
    for key in ("modification_type", "modification_title", "explanation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{where}: '{key}' is missing or not a non-empty string")
    kind = data.get("modification_type")
    if isinstance(kind, str) and kind.strip() and kind not in MODIFICATION_TYPES:
        allowed = ", ".join(MODIFICATION_TYPES)
        problems.append(f"{where}: modification_type '{kind}' is not one of: {allowed}")
    return problems


def check_report(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["the reply must be a JSON object"]
    problems = []
    for key in ("summary", "insights"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"'{key}' is missing or not a non-empty string")
    highlights = data.get("highlights")
    if not isinstance(highlights, dict):
        return [*problems, "'highlights' is missing or not an object"]
    for key in ("new_features", "breaking_changes", "other_updates"):
        items = highlights.get(key)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(f"'highlights.{key}' is missing or not a list of strings")
    return problems


def check_files(data: Any, file_ids: list[str]) -> list[str]:
    """Problems with the entries for ``file_ids``: each needs exactly one valid entry.

    Entries naming another file are not this check's concern (a batch's repair asks only about
    the files still missing), but entries without a usable ``file_id`` are reported.
    """
    if not isinstance(data, dict):
        return ["the reply must be a JSON object"]
    entries = data.get("files")
    if not isinstance(entries, list):
        return ["'files' is missing or not a list"]
    problems: list[str] = []
    for entry in entries:
        file_id = entry.get("file_id") if isinstance(entry, dict) else None
        if isinstance(file_id, str) and file_id.strip() and file_id not in file_ids:
            continue
        where = f"files entry {file_id!r}" if isinstance(entry, dict) else "a files entry"
        problems.extend(_problems_file(entry, where))
    seen = valid_file_entries(data, file_ids)
    missing = [i for i in file_ids if i not in seen]
    if missing:
        problems.append("'files' has no valid entry for: " + ", ".join(missing))
    return problems


def check_change(data: Any, file_ids: list[str]) -> list[str]:
    """Problems with a one-call reply: report fields, and exactly one valid entry per file."""
    problems = check_report(data)
    if not isinstance(data, dict):
        return problems
    return [*problems, *check_files(data, file_ids)]


def valid_file_entries(data: Any, file_ids: list[str]) -> dict[str, FileSummary]:
    """The usable per-file entries of a reply with a ``files`` list, by file id (first valid
    one wins)."""
    found: dict[str, FileSummary] = {}
    entries = data.get("files") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or _problems_file(entry, ""):
            continue
        file_id = entry.get("file_id")
        if file_id in file_ids and file_id not in found:
            found[file_id] = to_file_summary(entry)
    return found


def to_file_summary(data: dict[str, Any]) -> FileSummary:
    return FileSummary(
        modification_type=data["modification_type"],
        modification_title=clean_text(data["modification_title"], MAX_TITLE_CHARS).replace(
            "\n", " "
        ),
        explanation=clean_text(data["explanation"]),
    )


def _items(values: list[str]) -> list[str]:
    cleaned = (clean_text(v, MAX_ITEM_CHARS).replace("\n", " ") for v in values)
    return [v for v in cleaned if v][:MAX_HIGHLIGHTS]


def to_report_summary(data: dict[str, Any]) -> ReportSummary:
    summary = clean_text(data["summary"])
    if summary.lower().startswith("summary:"):
        summary = summary[len("summary:") :].lstrip()
    highlights = data["highlights"]
    return ReportSummary(
        summary=summary,
        highlights=Highlights(
            new_features=_items(highlights["new_features"]),
            breaking_changes=_items(highlights["breaking_changes"]),
            other_updates=_items(highlights["other_updates"]),
        ),
        insights=clean_text(data["insights"]),
    )
