"""``POST /github/webhook``: verify, parse, queue, answer -- nothing slower on the request path.

GitHub gives up on a delivery after 10 seconds, so the work (reading the change, summarizing,
posting) is queued for a worker and the answer says only what was decided. Every answer is
JSON ``{"ok", "verdict", "reason", "channels"}``, which GitHub shows in the webhook's delivery log,
so whoever set the webhook up can see why a delivery did or did not lead to a report.
"""

from __future__ import annotations

import functools
import json
import logging
import re

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import messages
from bot.config import Config
from bot.jobs.fanout import queue_delivery
from bot.names import WEBHOOK_PATH
from bot.store.connection import REDIS_DOWN, get_redis
from bot.store.deliveries import is_delivery_id
from bot.webhooks.dispatch import Outcome, Verdict
from bot.webhooks.events import verify_signature
from handlers.bodies import read_capped

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 25 * 1024 * 1024
"""GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub."""
WEBHOOK_THREADS = 8
"""Threads deciding and queueing deliveries at once. A burst of deliveries waits its turn on
the event loop instead of taking every thread of the shared pool (which Slack requests use
too); with Redis a round trip away, more threads only add lock contention, not speed."""
_EVENT_RE = re.compile(r"[a-z_]{1,64}")

STATUS = {
    Verdict.PONG: 200,
    Verdict.QUEUED: 202,
    Verdict.IGNORED: 200,
    Verdict.DUPLICATE: 200,
    Verdict.BAD_PAYLOAD: 400,
    Verdict.NOT_ALLOWED: 403,
    Verdict.NO_SUBSCRIPTIONS: 422,
    Verdict.ACKNOWLEDGED: 200,
}


def _answer(status: int, verdict: str, reason: str, channels: int = 0) -> JSONResponse:
    body = {"ok": status < 400, "verdict": verdict, "reason": reason, "channels": channels}
    return JSONResponse(body, status_code=status)


def _decode(body: bytes, content_type: str) -> object:
    """The JSON payload; raises ValueError with the sentence to send back."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        if content_type.startswith("application/x-www-form-urlencoded"):
            raise ValueError(messages.WEBHOOK_FORM_ENCODED) from None
        raise ValueError(messages.WEBHOOK_NOT_JSON) from None


def _refusal(config: Config, request: Request, body: bytes) -> JSONResponse | None:
    """The answer to a delivery that is not verifiably GitHub's, or lacks its headers."""
    signature = request.headers.get("x-hub-signature-256")
    if not signature:
        return _answer(401, "unsigned", messages.WEBHOOK_NO_SIGNATURE)
    if not verify_signature(config.github_webhook_secret, body, signature):
        log.warning("webhook refused: bad signature")
        return _answer(401, "bad_signature", messages.WEBHOOK_BAD_SIGNATURE)
    if not _EVENT_RE.fullmatch(request.headers.get("x-github-event", "")):
        reason = messages.WEBHOOK_MISSING_HEADER.format(header="X-GitHub-Event")
        return _answer(400, "bad_request", reason)
    if not is_delivery_id(request.headers.get("x-github-delivery")):
        reason = messages.WEBHOOK_MISSING_HEADER.format(header="X-GitHub-Delivery")
        return _answer(400, "bad_request", reason)
    return None


def routes(config: Config) -> list[Route]:
    """The webhook route, bound to ``config`` (the secret is read once, at app creation)."""
    limiter: list[anyio.CapacityLimiter] = []  # made on first use, inside the server's loop

    def work(event: str, delivery: str, payload: object) -> Outcome:
        # In the thread: getting the client may have to reach (or start) the embedded Redis.
        return queue_delivery(config, get_redis(config), event, delivery, payload)

    async def decide(event: str, delivery: str, payload: object) -> Outcome:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(WEBHOOK_THREADS))
        call = functools.partial(work, event, delivery, payload)
        return await anyio.to_thread.run_sync(call, limiter=limiter[0])

    async def github_webhook(request: Request) -> JSONResponse:
        if not config.github_webhook_secret:
            log.warning("webhook refused: no secret configured")
            return _answer(503, "unconfigured", messages.WEBHOOK_NO_SECRET)
        try:
            body = await read_capped(request, MAX_BODY_BYTES)
        except ClientDisconnect:
            return _answer(400, "bad_request", messages.WEBHOOK_NOT_JSON)
        if body is None:
            reason = messages.WEBHOOK_TOO_LARGE.format(limit=MAX_BODY_BYTES)
            return _answer(413, "too_large", reason)
        refused = _refusal(config, request, body)
        if refused is not None:
            return refused
        event = request.headers["x-github-event"]
        delivery = request.headers["x-github-delivery"]
        try:
            payload = _decode(body, request.headers.get("content-type", ""))
        except ValueError as exc:
            return _answer(400, "bad_payload", str(exc))
        try:
            outcome = await decide(event, delivery, payload)
        except REDIS_DOWN:
            log.warning("webhook not queued: redis unavailable", extra={"delivery": delivery})
            return _answer(503, "unavailable", messages.WEBHOOK_STORE_DOWN)
        log.info(
            "webhook delivery",
            extra={
                "delivery": delivery,
                "event": event,
                "verdict": outcome.verdict.value,
                "channels": len(outcome.channels),
            },
        )
        status = STATUS[outcome.verdict]
        return _answer(status, outcome.verdict.value, outcome.reason, len(outcome.channels))

    return [Route(WEBHOOK_PATH, github_webhook, methods=["POST"])]
