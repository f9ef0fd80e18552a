"""The plain values a report job hands the Slack poster, and the client it posts with.

Kept apart from :mod:`bot.slack.poster` (the posting itself) because jobs and handlers need
them without the poster: where a report goes, what came of posting it, and which Slack
errors a retry can heal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
