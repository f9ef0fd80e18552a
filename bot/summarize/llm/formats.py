"""How a reply's structure is asked for, and how a server's answer is read, whatever it supports.

Servers differ (see README, "LLM servers"): OpenAI, Azure, vLLM, llama.cpp's server and LM
Studio take strict ``json_schema``; llama-cpp-python refuses it (HTTP 500 naming
``response_format``) and constrains output with ``json_object`` plus a ``schema`` field; some
take only ``json_object``; some only follow instructions. So there are four modes, strictest
first, and a call steps down one when the server refuses a mode or answers as if it had none:

* ``json_schema``: ``{"type": "json_schema", "json_schema": {name, schema, strict}}``;
* ``json_object_schema``: ``{"type": "json_object", "schema": ...}``, the schema's strings and
  lists bounded (``maxLength``, ``maxItems``) when the output is sized, so a grammar-constrained
  small model cannot ramble past ``max_tokens``;
* ``json_object``: ``{"type": "json_object"}``, the schema in the instructions;
* ``text``: no ``response_format``, the schema in the instructions, and the reply read
  tolerantly (code fences, prose around the object, trailing commas).

Whatever the mode, the reply is then checked by :mod:`bot.summarize.llm.schema` as before.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from bot.config import RESPONSE_FORMATS

JSON_SCHEMA, JSON_OBJECT_SCHEMA, JSON_OBJECT, TEXT = RESPONSE_FORMATS
MODES = RESPONSE_FORMATS
SCHEMA_MODES = (JSON_SCHEMA, JSON_OBJECT_SCHEMA)
"""Modes where the server is given the schema; a reply that ignores it means it ignored it."""

SCHEMA_INSTRUCTION = "The reply must be one JSON object that matches this JSON schema:"
MAX_EXTRACT_CHARS = 200_000
"""Replies longer than this are not searched for an object (the schema bounds real ones)."""
MAX_CANDIDATES = 8
"""Opening braces tried when a reply has prose around its object; bounds the work per reply."""

_FORMAT_WORDS = re.compile(r"response_format|json_schema|json_object|structured output", re.I)
_CONTEXT_CODES = ("context_length_exceeded", "exceed_context_size_error")
_CONTEXT_WORDS = re.compile(
    r"context (?:length|size|window)|maximum context|too many tokens|prompt is too long", re.I
)
_WINDOW_RES = (
    re.compile(r"maximum context length is (\d+)", re.I),
    re.compile(r"(?:available|max) context size \((\d+) tokens\)", re.I),
    re.compile(r"context (?:window|length) of (\d+)", re.I),
)


@dataclass(frozen=True)
class Bounds:
    """Most characters (and list items) a sized reply's fields may take (json_object_schema)."""

    title: int
    text: int
    explanation: int
    item: int
    items: int


def response_format(
    mode: str, name: str, schema: dict[str, Any], bounds: Bounds | None = None
) -> dict[str, Any] | None:
    """The request's ``response_format`` for ``mode`` (``None``: leave the field out)."""
    if mode == JSON_SCHEMA:
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
    if mode == JSON_OBJECT_SCHEMA:
        return {"type": "json_object", "schema": bounded(schema, bounds) if bounds else schema}
    if mode == JSON_OBJECT:
        return {"type": "json_object"}
    return None


def framed(mode: str, messages: list[dict[str, str]], schema: dict[str, Any]) -> list[dict]:
    """``messages`` as sent in ``mode``: the schema joins the system message where the server
    is not given it (``json_object``, ``text``)."""
    if mode in SCHEMA_MODES or not messages:
        return messages
    text = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
    first = messages[0]
    extra = f"\n\n{SCHEMA_INSTRUCTION}\n{text}"
    if first.get("role") == "system":
        return [{**first, "content": f"{first['content']}{extra}"}, *messages[1:]]
    return [{"role": "system", "content": extra.strip()}, *messages]


def bounded(schema: dict[str, Any], bounds: Bounds) -> dict[str, Any]:
    """A copy of ``schema`` whose free-text strings and lists carry the limits of ``bounds``."""
    out = copy.deepcopy(schema)
    _bound(out, bounds, "")
    return out


def _bound(node: Any, bounds: Bounds, name: str) -> None:
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "string" and "enum" not in node:
        node["minLength"] = 1  # the checks refuse empty text; a grammar then cannot give it
        node["maxLength"] = {
            "modification_title": bounds.title,
            "explanation": bounds.explanation,
            "summary": bounds.text,
            "insights": bounds.text,
        }.get(name, bounds.item)
    elif kind == "array":
        if name == "files":  # one entry per file asked about: a grammar then cannot skip one
            ids = ((node.get("items") or {}).get("properties") or {}).get("file_id", {})
            node["minItems"] = node["maxItems"] = len(ids.get("enum") or [])
        else:
            node["minItems"], node["maxItems"] = 1, bounds.items
        _bound(node.get("items"), bounds, "")
    elif kind == "object":
        for key, sub in (node.get("properties") or {}).items():
            _bound(sub, bounds, key)


