"""``GET /reports/{id}`` (HTML), ``.json`` and ``.md``: a cached report, read-only.

The id is the cache's unguessable HMAC id, so knowing a repository and range is not enough
to read its report. Pages are served only from the cache: an expired report says so (410)
and shows nothing stale; a Redis that cannot be reached is a 503, never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, request_response

from bot import messages
from bot.config import Config
from bot.names import REPORTS_PATH, is_report_id
from bot.render.html import render_html, render_message_page
from bot.render.json import report_json
from bot.render.markdown import render_markdown
from bot.report import Report
from bot.store.cache import load_report_by_id, report_expired
from bot.store.connection import RedisUnavailable

log = logging.getLogger(__name__)
# Logs carry only an id's first 8 characters: the whole id is the key to a private report.


SECURITY_HEADERS = {
    # No scripts, no external assets: the page needs only its own inline stylesheet.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # The URL is the only key to a private repository's report: never send it elsewhere.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}

Renderer = Callable[[Report, str], Response]


def _html(report: Report, report_id: str) -> Response:
    return HTMLResponse(render_html(report, report_id), headers=SECURITY_HEADERS)


def _json(report: Report, report_id: str) -> Response:
    body = json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type="application/json", headers=SECURITY_HEADERS)


def _markdown(report: Report, report_id: str) -> Response:
    return PlainTextResponse(
        render_markdown(report),
        media_type="text/markdown; charset=utf-8",
        headers=SECURITY_HEADERS,
    )


def _problem(kind: str, status: int, title: str, message: str) -> Response:
    """The same answer in the shape the client asked for (page, JSON or text)."""
    if kind == "json":
        return JSONResponse({"error": title, "message": message}, status, SECURITY_HEADERS)
    if kind == "md":
        return PlainTextResponse(f"{title}\n\n{message}\n", status, SECURITY_HEADERS)
    return HTMLResponse(render_message_page(title, message), status, SECURITY_HEADERS)


def _handler(kind: str, config: Config, render: Renderer) -> Callable[[Request], Response]:
    """A sync endpoint: Starlette runs it in its thread pool, so Redis calls never block."""

    def endpoint(request: Request) -> Response:
        report_id = request.path_params["report_id"]
        if not is_report_id(report_id):  # anything else is answered without Redis
            return _problem(kind, 404, messages.WEB_NOT_FOUND_TITLE, messages.WEB_NOT_FOUND)
        try:
            report = load_report_by_id(config, report_id)
            if report is None:
                if report_expired(config, report_id):
                    log.info("report page expired", extra={"report": report_id[:8]})
                    return _problem(kind, 410, messages.WEB_EXPIRED_TITLE, messages.WEB_EXPIRED)
                log.info("report page unknown id")
                return _problem(kind, 404, messages.WEB_NOT_FOUND_TITLE, messages.WEB_NOT_FOUND)
        except RedisUnavailable:
            log.warning("report page: redis unavailable", extra={"report": report_id[:8]})
            response = _problem(kind, 503, messages.WEB_UNAVAILABLE_TITLE, messages.WEB_UNAVAILABLE)
            response.headers["Retry-After"] = "30"
            return response
        return render(report, report_id)

    return endpoint


def _not_found(request: Request) -> Response:
    """Anything else under /reports/ (a mangled or truncated link) gets the same friendly page."""
    rest = request.path_params["rest"]
    kind = "json" if rest.endswith(".json") else "md" if rest.endswith(".md") else "html"
    return _problem(kind, 404, messages.WEB_NOT_FOUND_TITLE, messages.WEB_NOT_FOUND)


def _compressed(endpoint: Callable[[Request], Response]) -> GZipMiddleware:
    """A 300-file page is megabytes of HTML and about a tenth of that gzipped; level 1 costs
    a few tens of milliseconds (in a thread for large bodies) and matters most on phones."""
    return GZipMiddleware(request_response(endpoint), minimum_size=1024, compresslevel=1)


def routes(config: Config) -> list[Route]:
    """The report routes; the suffixed ones come first because ``{report_id}`` matches dots."""
    pages = [
        (REPORTS_PATH + "{report_id}.json", _handler("json", config, _json)),
        (REPORTS_PATH + "{report_id}.md", _handler("md", config, _markdown)),
        (REPORTS_PATH + "{report_id}", _handler("html", config, _html)),
        (REPORTS_PATH + "{rest:path}", _not_found),
    ]
    return [Route(path, _compressed(endpoint), methods=["GET"]) for path, endpoint in pages]
