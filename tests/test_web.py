"""The report routes against a real Redis: a report built through the cache, then served."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from html import escape

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot import messages
from bot.config import Config
from bot.render.json import report_json
from bot.render.markdown import render_markdown
from bot.request import ReportRequest
from bot.store.cache import BuildOutcome, cached_build
from handlers.web import routes
from tests.support import free_port

HOSTILE_LINE = "<script>alert('pwned')</script> <!channel>"


def build_local(config: Config, make_repo) -> BuildOutcome:  # type: ignore[no-untyped-def]
    """A real report of a two-commit local repository, through the real cache."""
    lines = "".join(f"line {i}\n" for i in range(1, 30))
    changed = lines.replace("line 12\n", f"line twelve\n{HOSTILE_LINE}\n")
    root, _ = make_repo(
        [
            {"src/app.py": lines, "README.md": "# Demo\n\nFirst words.\n"},
            {"src/app.py": changed, "README.md": "# Demo\n\nBetter words.\n", "new.txt": "hi\n"},
        ]
    )
    request = ReportRequest(source="HEAD~1...HEAD", git_path=str(root), summarizer="heuristic")
    return cached_build(request, config)


def client_for(config: Config) -> TestClient:
    return TestClient(Starlette(routes=routes(config)))


@pytest.fixture
def built(config: Config, make_repo) -> tuple[Config, BuildOutcome]:  # type: ignore[no-untyped-def]
    return config, build_local(config, make_repo)


def test_page_serves_the_cached_report_escaped_and_locked_down(built) -> None:  # type: ignore[no-untyped-def]
    config, outcome = built
    response = client_for(config).get(f"/reports/{outcome.report_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-encoding"] == "gzip"
    page = response.text
    assert outcome.report.title in page
    assert escape(HOSTILE_LINE, quote=False) in page
    assert "<script>" not in page
    for f in outcome.report.files:
        assert f'id="{f.anchor}"' in page and f'href="#{f.anchor}"' in page


def test_json_and_markdown_twins_match_the_other_renderers(built) -> None:  # type: ignore[no-untyped-def]
    config, outcome = built
    client = client_for(config)
    as_json = client.get(f"/reports/{outcome.report_id}.json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json() == json.loads(json.dumps(report_json(outcome.report)))
    as_md = client.get(f"/reports/{outcome.report_id}.md")
    assert as_md.status_code == 200
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert as_md.text == render_markdown(outcome.report)


@pytest.mark.parametrize("report_id", [uuid.uuid4().hex, "x", "..%2F..%2Fetc", "a" * 300])
def test_unknown_ids_get_a_friendly_404(config: Config, report_id: str) -> None:
    client = client_for(config)
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 404
    assert messages.WEB_NOT_FOUND_TITLE in page.text
    assert escape(messages.WEB_NOT_FOUND) in page.text
    as_json = client.get(f"/reports/{report_id}.json")
    assert as_json.status_code == 404
    assert as_json.json()["error"] == messages.WEB_NOT_FOUND_TITLE


def test_an_expired_report_says_so_and_shows_nothing_stale(config: Config, make_repo) -> None:  # type: ignore[no-untyped-def]
    short = replace(config, cache_ttl_seconds=1)
    outcome = build_local(short, make_repo)
    client = client_for(short)
    assert client.get(f"/reports/{outcome.report_id}").status_code == 200
    deadline = time.monotonic() + 5
    response = client.get(f"/reports/{outcome.report_id}")
    while response.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        response = client.get(f"/reports/{outcome.report_id}")
    assert response.status_code == 410
    assert escape(messages.WEB_EXPIRED) in response.text
    assert "src/app.py" not in response.text
    assert outcome.report.title not in response.text
    md = client.get(f"/reports/{outcome.report_id}.md")
    assert md.status_code == 410 and messages.WEB_EXPIRED in md.text


def test_redis_down_is_a_503_not_a_crash(config: Config) -> None:
    down = replace(config, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = client_for(down).get(f"/reports/{uuid.uuid4().hex}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert messages.WEB_UNAVAILABLE_TITLE in response.text
