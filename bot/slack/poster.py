"""Posting reports to Slack from the worker: placeholder, progress, the report and its thread.

The worker holds the token, never the web process's job arguments, so a job hands
over a :class:`SlackTarget` of plain values and this module builds the client. Slack allows
about one message per second per channel (tests/data/LIMITS.md): thread posts are paced, and a
``ratelimited`` answer is retried after its ``Retry-After`` by the SDK's retry handler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.config import Config
from bot.render.slack.mrkdwn import SlackMessage, escape_mrkdwn
from bot.render.slack.parent import (
    failed_message,
    parent_message,
    progress_message,
    regenerate_value,
)
from bot.render.slack.thread import thread_messages
from bot.report import Report
from bot.slack.target import (
    CHANNEL_ERRORS,
    TRANSIENT_ERRORS,
    PostResult,
    SlackTarget,
    make_client,
    posting_client,
)
from bot.slack.thread_sync import (
    Journal,
    MemoryJournal,
    drop_extra_replies,
    replace_file,
    upload_report,
    write_replies,
)

log = logging.getLogger(__name__)

__all__ = ["CHANNEL_ERRORS", "PostResult", "SlackPoster", "SlackTarget", "make_client"]

PACE_SECONDS = 1.0
"""Gap between two posts to one channel: Slack's "one message per second per channel"."""
PROGRESS_SECONDS = 3.0
"""Least time between two progress updates of one placeholder."""


