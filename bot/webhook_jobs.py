"""Queueing subscription reports, and the one job that first checks the change touches the paths.

A push delivery lists the files each commit touched, so the webhook can drop a channel whose
paths were not touched before anything is queued. A merged pull request (and a forced push)
does not say, so for a path-filtered subscription the worker reads the change first and posts
only when a file matches; otherwise the channel would get an empty per-area report.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from typing import Any

from bot.build import filter_change, read_change
from bot.config import Config
from bot.errors import SourceReadError
from bot.jobs import EnqueueResult, ReportJob, build_and_post, current_config, enqueue
from bot.sources import SourceError, parse_source

log = logging.getLogger(__name__)

SKIPPED = "no-matching-paths"


def enqueue_if_touched(config: Config, job: ReportJob) -> EnqueueResult:
    """Queue :func:`report_if_touched` for ``job`` (once per ``job.dedup_key``)."""
    job_id = uuid.uuid4().hex
    kwargs = {**asdict(job), "paths": tuple(job.paths), "post_key": job_id}
    return enqueue(config, report_if_touched, kwargs, job.dedup_key, job_id=job_id)


def report_if_touched(post_key: str | None = None, **fields: Any) -> str:
    """Worker job: build and post the report only when the change touches ``paths``.

    An unreadable change is handed on to :func:`bot.jobs.build_and_post` unchanged, which
    retries transient failures and tells the subscriber about lasting ones.
    """
    config = current_config()
    paths = tuple(fields.get("paths") or ())
    if paths:
        try:
            source = parse_source(fields["source"], github_web_host=config.github_web_host)
            change = read_change(source, config)
        except (SourceError, SourceReadError):
            change = None
        if change is not None and not filter_change(change, paths).files:
            log.info("webhook report skipped", extra={"job": post_key, "reason": SKIPPED})
            return SKIPPED
    return build_and_post(post_key=post_key, **fields)
