"""Buttons on a report: "Regenerate" rebuilds without the cache and updates the message.

"Full report" is a link button; Slack still sends its click here, and it only needs an ack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import messages
from bot.config import Config
from bot.jobs.queue import Origin, ReportJob, enqueue_report
from bot.render.slack.parent import FULL_REPORT_ACTION, REGENERATE_ACTION
from bot.store.connection import REDIS_DOWN

log = logging.getLogger(__name__)


def _request(value: str) -> tuple[str, tuple[str, ...], str | None] | None:
    """The plain request a Regenerate button carries (see ``regenerate_value``)."""
    try:
        data = json.loads(value)
        source = data["source"]
        paths = tuple(str(p) for p in data.get("paths") or ())
        lang = data.get("lang")
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(source, str) or not source:
        return None
    return source, paths, lang if isinstance(lang, str) else None


def regenerate_job(body: dict[str, Any]) -> ReportJob | None:
    """The job a Regenerate click asks for: same request, no cache, same message updated."""
    action = (body.get("actions") or [{}])[0]
    request = _request(action.get("value") or "")
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if request is None or not channel or not message_ts:
        return None
    source, paths, lang = request
    # A parent with replies carries its own ts as thread_ts: it is not itself inside a thread.
    thread_ts = container.get("thread_ts")
    thread_ts = thread_ts if thread_ts != message_ts else None
    key = body.get("trigger_id") or f"{message_ts}:{action.get('action_ts')}"
    return ReportJob(
        source=source,
        channel=channel,
        requester=(body.get("user") or {}).get("id"),
        thread_ts=thread_ts,
        paths=paths,
        lang=lang,
        regenerate=True,
        message_ts=message_ts,
        response_url=body.get("response_url"),
        dedup_key=f"regenerate:{key}",
        origin=Origin.REGENERATE,
    )


def register(app: App, config: Config) -> None:
    def on_regenerate(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        job = regenerate_job(body)
        if job is None:
            respond(
                messages.SLACK_REGENERATE_UNUSABLE,
                response_type="ephemeral",
                replace_original=False,
            )
            return
        try:
            result = enqueue_report(config, job)
        except REDIS_DOWN:
            log.warning("enqueue failed: redis unavailable", extra={"channel": job.channel})
            respond(messages.SLACK_UNAVAILABLE, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # told, like the slash command, never a silent failure
            log.exception("regenerate failed", extra={"channel": job.channel})
            respond(
                messages.SLACK_INTERNAL_ERROR, response_type="ephemeral", replace_original=False
            )
            return
        log.info("regenerate enqueued", extra={"job": result.job_id})

    def on_full_report(ack: Ack) -> None:
        ack()

    app.action(REGENERATE_ACTION)(on_regenerate)
    app.action(FULL_REPORT_ACTION)(on_full_report)
