"""Reading a model's reply, and asking again when it fails its checks.

A repair resends the request with what was wrong (and as much of the bad reply as fits) within
the same per-call budget: every call keeps :data:`REPAIR_ROOM` tokens free for that.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.summarize.llm import formats
from bot.summarize.llm.budget import estimate_request, fit_text
from bot.summarize.llm.prompts import REPAIR_LINES, repair_message

REPAIR_ROOM = 256
"""Tokens a call leaves free under the per-call budget, so its repair fits the same budget."""
MIN_ECHO_TOKENS = 16

Check = Callable[[Any], list[str]]


def parses(content: str) -> bool:
    try:
        formats.extract_json(content)
    except ValueError:
        return False
    return True


def parse_reply(content: str, check: Check) -> tuple[Any, list[str]]:
    """The reply as JSON (read tolerantly: fences, prose around it, trailing commas) and the
    problems ``check`` finds with it (or why it is not JSON)."""
    try:
        data = formats.extract_json(content)
    except json.JSONDecodeError as exc:
        return None, [f"the reply is not valid JSON ({exc.msg} at position {exc.pos})"]
    except ValueError as exc:  # e.g. a number too long to convert
        return None, [f"the reply is not valid JSON ({exc})"]
    return data, check(data)


def repair_request(
    messages: list[dict[str, str]], content: str, problems: list[str], schema: dict, limit: int
) -> list[dict[str, str]] | None:
    """``messages`` followed by the bad reply and what was wrong, within ``limit`` tokens.

    Problems come first: lines are dropped from the end until the request fits, then the bad
    reply is echoed as far as the room left allows (left out when hardly any is). ``None`` when
    not even one problem fits.
    """
    for count in range(min(len(problems), REPAIR_LINES), 0, -1):
        ask = {"role": "user", "content": repair_message(problems[:count])}
        framed = [*messages, {"role": "assistant", "content": ""}, ask]
        room = limit - estimate_request(framed, schema)
        if room >= MIN_ECHO_TOKENS and content.strip():
            framed[-2]["content"] = fit_text(content, room)
            return framed
        if estimate_request([*messages, ask], schema) <= limit:
            return [*messages, ask]
    return None
