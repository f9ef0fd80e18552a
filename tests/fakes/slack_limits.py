"""Block Kit checks FakeSlack applies, with the numbers of tests/data/LIMITS.md.

Kept apart from the server so the limits read as one list; each check returns Slack's own
error string and a json-pointer message in the shape of its ``invalid_blocks`` answers.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_BLOCK_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_URL = 3000
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_MESSAGE_TEXT = 40_000
MAX_BLOCKS_TEXT = 12_000
"""Empirical ``msg_blocks_too_long`` budget (LIMITS.md: about 12-13k characters of block text)."""

_TEXT_TYPES = ("plain_text", "mrkdwn")


class BlockError(Exception):
    """A message Slack would refuse; ``error`` is the API error string."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def _text_object(obj: Any, where: str, *, limit: int, plain_only: bool = False) -> int:
    if not isinstance(obj, dict) or obj.get("type") not in _TEXT_TYPES:
        raise BlockError("invalid_blocks", f"must be a text object [json-pointer:{where}]")
    if plain_only and obj["type"] != "plain_text":
        raise BlockError("invalid_blocks", f"must be plain_text [json-pointer:{where}/type]")
    # "verbatim" is only usable on mrkdwn, "emoji" only on plain_text (the Text object page).
    for key, kind in (("verbatim", "mrkdwn"), ("emoji", "plain_text")):
        if key in obj and (obj["type"] != kind or not isinstance(obj[key], bool)):
            raise BlockError("invalid_blocks", f"invalid {key} [json-pointer:{where}/{key}]")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise BlockError("invalid_blocks", f"must be more than 0 characters [json-pointer:{where}]")
    if len(text) > limit:
        detail = f"must be less than {limit + 1} characters [json-pointer:{where}/text]"
        raise BlockError("invalid_blocks", detail)
    return len(text)


def _button(el: Any, where: str) -> int:
    if not isinstance(el, dict) or el.get("type") != "button":
        raise BlockError("invalid_blocks", f"unsupported element [json-pointer:{where}]")
    size = _text_object(el.get("text"), f"{where}/text", limit=MAX_BUTTON_TEXT, plain_only=True)
    if len(el.get("action_id", "")) > MAX_ACTION_ID:
        raise BlockError("invalid_blocks", f"action_id too long [json-pointer:{where}/action_id]")
    if len(el.get("url", "")) > MAX_BUTTON_URL:
        raise BlockError("invalid_blocks", f"url too long [json-pointer:{where}/url]")
    if len(el.get("value", "")) > MAX_BUTTON_VALUE:
        raise BlockError("invalid_blocks", f"value too long [json-pointer:{where}/value]")
    return size


def _block(block: Any, where: str) -> int:
    """Check one block; return how many characters of text it carries."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise BlockError("invalid_blocks", f"missing required field: type [json-pointer:{where}]")
    if len(block.get("block_id", "")) > MAX_BLOCK_ID:
        raise BlockError("invalid_blocks", f"block_id too long [json-pointer:{where}/block_id]")
    kind = block["type"]
    if kind == "divider":
        return 0
    if kind == "header":
        return _text_object(
            block.get("text"), f"{where}/text", limit=MAX_HEADER_TEXT, plain_only=True
        )
    if kind == "section":
        size = 0
        if "text" in block:
            size += _text_object(block["text"], f"{where}/text", limit=MAX_SECTION_TEXT)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not 0 < len(fields) <= MAX_FIELDS:
                raise BlockError("invalid_blocks", f"bad fields [json-pointer:{where}/fields]")
            for i, f in enumerate(fields):
                size += _text_object(f, f"{where}/fields/{i}", limit=MAX_FIELD_TEXT)
        if "text" not in block and fields is None:
            detail = f"must provide text or fields [json-pointer:{where}]"
            raise BlockError("invalid_blocks", detail)
        return size
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS:
            raise BlockError("invalid_blocks", f"bad elements [json-pointer:{where}/elements]")
        return sum(
            _text_object(e, f"{where}/elements/{i}", limit=MAX_SECTION_TEXT)
            for i, e in enumerate(elements)
        )
    if kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_ACTIONS_ELEMENTS:
            raise BlockError("invalid_blocks", f"bad elements [json-pointer:{where}/elements]")
        return sum(_button(e, f"{where}/elements/{i}") for i, e in enumerate(elements))
    raise BlockError("invalid_blocks", f"unsupported type: {kind} [json-pointer:{where}/type]")


def check_blocks(blocks: Any) -> int:
    """Validate a ``blocks`` value; return its total text size or raise :class:`BlockError`."""
    if not isinstance(blocks, list):
        raise BlockError("invalid_blocks_format", "blocks must be an array")
    if len(blocks) > MAX_BLOCKS:
        raise BlockError("invalid_blocks", "no more than 50 items allowed [json-pointer:/blocks]")
    total = sum(_block(b, f"/blocks/{i}") for i, b in enumerate(blocks))
    if total > MAX_BLOCKS_TEXT:
        raise BlockError("msg_blocks_too_long", f"{total} characters of block text")
    return total