class SlackPoster:
    """Posts for one worker process; paces posts per channel across its threads."""

    def __init__(
        self,
        config: Config,
        client: WebClient | None = None,
        *,
        pace_seconds: float | None = None,
        progress_interval: float | None = None,
    ) -> None:
        self.config = config
        self.client = client or make_client(config)
        self.pace_seconds = PACE_SECONDS if pace_seconds is None else pace_seconds
        self.progress_interval = (
            PROGRESS_SECONDS if progress_interval is None else progress_interval
        )
        self._posting = posting_client(self.client)
        """New messages go through this one: a post is never repeated after a timeout."""
        self._lock = threading.Lock()
        self._last_post: dict[str, float] = {}
        self._last_progress: dict[str, float] = {}
        self._placeholders: dict[str, tuple[str, str]] = {}
        # Progress is a courtesy: a ratelimited update is skipped, never waited out mid-build.
        self._courtesy = WebClient(
            token=self.client.token, base_url=self.client.base_url, timeout=10
        )

    # --- pacing ----------------------------------------------------------------------------
    def _pace(self, channel: str) -> None:
        """Wait until ``pace_seconds`` have passed since this poster's last post to ``channel``."""
        with self._lock:
            now = time.monotonic()
            due = self._last_post.get(channel, 0.0) + self.pace_seconds
            wait = max(0.0, due - now)
            self._last_post[channel] = now + wait
        if wait:
            time.sleep(wait)

    def _post(self, channel: str, msg: SlackMessage, thread_ts: str | None = None) -> str:
        self._pace(channel)
        # No previews of our own links: a thread of file sections links up to 300 diffs.
        resp = self._posting.chat_postMessage(
            channel=channel,
            text=msg.text,
            blocks=msg.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(resp["ts"])

    def _update(self, channel: str, ts: str, msg: SlackMessage) -> str:
        # Not paced: the one-per-second rule is chat.postMessage's; chat.update has its own
        # tier, and a 429 there is waited out by the retry handler.
        resp = self.client.chat_update(channel=channel, ts=ts, text=msg.text, blocks=msg.blocks)
        return str(resp["ts"])

    # --- the interface jobs use ------------------------------------------------------------
    def post_placeholder(self, target: SlackTarget, text: str) -> str:
        """Post (or, for Regenerate, update in place) the "building" parent; return its ts.

        ``text`` names what is being built, e.g. ``OWNER/REPO BASE...HEAD``.
        """
        repository, _, range_text = text.partition(" ")
        msg = progress_message(repository, range_text, 0, 0)
        ts = self._put_parent(target.channel, msg, target.message_ts, target)
        self.resume_placeholder(ts, text)
        return ts

    def resume_placeholder(self, ts: str, text: str) -> None:
        """A retried job's placeholder (posted by another attempt): progress names it too."""
        repository, _, range_text = text.partition(" ")
        with self._lock:
            self._placeholders[ts] = (repository, range_text)
            self._last_progress[ts] = time.monotonic()

    def progress(self, target: SlackTarget, ts: str, done: int, total: int) -> None:
        """Show files done of files total, at most once per ``progress_interval`` seconds."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_progress.get(ts, 0.0) < self.progress_interval:
                return
            self._last_progress[ts] = now
            repository, range_text = self._placeholders.get(ts, ("", ""))
        try:
            msg = progress_message(repository, range_text, done, total)
            self._courtesy.chat_update(
                channel=target.channel, ts=ts, text=msg.text, blocks=msg.blocks
            )
        except SlackApiError as exc:
            # A failed update must not fail the report; a 429 holds the next one back.
            retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            if retry_after and str(retry_after).isdigit():
                with self._lock:
                    self._last_progress[ts] = time.monotonic() + int(retry_after)
            log.warning("progress update failed", extra={"error": exc.response.get("error")})

    def post_report(
        self,
        report: Report,
        target: SlackTarget,
        *,
        parent_ts: str | None = None,
        report_url: str | None = None,
        source: str | None = None,
        paths: tuple[str, ...] = (),
        journal: Journal | None = None,
        threads: Callable[[str, str], Journal] | None = None,
    ) -> PostResult:
        """Post the parent (replacing the placeholder), the thread, and the Markdown file.

        A channel the bot cannot post in is told to the requester (how to invite it) and
        reported in ``PostResult.error`` instead of raised, since retrying cannot help.
        ``threads(channel, parent_ts)`` is the record of what that parent's thread holds: a
        parent that already has a thread (Regenerate) gets it rewritten, not a second one
        (see :mod:`bot.slack.thread_sync`). With a ``journal`` (the job's), what an earlier attempt
        of the same job wrote is not written again.
        """
        channel = target.channel
        source = source or (report.permalink if "://" in report.permalink else None)
        # A digest's window has passed: Regenerate would rebuild a plain report over it.
        wanted = source is not None and not report.is_digest
        value = regenerate_value(source, paths, report.language) if wanted and source else None
        parent = parent_message(
            report,
            requester=target.requester,
            trigger=target.trigger,
            report_url=report_url,
            regenerate_value=value,
        )
        result = PostResult(channel=channel, ts=None)
        try:
            result.ts = self._put_parent(channel, parent, parent_ts or target.message_ts, target)
            if journal is not None:  # the placeholder now shows the report, whatever follows
                journal.set("parent", result.ts)
            thread_ts = target.thread_ts or result.ts
            thread = threads(channel, result.ts) if threads else MemoryJournal()
            msgs = thread_messages(report)
            result.thread = write_replies(
                self._post, self._update, channel, thread_ts, msgs, thread, journal
            )
            dropped = drop_extra_replies(self.client, channel, len(msgs), thread)
            result.file_id = self._upload_once(journal, report, channel, thread_ts)
            replace_file(self.client, channel, result.file_id, thread)
            if dropped:
                log.info("old replies deleted", extra={"channel": channel, "count": dropped})
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            server_fault = exc.response.status_code >= 500  # Slack's edge, not an API answer
            if journal is not None and (error in TRANSIENT_ERRORS or server_fault):
                # Still rate-limited after the SDK's retries, or Slack had a bad moment: the
                # job's retry posts only what is missing, instead of a half thread for good.
                log.warning("report post interrupted", extra={"channel": channel, "error": error})
                raise
            result.error = error
            log.warning("report post failed", extra={"channel": channel, "error": error})
            text = CHANNEL_ERRORS.get(error) or messages.SLACK_POST_FAILED.format(error=error)
            self.post_error(target, text)
            return result
        log.info("report posted", extra={"channel": channel, "ts": result.ts})
        return result

    def _put_parent(
        self, channel: str, parent: SlackMessage, existing: str | None, target: SlackTarget
    ) -> str:
        """Update the placeholder (or the message being regenerated) in place, else post.

        A placeholder someone deleted meanwhile is no reason to lose the report.
        """
        if existing:
            try:
                return self._update(channel, existing, parent)
            except SlackApiError as exc:
                if exc.response.get("error") not in ("message_not_found", "cant_update_message"):
                    raise
                log.info("parent gone, posting anew", extra={"channel": channel})
        return self._post(channel, parent, target.thread_ts)

    def _upload_once(
        self, journal: Journal | None, report: Report, channel: str, thread_ts: str
    ) -> str | None:
        """Upload the Markdown report unless this job's journal says it already did."""
        done = journal.get("file") if journal is not None else None
        if done is not None:
            return done or None
        file_id = upload_report(self.client, report, channel, thread_ts)
        if journal is not None:
            journal.set("file", file_id or "")
        return file_id

    def mark_failed(self, target: SlackTarget, ts: str, repository: str, range_text: str) -> None:
        """Turn the "building" parent into a failure line, so it does not spin for ever."""
        msg = failed_message(repository, range_text)
        self.client.chat_update(channel=target.channel, ts=ts, text=msg.text, blocks=msg.blocks)

    def post_error(self, target: SlackTarget, message: str) -> None:
        """Tell the requester privately; fall back to the command's ``response_url``."""
        self.tell(target, escape_mrkdwn(message))

    def tell(self, target: SlackTarget, text: str) -> None:
        """Send mrkdwn ``text`` (already escaped where it holds outside words) privately."""
        if target.requester:
            try:
                self.client.chat_postEphemeral(
                    channel=target.channel, user=target.requester, text=text
                )
                return
            except SlackApiError as exc:
                log.info("ephemeral failed", extra={"error": exc.response.get("error")})
        if target.response_url:
            resp = WebhookClient(target.response_url).send(
                text=text, response_type="ephemeral", replace_original=False
            )
            if resp.status_code == 200:
                return
            log.warning("response_url failed", extra={"status": resp.status_code})
        log.warning("error not delivered", extra={"channel": target.channel})

    def unfurl(self, channel: str, ts: str, unfurls: dict[str, Any]) -> None:
        """Attach previews to links in a message (``chat.unfurl``)."""
        self.client.chat_unfurl(channel=channel, ts=ts, unfurls=unfurls)
