"""Posting one claimed digest: build it (through the cache), post it like a report, or nothing.

The job's post record (bot/jobs/run.py) is keyed by its claim, so a retry after a crash or a
Slack hiccup resumes the same message and thread instead of posting a second digest. An empty
period posts nothing. Access is checked here, with the report's rules, never on the request
path: a repository that cannot be read (gone, private and not allowed) ends the subscription
and the person who made it is told.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import messages
from bot.build import build_digest
from bot.config import Config
from bot.errors import NotAllowedError, NotFoundError, UnknownRefError
from bot.jobs.run import PostRecord, attempt_once
from bot.names import report_url
from bot.reading.github_client import check_access
from bot.reading.window_github import check_branch
from bot.report import Report
from bot.request import DigestRequest, ReportRequest
from bot.slack.poster import SlackPoster, SlackTarget
from bot.store.cache import cached_build, remember_digest
from bot.store.digests import digest_store

log = logging.getLogger(__name__)

GONE = (NotFoundError, NotAllowedError, UnknownRefError)
"""Failures that end a subscription: the repository (or its branch) cannot be read with the
report's rules; trying again each period would only repeat the same message."""


def _target(fields: dict[str, Any]) -> SlackTarget:
    trigger = messages.SLACK_TRIGGER_DIGEST.format(
        cadence=str(fields.get("cadence", "")).capitalize(),
        since=str(fields["since"])[:10],
        until=str(fields["until"])[:10],
    )
    return SlackTarget(
        channel=fields["channel"], requester=fields.get("created_by"), trigger=trigger
    )


def _tell_once(
    config: Config, record: PostRecord, poster: SlackPoster, target: SlackTarget, text: str
) -> None:
    if not record.claim("told"):
        return
    try:
        poster.post_error(target, text)
    except Exception:  # noqa: BLE001 - telling is best effort; the failure is logged
        log.warning("digest failure not told", extra={"channel": target.channel})


def _post(config: Config, fields: dict[str, Any], record: PostRecord, poster: SlackPoster) -> str:
    request = DigestRequest(
        source=f"{fields['repository']}@{fields['branch']}"
        if fields.get("branch")
        else fields["repository"],
        since=fields["since"],
        until=fields["until"],
        paths=tuple(fields.get("paths") or ()),
    )
    built: list[tuple[str, ReportRequest]] = []

    def through_cache(compare: ReportRequest) -> Report:
        outcome = cached_build(compare, config)
        built.append((outcome.key, compare))
        return outcome.report

    outcome = build_digest(request, config, build=through_cache)
    if outcome.report is None:
        log.info("digest empty, nothing posted", extra={"channel": fields["channel"]})
        record.set("done", "empty")
        return "empty"
    page_id = remember_digest(config, built[-1][0], outcome.report, built[-1][1])
    result = poster.post_report(
        outcome.report,
        _target(fields),
        parent_ts=record.get("parent"),
        report_url=report_url(config.public_url, page_id),
        paths=request.paths,
        journal=record,
        threads=lambda channel, ts: PostRecord.thread(config, channel, ts),
    )
    record.set("done", result.error or "posted")
    return "posted" if result.error is None else "failed"


def run_digest_job(
    config: Config,
    fields: dict[str, Any],
    post_key: str,
    *,
    retries_left: int,
    poster: SlackPoster | None = None,
) -> str:
    """Post the claimed digest once; raise on a transient failure while retries remain."""
    record = PostRecord.open(config, post_key)
    if record.get("done"):
        return "already-posted"
    store = digest_store(config)
    if store.get(fields["channel"], fields["repository"]) is None:
        record.set("done", "stopped")  # stopped after the claim: nothing more to say
        return "stopped"
    posting = poster or SlackPoster(config)

    def give_up(exc: BaseException, transient: bool) -> None:
        if isinstance(exc, GONE):
            store.delete(fields["channel"], fields["repository"])
            text = messages.DIGEST_ACCESS_REFUSED.format(
                cadence=fields["cadence"], repository=fields["repository"], reason=str(exc)
            )
        else:
            period = f"{str(fields['since'])[:10]} to {str(fields['until'])[:10]}"
            reason = str(exc) if not transient else type(exc).__name__
            text = messages.DIGEST_FAILED.format(
                cadence=fields["cadence"],
                repository=fields["repository"],
                period=period,
                reason=reason,
            )
        _tell_once(config, record, posting, _target(fields), text)

    return attempt_once(
        "digest job failed",
        post_key,
        record,
        retries_left,
        lambda: _post(config, fields, record, posting),
        give_up,
    )


def check_new_digest(
    config: Config, channel: str, repository: str, cadence: str, created_by: str | None
) -> str:
    """A new digest's repository (and branch) is read once, with the report's rules; if it
    cannot be, the subscription goes and its maker is told (transient failures raise, so RQ
    retries)."""
    sub = digest_store(config).get(channel, repository)
    try:
        owner, name = repository.split("/", 1)
        if sub is not None and sub.branch:
            check_branch(config, owner, name, sub.branch)
        else:
            check_access(config, owner, name)
    except GONE as exc:
        digest_store(config).delete(channel, repository)
        text = messages.DIGEST_ACCESS_REFUSED.format(
            cadence=cadence, repository=repository, reason=str(exc)
        )
        try:
            SlackPoster(config).post_error(SlackTarget(channel=channel, requester=created_by), text)
        except Exception:  # noqa: BLE001 - best effort; the subscription is gone either way
            log.warning("digest refusal not told", extra={"channel": channel})
        return "refused"
    return "ok"
