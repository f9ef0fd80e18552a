"""What Slack would make of a message's text: who it notifies and where its links go.

Slack turns manual strings (``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^ID>``,
``<@U123>``, ``<#C123>``, ``<url|label>``) into mentions and links wherever mrkdwn is read.
A mrkdwn text object without ``"verbatim": true`` is also parsed automatically: a plain
``@channel``, ``@here`` or ``@everyone`` notifies, and a bare URL becomes a link
(docs.slack.dev, "Text object", field ``verbatim``). FakeSlack records both for every message
so tests can assert that repository text pinged no one and linked nowhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_MANUAL_RE = re.compile(r"<([^<>]*)>")
_AUTO_MENTION_RE = re.compile(r"(?<![\w@])@(channel|here|everyone)\b")
_AUTO_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>|]+", re.IGNORECASE)


@dataclass
class Parsed:
    """Mentions (``@channel``, ``@U123``, ``#C123``, ``subteam^ID``) and link targets."""

    pings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def add(self, other: Parsed) -> None:
        self.pings += other.pings
        self.links += other.links


def parse_text(text: str, *, automatic: bool) -> Parsed:
    """What Slack makes of one mrkdwn string; ``automatic`` when not verbatim."""
    out = Parsed()
    for inner in _MANUAL_RE.findall(text):
        target = inner.split("|", 1)[0]
        if target.startswith("!"):
            if not target.startswith("!date^"):  # a formatted date, the one harmless "!"
                out.pings.append("@" + target[1:])
        elif target.startswith(("@", "#")):
            out.pings.append(target)
        elif target:
            out.links.append(target)
    if automatic:
        plain = _MANUAL_RE.sub(" ", text)
        out.pings += ["@" + m for m in _AUTO_MENTION_RE.findall(plain)]
        out.links += _AUTO_URL_RE.findall(plain)
    return out


def _text_objects(value: Any) -> list[dict[str, Any]]:
    """Every text object inside blocks (sections, fields, context elements, buttons)."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
            found.append(value)
        else:
            for item in value.values():
                found += _text_objects(item)
    elif isinstance(value, list):
        for item in value:
            found += _text_objects(item)
    return found


def parse_message(
    text: str, blocks: Any, *, link_names: bool = False, url_buttons: bool = True
) -> Parsed:
    """A whole message: its blocks, its top-level text, and its URL buttons' targets.

    The top-level ``text`` of ``chat.postMessage`` is read as mrkdwn with manual strings;
    plain ``@here`` there notifies only with ``link_names``.
    """
    out = parse_text(text or "", automatic=link_names)
    for obj in _text_objects(blocks or []):
        if obj["type"] == "mrkdwn":
            out.add(parse_text(obj["text"], automatic=not obj.get("verbatim", False)))
    if url_buttons:
        out.links += [b["url"] for b in _buttons(blocks or []) if b.get("url")]
    return out


def _buttons(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") == "button":
            return [value]
        return [b for item in value.values() for b in _buttons(item)]
    if isinstance(value, list):
        return [b for item in value for b in _buttons(item)]
    return []