# -- what a server's error says --


def _inner(body: Any) -> Any:
    """The error object: ``openai`` hands over ``body["error"]``, a raw answer has it inside."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return body


def error_text(body: Any) -> tuple[str, str]:
    """``(message, code-or-type)`` of an OpenAI-style error body (FastAPI's ``detail`` too)."""
    body = _inner(body)
    if not isinstance(body, dict):
        return (str(body or "")[:2000], "")
    message = body.get("message") or body.get("detail") or ""
    code = body.get("code") if isinstance(body.get("code"), str) else body.get("type") or ""
    return (str(message)[:2000], str(code))


def refuses_format(status: int, body: Any) -> bool:
    """Whether an error answer refuses the response format (not the prompt, not the key)."""
    if status not in (400, 415, 422, 500, 501) or is_context_error(body):
        return False
    message, code = error_text(body)
    return bool(_FORMAT_WORDS.search(message)) or "response_format" in code


def is_context_error(body: Any) -> bool:
    message, code = error_text(body)
    inner = _inner(body)
    kind = inner.get("type") if isinstance(inner, dict) else None
    if code in _CONTEXT_CODES or kind in _CONTEXT_CODES:
        return True
    return bool(_CONTEXT_WORDS.search(message)) and bool(
        re.search(r"exceed|reduce|larger than|too long|too large", message, re.I)
    )


def context_window(body: Any) -> int | None:
    """The window a context error names (llama.cpp also gives it as ``n_ctx``)."""
    error = _inner(body)
    if isinstance(error, dict) and isinstance(error.get("n_ctx"), int) and error["n_ctx"] > 0:
        return int(error["n_ctx"])
    message, _ = error_text(body)
    for pattern in _WINDOW_RES:
        found = pattern.search(message)
        if found:
            return int(found.group(1))
    return None


# -- reading a reply --


def extract_json(content: str) -> Any:
    """The JSON value in ``content``, read tolerantly; raises ``ValueError`` when there is none.

    Control characters inside strings are allowed. Tried in order: the whole reply; the first
    fenced block; each of the first :data:`MAX_CANDIDATES` opening braces, decoding one value
    from there (prose before and after is ignored). Each candidate is tried as is, then with
    trailing commas removed.
    """
    text = content.strip()
    if len(text) > MAX_EXTRACT_CHARS:
        raise ValueError("the reply is too long to be read")
    error: ValueError | None = None
    for candidate in _candidates(text):
        for variant in (candidate, _without_trailing_commas(candidate)):
            try:
                # strict=False: raw newlines inside strings, which grammar-constrained local
                # models emit; clean_text() normalizes the text afterwards.
                return json.JSONDecoder(strict=False).raw_decode(variant)[0]
            except ValueError as exc:
                error = error or exc
    raise error or ValueError("the reply is empty")


def _candidates(text: str) -> list[str]:
    found = [text]
    opening = text.find("```")
    if opening >= 0:  # str.find, not a lazy regex: linear however many fences there are
        body_start = text.find("\n", opening)
        closing = text.find("```", body_start + 1) if body_start >= 0 else -1
        if closing > body_start:
            found.append(text[body_start + 1 : closing].strip())
    start = 0
    for _ in range(MAX_CANDIDATES):
        start = text.find("{", start)
        if start < 0:
            break
        if start > 0:
            found.append(text[start:])
        start += 1
    return found


def _without_trailing_commas(text: str) -> str:
    """``text`` with each comma that only whitespace separates from ``}`` or ``]`` removed,
    outside strings (one linear pass)."""
    out: list[str] = []
    in_string = escaped = False
    pending: list[str] = []  # a comma and the whitespace after it, not yet written
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if pending:
            if ch.isspace():
                pending.append(ch)
                continue
            if ch not in "}]":
                out.extend(pending)
            else:
                out.extend(pending[1:])
            pending = []
        if ch == ",":
            pending = [ch]
            continue
        out.append(ch)
        if ch == '"':
            in_string = True
    out.extend(pending)
    return "".join(out)


def ignores_schema(content: str, schema: dict[str, Any]) -> bool:
    """A reply given the schema that has none of its top-level fields: the server dropped it."""
    try:
        data = extract_json(content)
    except ValueError:
        return True
    required = schema.get("required") or []
    return not isinstance(data, dict) or not any(key in data for key in required)
