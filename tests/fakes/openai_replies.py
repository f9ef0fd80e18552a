"""What FakeOpenAI checks in a chat-completions request and how it computes its answer.

Requests are validated as the real API does (model, messages, ``response_format`` with the strict
Structured Outputs rules: ``additionalProperties: false`` and every property required, a schema
name of at most 64 characters from ``[a-zA-Z0-9_-]``), and replies are computed from the request:
the schema name says what is asked, the data blocks of the prompt say which files exist, and the
system prompt's locale picks the language, so a test sees answers that fit what it sent.
"""

from __future__ import annotations

import json
import re
from typing import Any

SCHEMA_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
FILE_BLOCK_RE = re.compile(
    r"<<<DATA \w+ FILE (F\d+) path=(\"(?:[^\"\\]|\\.)*\")(?: previous_path=\"(?:[^\"\\]|\\.)*\")?"
    r" status=(\w+) additions=(\d+) deletions=(\d+)>>>"
)
SUMMARIZED_RE = re.compile(r"^\[(F\d+)\] (.+?) \((\w+), \+(\d+) -(\d+)\)", re.MULTILINE)
LOCALE_RE = re.compile(r"\(locale ([A-Za-z_-]+)\)")
ROLES = {"system", "developer", "user", "assistant", "tool"}


