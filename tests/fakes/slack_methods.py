"""The Web API methods FakeSlack answers, with Slack's argument checks and error strings.

A mixin of :class:`tests.fakes.slack.FakeSlack`, kept apart so the server and its knobs
read on their own. Each ``_m_<method>`` gets the parsed arguments and returns the fields of
an ``ok`` answer, or raises :class:`BlockError` with Slack's error string.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack_limits import MAX_MESSAGE_TEXT, BlockError, check_blocks
from tests.fakes.slack_parse import Parsed, parse_message, parse_text

BOT_USER = "U0DIFFBOT"
BOT_ID = "B0DIFFBOT"
TEAM = "T0FAKE"
RESPONSE_URL_LIMIT = 5
"""A response_url accepts up to 5 responses (LIMITS.md)."""


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str | None = None
    ephemeral: bool = False
    edits: int = 0
    files: list[str] = field(default_factory=list)
    deleted: bool = False
    parsed: Parsed = field(default_factory=Parsed)
    """Who Slack would notify and where its links go (see tests.fakes.slack_parse)."""


class SlackMethods:
    """Message store and method handlers; FakeSlack provides the state below and base_url."""

    calls: list[Call]
    unfurled: list[tuple[str, dict[str, Any], Parsed]]
    not_in_channel: set[str]
    channel_not_found: set[str]
    _messages: dict[str, list[Message]]
    _uploads: dict[str, dict[str, Any]]
    _responses: dict[str, list[dict[str, Any]]]
    _seq: itertools.count
    _lock: threading.RLock

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._seq)}.{next(self._seq):06d}"

    def _channel(self, args: dict[str, Any], key: str = "channel") -> str:
        channel = args.get(key)
        if not channel:
            raise BlockError("channel_not_found", "no channel")
        if channel in self.channel_not_found:
            raise BlockError("channel_not_found", channel)
        if channel in self.not_in_channel:
            raise BlockError("not_in_channel", channel)
        return channel

    def _content(self, args: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None, list[str]]:
        """Text and blocks of a message, checked like Slack; warnings for the response."""
        text = args.get("text") or ""
        blocks = args.get("blocks")
        if blocks is not None:
            check_blocks(blocks)
        if not text and not blocks:
            raise BlockError("no_text", "no text or blocks")
        warnings: list[str] = []
        if len(text) > MAX_MESSAGE_TEXT:
            text = text[:MAX_MESSAGE_TEXT]
            warnings.append("message_truncated")
        if blocks and not text:
            warnings.append("missing_text_or_fallback_or_attachments")
        return text, blocks, warnings

    def _find(self, channel: str, ts: str) -> Message | None:
        found = (m for m in self._messages[channel] if m.ts == ts and not m.ephemeral)
        return next((m for m in found if not m.deleted), None)

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "diffinsight",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        text, blocks, warnings = self._content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts and self._find(channel, thread_ts) is None:
            raise BlockError("thread_not_found", thread_ts)
        msg = Message(channel, self._next_ts(), text, blocks, thread_ts, BOT_USER)
        msg.parsed = self._parse(args, text, blocks)
        self._messages[channel].append(msg)
        out: dict[str, Any] = {"channel": channel, "ts": msg.ts, "message": self._shape(msg)}
        if warnings:
            out["warning"] = ",".join(warnings)
            out["response_metadata"] = {"warnings": warnings}
        return out

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        msg = self._find(channel, args.get("ts") or "")
        if msg is None:
            raise BlockError("message_not_found", args.get("ts") or "")
        text, blocks, warnings = self._content(args)
        msg.text, msg.blocks, msg.edits = text, blocks, msg.edits + 1
        msg.parsed = self._parse(args, text, blocks)
        out = {"channel": channel, "ts": msg.ts, "text": text, "message": self._shape(msg)}
        if warnings:
            out["response_metadata"] = {"warnings": warnings}
        return out

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: a bot token deletes only its own messages (``cant_delete_message``
        otherwise); a parent with replies is left as a tombstone, since its replies stay."""
        channel = self._channel(args)
        ts = args.get("ts") or ""
        msg = self._find(channel, ts)
        if msg is None:
            raise BlockError("message_not_found", ts)
        if msg.user != BOT_USER:
            raise BlockError("cant_delete_message", ts)
        if any(m.thread_ts == ts and m.ts != ts for m in self._messages[channel]):
            msg.text, msg.blocks, msg.files = "This message was deleted.", None, []
            msg.user, msg.deleted = None, True
        else:
            self._messages[channel].remove(msg)
        return {"channel": channel, "ts": ts}

    def _m_files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Delete an uploaded file; its share message in the thread goes with it."""
        file_id = args.get("file") or ""
        upload = self._uploads.get(file_id)
        if upload is None:
            raise BlockError("file_not_found", file_id)
        if upload.get("deleted"):
            raise BlockError("file_deleted", file_id)
        upload["deleted"] = True
        for msgs in self._messages.values():
            for msg in [m for m in msgs if file_id in m.files]:
                msg.files = [f for f in msg.files if f != file_id]
                if not msg.files and not msg.text:
                    msgs.remove(msg)
        return {}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not args.get("user"):
            raise BlockError("user_not_in_channel", "no user")
        text, blocks, _ = self._content(args)
        msg = Message(channel, self._next_ts(), text, blocks, args.get("thread_ts"), None, True)
        msg.user = args["user"]
        msg.parsed = self._parse(args, text, blocks)
        self._messages[channel].append(msg)
        return {"message_ts": msg.ts}

    def _m_chat_unfurl(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        unfurls = args.get("unfurls")
        if not isinstance(unfurls, dict) or "__invalid__" in unfurls or not unfurls:
            raise BlockError("invalid_unfurls_format", "unfurls")
        for value in unfurls.values():
            if isinstance(value, dict) and "blocks" in value:
                check_blocks(value["blocks"])
        message = self._find(channel, args.get("ts") or "")
        if message is None and not args.get("unfurl_id"):
            raise BlockError("cannot_find_message", args.get("ts") or "")
        if message is not None and any(url not in message.text for url in unfurls):
            # Slack: "the URL provided does not appear in the message".
            raise BlockError("cannot_unfurl_message", "url not in message")
        for url, value in unfurls.items():
            blocks = value.get("blocks") if isinstance(value, dict) else None
            self.unfurled.append((url, value, parse_message("", blocks)))
        return {}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel") or ""
        if not channel or channel in self.channel_not_found:
            raise BlockError("channel_not_found", channel)
        return {
            "channel": {
                "id": channel,
                "name": channel.lower(),
                "is_channel": True,
                "is_private": False,
                "is_member": channel not in self.not_in_channel,
            }
        }

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = args.get("filename"), str(args.get("length") or "")
        if not filename or not length.isdigit():
            raise BlockError("invalid_arguments", "filename and length are required")
        file_id = f"F{next(self._seq):08d}"
        self._uploads[file_id] = {"filename": filename, "length": int(length), "data": None}
        return {"upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _upload(
        self, file_id: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.calls.append(Call("upload", {"file_id": file_id}, headers, time.time(), body=body))
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, b"not found", {}
            if len(body) != upload["length"]:
                return 400, b"length mismatch", {}
            upload["data"] = body
        return 200, f"OK - {len(body)}".encode(), {}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise BlockError("invalid_arguments", "files")
        channel = args.get("channel_id") or None
        if channel:
            channel = self._channel(args, "channel_id")
        shaped = []
        for f in files:
            upload = self._uploads.get(f.get("id", ""))
            if upload is None or upload["data"] is None:
                raise BlockError("file_not_found", f.get("id", ""))
            upload["title"] = f.get("title") or upload["filename"]
            shaped.append({"id": f["id"], "title": upload["title"], "name": upload["filename"]})
        if channel:
            thread_ts = args.get("thread_ts") or None
            if thread_ts and self._find(channel, thread_ts) is None:
                raise BlockError("thread_not_found", thread_ts)
            msg = Message(channel, self._next_ts(), args.get("initial_comment") or "", None)
            msg.thread_ts, msg.user, msg.files = thread_ts, BOT_USER, [f["id"] for f in shaped]
            # The comment is mrkdwn; a file's title is shown beside it and parsed the same way.
            msg.parsed = parse_text(msg.text, automatic=True)
            for f in shaped:
                msg.parsed.add(parse_text(f["title"], automatic=False))
            self._messages[channel].append(msg)
        return {"files": shaped}

    @staticmethod
    def _parse(args: dict[str, Any], text: str, blocks: Any) -> Parsed:
        link_names = str(args.get("link_names", "")).lower() in ("1", "true")
        automatic = link_names or args.get("parse") == "full"
        return parse_message(text, blocks, link_names=automatic)

    def uploaded(self, file_id: str) -> bytes | None:
        with self._lock:
            upload = self._uploads.get(file_id)
            return None if upload is None or upload.get("deleted") else upload["data"]

    def _respond(
        self, key: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            call = Call("response_url", {"key": key}, headers, time.time(), body=body)
            self.calls.append(call)
            if key not in self._responses:
                return 404, b"invalid_token", {}
            if len(self._responses[key]) >= RESPONSE_URL_LIMIT:
                return 404, b"used_url", {}
            try:
                payload = json.loads(body.decode("utf-8"))
            except ValueError:
                return 400, b"invalid_payload", {}
            self._responses[key].append(payload)
            call.args.update(payload)
        return 200, b"ok", {}

    @staticmethod
    def _shape(msg: Message) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": msg.text,
            "ts": msg.ts,
            "user": msg.user,
            "bot_id": BOT_ID,
        }
        if msg.blocks is not None:
            out["blocks"] = msg.blocks
        if msg.thread_ts:
            out["thread_ts"] = msg.thread_ts
        return out
