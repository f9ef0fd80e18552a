"""The web process: one Starlette app on uvicorn serving Slack, GitHub and the report pages.

Bolt verifies every Slack request (signature and 5-minute replay window) and answers 401 on
its own; listeners only parse, enqueue and acknowledge, so ``process_before_response`` is on:
the acknowledgement is sent after the job is safely in Redis, and nothing runs after it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import (
    SlackRequestHandler,
    to_bolt_request,
    to_starlette_response,
)
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.config import Config
from bot.names import SLACK_EVENTS_PATH
from bot.store.connection import redis_ok
from handlers import actions, github_webhook, slash, unfurl, web
from handlers.bodies import read_capped
from handlers.socket_mode import SocketLink

log = logging.getLogger(__name__)

LISTEN_BACKLOG = 2048
"""Well above 50 simultaneous connects, so none waits on a SYN retry (the default is 2048
in uvicorn too, but the kernel's somaxconn caps it; see README)."""


LAZY_THREADS = 2
"""Threads for work done after an ack (queueing a job). Few on purpose: queueing is a few
milliseconds of Redis calls, and many threads doing it at once hold the GIL against the
threads answering Slack, which doubled the ack p99 in benchmarks/bench_slack.py."""


MAX_SLACK_BODY_BYTES = 1024 * 1024
"""Slack's own payloads are a few kilobytes (an interactive message's, with its blocks, tens);
anything over a megabyte is refused before it is read whole, signed or not."""


class ThreadedSlackRequestHandler(SlackRequestHandler):
    """Bolt's Starlette adapter, with the synchronous dispatch moved off the event loop.

    The stock handler calls ``App.dispatch`` inside the coroutine, so one slow listener would
    stall every other request; concurrent slash commands must not queue behind each other.
    The body arrives already read and verified (see :func:`create_app`).
    """

    async def handle_verified(self, req: Request, body: bytes) -> Response:
        try:
            bolt_req = to_bolt_request(req, body)
        except ValueError:  # signed, yet not the form or JSON it claims (UnicodeDecodeError too)
            return _malformed("not the form or JSON it claims")
        except (AttributeError, TypeError, KeyError):  # a list, not an object: Bolt trips
            return _malformed("not a Slack payload")
        if not _well_formed(bolt_req.body):
            return _malformed("not a Slack payload")
        try:
            bolt_resp = await run_in_threadpool(self.app.dispatch, bolt_req)
        except Exception as exc:  # noqa: BLE001 - Bolt tripping on a shape it did not expect
            return _malformed(type(exc).__name__)
        return to_starlette_response(bolt_resp)


def _well_formed(body: object) -> bool:
    """The shapes Bolt reads without checking: an object, whose ``event``, ``actions`` and
    ``view`` (when present) have the types Slack sends."""
    if not isinstance(body, dict):
        return False
    expected = {"event": dict, "actions": list, "view": dict, "container": dict, "user": dict}
    return all(
        isinstance(body[key], kind) for key, kind in expected.items() if key in body
    ) and all(isinstance(a, dict) for a in body.get("actions") or [])


def _malformed(why: str) -> JSONResponse:
    """A signed request we cannot use: one log line, a 400, never a traceback."""
    log.warning("slack request refused: malformed", extra={"why": why})
    return JSONResponse({"error": "malformed request"}, status_code=400)


SIGNATURE_WINDOW_SECONDS = 5 * 60
"""Slack's replay window: an older timestamp is refused, as Bolt does."""


def signed_by_slack(secret: str, body: bytes, request: Request) -> bool:
    """Slack's v0 signature over these exact bytes (decoded or not), within its window.

    Checked here, before Bolt sees the body, because Bolt decodes and parses first: junk
    that is not UTF-8 or not the JSON it claims would be a 500 with a traceback.
    """
    stamp = request.headers.get("x-slack-request-timestamp", "")
    given = request.headers.get("x-slack-signature", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    mac = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest(f"v0={mac.hexdigest()}".encode(), given.encode("utf-8", "replace"))


def build_bolt_app(config: Config) -> App:
    """The Bolt app with its WebClient on ``SLACK_API_URL`` and every listener registered.

    The bot token goes in through that client only (Bolt takes the client's token).
    """
    client = WebClient(token=config.slack_bot_token, base_url=config.slack_api_url)
    app = App(
        # Never Bolt's fallback to the environment: config is the one source.
        signing_secret=config.slack_signing_secret or "",
        client=client,
        process_before_response=True,
        # No auth.test at start-up: the web process must come up (and answer GitHub and the
        # report pages) even while Slack is unreachable; a bad token shows in the workers' posts.
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(
            max_workers=LAZY_THREADS, thread_name_prefix="bolt-lazy"
        ),
    )
    slash.register(app, config)
    actions.register(app, config)
    unfurl.register(app, config)
    # Other features register their listeners here, one line each.
    return app


def create_app(
    config: Config, bolt_app: App | None = None, socket: SocketLink | None = None
) -> Starlette:
    """Every HTTP route of ``diffinsight serve``; ``socket`` is the Socket Mode link if any."""
    handler = ThreadedSlackRequestHandler(bolt_app or build_bolt_app(config))

    async def slack_events(request: Request) -> Response:
        """Cap, then verify, then parse: nothing unsigned is parsed or held in memory whole."""
        if not config.slack_signing_secret:
            # An empty secret would make every signature forgeable (Socket Mode needs none).
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            body = await read_capped(request, MAX_SLACK_BODY_BYTES)
        except ClientDisconnect:
            return JSONResponse({"error": "incomplete request"}, status_code=400)
        if body is None:
            return JSONResponse({"error": "payload too large"}, status_code=413)
        if not signed_by_slack(config.slack_signing_secret, body, request):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        return await handler.handle_verified(request, body)

    async def healthz(request: Request) -> Response:
        state: dict[str, bool] = {"ok": True, "redis": await run_in_threadpool(redis_ok, config)}
        if socket is not None:  # Socket Mode: is Slack's WebSocket up (else the bot is deaf)
            state["slack"] = socket.connected()
        return JSONResponse(state)

    routes: list[BaseRoute] = [
        Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        *web.routes(config),
        *github_webhook.routes(config),
    ]
    # Other features add their routes here, one line each.
    return Starlette(routes=routes)


def uvicorn_config(app: Starlette, port: int, host: str = "0.0.0.0") -> uvicorn.Config:
    """The production server settings (also used by the tests and the benchmark)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        backlog=LISTEN_BACKLOG,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )


def serve(config: Config, port: int | None = None) -> int:
    """Run the web process until stopped; Socket Mode as well when ``SLACK_APP_TOKEN`` is set."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    bolt_app = build_bolt_app(config)
    link = SocketLink(config, bolt_app).start() if config.slack_app_token else None
    app = create_app(config, bolt_app, link)
    server = uvicorn.Server(uvicorn_config(app, port or config.port))
    server.run()
    return 0