class RequestError(Exception):
    """A request the real API answers with HTTP 400 ``invalid_request_error``."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code

    def body(self) -> dict[str, Any]:
        error = {"message": self.message, "type": "invalid_request_error"}
        return {"error": {**error, "param": self.param, "code": self.code}}


def count_tokens(body: dict[str, Any]) -> int:
    """The fake's own token count: words and punctuation marks, like a BPE tokenizer's pieces."""
    total = 3
    for message in body.get("messages") or []:
        total += 4 + len(TOKEN_RE.findall(str(message.get("content") or "")))
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        total += len(TOKEN_RE.findall(json.dumps(fmt.get("json_schema", {}).get("schema", {}))))
    return total


def _strict_problems(schema: Any, where: str = "()") -> list[str]:
    if not isinstance(schema, dict):
        return []
    problems = []
    if schema.get("type") == "object":
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            problems.append(
                f"In context={where}, 'additionalProperties' is required to be supplied and to "
                "be false."
            )
        missing = [k for k in props if k not in (schema.get("required") or [])]
        if missing:
            problems.append(
                f"In context={where}, 'required' is required to be supplied and to be an array "
                f"including every key in properties. Missing '{missing[0]}'."
            )
        for key, sub in props.items():
            problems.extend(_strict_problems(sub, f"{where[:-1]}'properties', '{key}')"))
    if schema.get("type") == "array":
        problems.extend(_strict_problems(schema.get("items"), f"{where[:-1]}'items')"))
    return problems


def validate(body: Any, *, model_required: bool) -> None:
    """Raise :class:`RequestError` for what the real endpoint refuses."""
    if not isinstance(body, dict):
        raise RequestError("We could not parse the JSON body of your request.")
    if model_required and not body.get("model"):
        raise RequestError("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must contain at least one message.", "messages")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise RequestError(f"Invalid value for 'messages[{i}].role'.", f"messages[{i}].role")
        if not isinstance(message.get("content"), str):
            raise RequestError(f"Invalid type for 'messages[{i}].content'.", f"messages[{i}]")
    fmt = body.get("response_format")
    if fmt is None:
        return
    if fmt.get("type") not in ("text", "json_object", "json_schema"):
        raise RequestError("Invalid value for 'response_format.type'.", "response_format.type")
    if fmt["type"] != "json_schema":
        return
    spec = fmt.get("json_schema") or {}
    name = spec.get("name")
    if not isinstance(name, str) or not SCHEMA_NAME_RE.match(name):
        raise RequestError("Invalid 'response_format.json_schema.name'.", "response_format")
    if spec.get("strict"):
        problems = _strict_problems(spec.get("schema"))
        if problems:
            message = f"Invalid schema for response_format '{name}': {problems[0]}"
            raise RequestError(message, "response_format")


def _files(prompt: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for m in SUMMARIZED_RE.finditer(prompt):
        found[m.group(1)] = {"path": m.group(2), "status": m.group(3), "a": int(m.group(4))}
    for m in FILE_BLOCK_RE.finditer(prompt):
        path = json.loads(m.group(2))
        found[m.group(1)] = {"path": path, "status": m.group(3), "a": int(m.group(4))}
        found[m.group(1)]["d"] = int(m.group(5))
    return found


def _file_answer(info: dict[str, Any], ja: bool) -> dict[str, str]:
    path, status = info["path"], info["status"]
    kind = {"added": "new content", "renamed": "renamed", "removed": "removed content"}.get(
        status, "minor update"
    )
    name = path.rsplit("/", 1)[-1]
    if ja:
        title = f"{name} の更新"
        text = f"{path} が変更されました（追加 {info['a']} 行、削除 {info.get('d', 0)} 行）。"
    else:
        title = f"Update {name}"
        text = f"The file {path} was {status}: {info['a']} lines added, {info.get('d', 0)} removed."
    return {"modification_type": kind, "modification_title": title, "explanation": text}


def _report_answer(files: dict[str, dict[str, Any]], ja: bool) -> dict[str, Any]:
    n = len(files)
    if ja:
        summary, insight = f"この変更は {n} 個のファイルに及びます。", "読者への影響は小さいです。"
        other = [f"{f['path']} を更新" for f in files.values()][:5]
        none = "破壊的変更はありません。"
    else:
        summary = f"This change touches {n} files."
        insight = "The change is small and safe for readers."
        other = [f"Updated {f['path']}" for f in files.values()][:5]
        none = "No breaking changes were introduced."
    return {
        "summary": summary,
        "highlights": {"new_features": [], "breaking_changes": [none], "other_updates": other},
        "insights": insight,
    }


def answer(body: dict[str, Any], behaviour: str, match: str | None = None) -> str:
    """The assistant's content for ``body`` under ``behaviour`` (ok or a kind of malformed).

    ``omit_matching`` and ``garble_matching`` spoil only the ``files`` entries whose path
    contains ``match``, as a model that loses track of one file in a batch does.
    """
    if behaviour == "non_json":
        return "Sure! Here is the summary you asked for: the file changed a little."
    messages = body["messages"]
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    prompt = "\n".join(m["content"] for m in messages if m["role"] == "user")
    locale = LOCALE_RE.search(system)
    ja = bool(locale and locale.group(1).lower().startswith("ja"))
    files = _files(prompt)
    schema = asked_schema(body)
    properties = schema.get("properties") or {}
    data: dict[str, Any]
    if "files" in properties:
        ids = properties["files"]["items"]["properties"]["file_id"]["enum"]
        entries = [{"file_id": i, **_file_answer(files[i], ja)} for i in ids]
        data = {"files": _spoil(entries, files, behaviour, match)}
        if "summary" in properties:
            data.update(_report_answer(files, ja))
    else:
        data = _report_answer(files, ja)
    if behaviour == "missing_fields":
        for key in ("explanation", "insights", "files"):
            data.pop(key, None)
    elif behaviour == "bad_enum":
        if "modification_type" in data:
            data["modification_type"] = "tweak"
        for entry in data.get("files", []):
            entry["modification_type"] = "tweak"
        if "highlights" in data:
            data["highlights"]["new_features"] = "none"
    return json.dumps(data, ensure_ascii=False)


SCHEMA_INSTRUCTION = "The reply must be one JSON object that matches this JSON schema:\n"


def asked_schema(body: dict[str, Any]) -> dict[str, Any]:
    """The schema the request asks for: in ``response_format`` (``json_schema``, or
    ``json_object`` with a ``schema``), else written into the system message (json_object and
    text modes), as a model reading its instructions would find it."""
    fmt = body.get("response_format") or {}
    if isinstance(fmt.get("json_schema"), dict):
        return fmt["json_schema"].get("schema") or {}
    if isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
    _, found, rest = system.partition(SCHEMA_INSTRUCTION)
    if not found:
        return {}
    try:
        return json.JSONDecoder().raw_decode(rest)[0]
    except ValueError:
        return {}


def _spoil(
    entries: list[dict[str, Any]],
    files: dict[str, dict[str, Any]],
    behaviour: str,
    match: str | None,
) -> list[dict[str, Any]]:
    if behaviour not in ("omit_matching", "garble_matching") or not match:
        return entries
    spoiled = []
    for entry in entries:
        if match not in files[entry["file_id"]]["path"]:
            spoiled.append(entry)
        elif behaviour == "garble_matching":
            spoiled.append({**entry, "modification_type": "tweak", "explanation": ""})
    return spoiled


def error_body(message: str, kind: str = "server_error", code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def rate_limited_body(behaviour: str) -> dict[str, Any]:
    if behaviour == "quota":
        return error_body(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
        )
    return error_body(
        "Rate limit reached for requests. Please try again later.",
        "requests",
        "rate_limit_exceeded",
    )


def unauthorized_body(had_key: bool) -> dict[str, Any]:
    if not had_key:
        message = (
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
        return error_body(message, "invalid_request_error")
    message = "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
    return error_body(message, "invalid_request_error", "invalid_api_key")
