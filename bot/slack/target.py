"""The plain values a report job hands the Slack poster, and the client it posts with.

Kept apart from :mod:`bot.slack.poster` (the posting itself) because jobs and handlers need
them without the poster: where a report goes, what came of posting it, and which Slack
errors a retry can heal.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot import messages
from bot.config import Config

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
"""Slack errors that heal: with a journal, raised so the job retries and resumes the thread."""

CHANNEL_ERRORS = {
    "not_in_channel": messages.SLACK_NOT_IN_CHANNEL,
    "channel_not_found": messages.SLACK_CHANNEL_NOT_FOUND,
    "is_archived": messages.SLACK_CHANNEL_NOT_FOUND,
}


@dataclass(frozen=True)
class SlackTarget:
    """Where a report goes and who asked: plain values that travel in a job."""

    channel: str
    requester: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    response_url: str | None = None
    trigger: str | None = None
    """What started a report nobody asked for (a merge, a push): said instead of "asked by"."""


@dataclass
class PostResult:
    """What was posted: the parent ``ts``, the thread posts and the uploaded file."""

    channel: str
    ts: str | None
    thread: list[str] = field(default_factory=list)
    file_id: str | None = None
    error: str | None = None

    @property
    def posted(self) -> bool:
        return self.error is None


POST_TIMEOUT = 60
"""Seconds a new message's post may take. A post is not idempotent: when Slack answers after
the client gave up, a repeat posts a second message (two "Building" placeholders, one
spinning for ever), so posts wait long for their answer and are never repeated blindly."""


class UnsentRetryHandler(ConnectionErrorRetryHandler):
    """Retry a call only when the request surely never reached Slack (connection refused, name
    not resolved): a timeout or a hang-up after sending may mean it was done already."""

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if not isinstance(error, URLError) or response is not None:
            return False
        reason = error.reason
        return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def posting_client(client: WebClient) -> WebClient:
    """A client for calls that must not be repeated: long timeout, retried only when unsent."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=max(client.timeout, POST_TIMEOUT),
        retry_handlers=[
            UnsentRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
        ],
    )


def make_client(config: Config) -> WebClient:
    """A WebClient on ``SLACK_API_URL`` that waits out ``ratelimited`` answers."""
    return WebClient(
        token=config.slack_bot_token,
        base_url=config.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
        ],
    )
