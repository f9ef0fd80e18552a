"""A report's thread kept in step with its parent message: posted once, replaced on Regenerate.

What a parent's thread holds is recorded per channel + parent ``ts`` (``reply:N`` = the
reply's ts, ``file`` = the uploaded Markdown's id), not per job, so a Regenerate (a new job)
finds the thread its message already has and rewrites it: recorded replies are updated in
place with ``chat.update``, only the replies beyond them are posted, replies left over are
deleted (``chat.delete``) and the old file is deleted (``files.delete``) once the new one is
up. The job's own journal marks each reply this job has written, so a retried job resumes
where it stopped and never posts a reply twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.render.markdown import render_markdown
from bot.render.slack.mrkdwn import SlackMessage, escape_mrkdwn, truncate_plain
from bot.report import Report

log = logging.getLogger(__name__)

MESSAGE_GONE = frozenset({"message_not_found", "cant_update_message"})
"""A recorded reply someone deleted (or that cannot be edited): post a fresh one instead."""
DELETE_DONE = frozenset({"message_not_found", "file_not_found", "file_deleted"})
"""Deleting what is already gone has nothing left to do."""
DELETE_REFUSED = frozenset({"cant_delete_message", "cant_delete_file"})
"""Not ours to delete (Slack says so): left in place, logged, never a failed report."""


class Journal(Protocol):
    """A small record of what was posted (``bot.jobs.run.PostRecord`` fits)."""

    def get(self, field: str) -> str | None: ...

    def set(self, field: str, value: str) -> None: ...

    def delete(self, field: str) -> None: ...


class MemoryJournal:
    """A journal for one call with nothing to resume from (no job, no Redis)."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def get(self, field: str) -> str | None:
        return self.fields.get(field)

    def set(self, field: str, value: str) -> None:
        self.fields[field] = value

    def delete(self, field: str) -> None:
        self.fields.pop(field, None)


Post = Callable[[str, SlackMessage, str | None], str]
Update = Callable[[str, str, SlackMessage], str]


def write_replies(
    post: Post,
    update: Update,
    channel: str,
    thread_ts: str,
    msgs: list[SlackMessage],
    thread: Journal,
    job: Journal | None,
) -> list[str]:
    """Make reply ``i`` of the thread show ``msgs[i]``: update the recorded one, else post."""
    out: list[str] = []
    for i, msg in enumerate(msgs):
        done = job.get(f"reply:{i}") if job is not None else None
        if done:  # an earlier attempt of this job wrote it
            out.append(done)
            continue
        ts = thread.get(f"reply:{i}")
        if ts:
            try:
                update(channel, ts, msg)
            except SlackApiError as exc:
                if exc.response.get("error") not in MESSAGE_GONE:
                    raise
                ts = None
        if not ts:
            ts = post(channel, msg, thread_ts)
            thread.set(f"reply:{i}", ts)
        if job is not None:
            job.set(f"reply:{i}", ts)
        out.append(ts)
    return out


def drop_extra_replies(client: WebClient, channel: str, first: int, thread: Journal) -> int:
    """Delete the recorded replies from index ``first`` on (an older, longer report's)."""
    i = first
    while (ts := thread.get(f"reply:{i}")) is not None:
        _delete(partial(client.chat_delete, channel=channel, ts=ts), "reply", channel)
        thread.delete(f"reply:{i}")
        i += 1
    return i - first


def replace_file(client: WebClient, channel: str, new_id: str | None, thread: Journal) -> None:
    """Record ``new_id`` as the thread's file, deleting the one it replaces."""
    old = thread.get("file")
    if old and old != new_id:
        _delete(lambda: client.files_delete(file=old), "file", channel)
    if new_id:
        thread.set("file", new_id)
    elif old:
        thread.delete("file")


def _delete(call: Callable[[], object], what: str, channel: str) -> None:
    try:
        call()
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in DELETE_REFUSED:
            log.warning(
                "old thread item not deleted",
                extra={"what": what, "channel": channel, "error": error},
            )
        elif error not in DELETE_DONE:
            raise


def upload_report(client: WebClient, report: Report, channel: str, thread_ts: str) -> str | None:
    """Upload the complete Markdown report into the thread; its file id."""
    markdown = render_markdown(report)
    name = report.repository.replace("/", "-")
    short = (report.head.sha or "report")[:7]
    resp = client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=markdown.encode("utf-8"),
        filename=f"diffinsight-{name}-{short}.md",
        # Shown next to the file in the thread: repository text, escaped like the rest.
        title=messages.SLACK_REPORT_FILE_TITLE.format(
            title=escape_mrkdwn(truncate_plain(report.title, 150))
        ),
    )
    file = resp.get("file") or {}
    return file.get("id")
