"""Link unfurls end to end: a signed ``link_shared`` event on the running app, a real worker,
FakeGitHub for the change and FakeSlack for ``chat.unfurl``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

from bot import messages
from bot.config import Config
from bot.jobs.queue import get_queue
from bot.jobs.worker import run_worker
from bot.render.slack.unfurl import unfurl_for
from bot.request import ReportRequest
from bot.slack.unfurl import is_fixed, remember_link, shared_links
from bot.sources import parse_source
from bot.store.cache import cached_build
from handlers.unfurl import handle_link_shared
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.support import free_port, running_server, sign_slack
from tests.webdata import HOSTILE, small_report

SECRET = "unfurl-signing-secret"
CHANNEL = "C0LINKS"


@pytest.fixture
def github(make_repo) -> Iterator[tuple[FakeGitHub, list[str]]]:  # type: ignore[no-untyped-def]
    root, shas = make_repo(
        [
            {"docs/guide.md": "# Guide\n\nFirst words.\n"},
            {"docs/guide.md": "# Guide <!channel> <script>x</script>\n\nNew words & more.\n"},
        ]
    )
    with FakeGitHub() as gh:
        gh.add_repo("octo", "docs", root)
        yield gh, shas


@pytest.fixture
def app_config(config: Config, github, slack: FakeSlack) -> Config:  # type: ignore[no-untyped-def]
    gh, _ = github
    return replace(
        config,
        github_api_url=gh.api_url,
        slack_api_url=slack.api_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SECRET,
        public_url="https://di.example",
        summarizer="heuristic",
    )


def _post_user_message(slack: FakeSlack, text: str) -> str:
    """What a person does: post a message with the link (the fake must know the message)."""
    client = WebClient(token=slack.token, base_url=slack.api_url)
    return client.chat_postMessage(channel=CHANNEL, text=text)["ts"]


def _event(event_id: str, ts: str, urls: list[str], host: str) -> bytes:
    body = {
        "token": "deprecated",
        "team_id": "T0FAKE",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authed_users": ["U0DIFFBOT"],
        "event": {
            "type": "link_shared",
            "channel": CHANNEL,
            "is_bot_user_member": True,
            "user": "U0PASTER",
            "message_ts": ts,
            "unfurl_id": f"{CHANNEL}.{ts}.abc",
            "source": "conversations_history",
            "event_ts": ts,
            "links": [{"domain": host.split(":")[0], "url": u} for u in urls],
        },
    }
    return json.dumps(body).encode()


def _send(base: str, body: bytes, **headers: str) -> httpx.Response:
    signed = {**sign_slack(body, SECRET), "Content-Type": "application/json", **headers}
    return httpx.post(f"{base}/slack/events", content=body, headers=signed, timeout=10)


def _unfurl_text(call_args: dict[str, Any]) -> str:
    unfurls = call_args["unfurls"]
    return json.dumps(unfurls, ensure_ascii=False)


def test_link_shared_unfurls_once_escaped_then_from_cache(
    app_config: Config,
    github,
    slack: FakeSlack,  # type: ignore[no-untyped-def]
) -> None:
    gh, shas = github
    url = f"{gh.web_url}/octo/docs/compare/{shas[0]}...{shas[1]}"
    other = "https://example.com/not/github"
    ts = _post_user_message(slack, f"look: <{url}>")
    body = _event("Ev0FIRST", ts, [url, other], gh.web_host)
    with running_server(app_config) as base:
        first = _send(base, body)
        # Slack needs the acknowledgement within 3 seconds: it reads nothing from GitHub and
        # sends nothing to Slack, it only queues the preview's job.
        assert first.status_code == 200 and gh.requests == []
        retry = _send(
            base, body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert retry.status_code == 200 and gh.requests == []
        queue = get_queue(app_config)
        assert queue.count == 1, "one job for the one GitHub link; the retry queued nothing"
        assert slack.calls_to("chat.unfurl") == []

        assert run_worker(app_config, burst=True) == 0

        (call,) = slack.calls_to("chat.unfurl")
        assert call.response.get("ok") is True
        assert call.args["channel"] == CHANNEL and call.args["ts"] == ts
        assert list(call.args["unfurls"]) == [url]
        text = _unfurl_text(call.args)
        assert "&lt;!channel&gt;" in text and "<!channel>" not in text
        assert "<script>" not in text
        assert "octo/docs" in text and shas[1][:7] in text
        button = call.args["unfurls"][url]["blocks"][-1]["elements"][0]
        assert button["text"]["text"] == messages.UNFURL_FULL_REPORT
        assert button["url"].startswith("https://di.example/reports/")

        # The page behind the button is served by the same app.
        report_id = button["url"].rsplit("/", 1)[1]
        page = httpx.get(f"{base}/reports/{report_id}", timeout=10)
        assert page.status_code == 200 and "octo/docs" in page.text

        # The same link pasted again: unfurled at once from the cache, no job, no GitHub read.
        github_reads = len(gh.requests)
        ts2 = _post_user_message(slack, f"again {url}")
        again = _send(base, _event("Ev0SECOND", ts2, [url], gh.web_host))
        assert again.status_code == 200
        calls = slack.calls_to("chat.unfurl")
        assert len(calls) == 2 and calls[1].args["ts"] == ts2
        assert queue.count == 0
        assert len(gh.requests) == github_reads

        # A link to the report page itself unfurls too, from the cache, never with a build.
        ts3 = _post_user_message(slack, f"the report: {button['url']}")
        unknown = "https://di.example/reports/" + "0" * 32
        page_link = _send(base, _event("Ev0THIRD", ts3, [button["url"], unknown], "di.example"))
        assert page_link.status_code == 200
        third = slack.calls_to("chat.unfurl")[-1]
        assert len(slack.calls_to("chat.unfurl")) == 3
        assert list(third.args["unfurls"]) == [button["url"]]
        assert queue.count == 0


def test_a_link_we_cannot_read_gets_no_preview_and_no_retry(
    app_config: Config,
    github,
    slack: FakeSlack,  # type: ignore[no-untyped-def]
) -> None:
    gh, shas = github
    url = f"{gh.web_url}/octo/missing/compare/{shas[0]}...{shas[1]}"
    ts = _post_user_message(slack, url)
    with running_server(app_config) as base:
        assert _send(base, _event("Ev0MISSING", ts, [url], gh.web_host)).status_code == 200
    queue = get_queue(app_config)
    assert queue.count == 1
    assert run_worker(app_config, burst=True) == 0
    assert slack.calls_to("chat.unfurl") == []
    assert queue.count == 0 and queue.failed_job_registry.count == 0
    assert queue.scheduled_job_registry.count == 0, "a missing repository is not retried"


def test_a_cached_preview_is_queued_when_slack_cannot_be_reached(
    config: Config,
    make_repo,  # type: ignore[no-untyped-def]
) -> None:
    root, _ = make_repo([{"a.txt": "one\n"}, {"a.txt": "two\n"}])
    request = ReportRequest(source="HEAD~1...HEAD", git_path=str(root), summarizer="heuristic")
    outcome = cached_build(request, config)
    url = "https://github.com/octo/docs/compare/main...dev"
    remember_link(config, parse_source(url), outcome.report_id)
    down = replace(config, slack_api_url=f"http://127.0.0.1:{free_port()}/api/")
    body = json.loads(_event("Ev0DOWN", "1.000200", [url], "github.com"))
    assert handle_link_shared(down, body, "xoxb-test") == {"unfurled": 0, "queued": 1}
    assert get_queue(config).count == 1
    # The same event again (a retry) changes nothing.
    assert handle_link_shared(down, body, "xoxb-test") == {"unfurled": 0, "queued": 0}


def test_unsigned_link_shared_is_refused(app_config: Config, github, slack: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    gh, shas = github
    url = f"{gh.web_url}/octo/docs/commit/{shas[1]}"
    body = _event("Ev0FORGED", "1.2", [url], gh.web_host)
    with running_server(app_config) as base:
        forged = httpx.post(
            f"{base}/slack/events",
            content=body,
            headers={**sign_slack(body, "wrong-secret"), "Content-Type": "application/json"},
            timeout=10,
        )
    assert forged.status_code == 401
    assert get_queue(app_config).count == 0
    assert slack.calls_to("chat.unfurl") == []


def test_unfurl_blocks_escape_everything_and_fit_slack() -> None:
    report = small_report()
    report.highlights.other_updates.append("x" * 5000)
    blocks = unfurl_for(report, "https://di.example/reports/abc")["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert HOSTILE not in text
    assert "&lt;!channel&gt;" in text and "&lt;@U123|boss&gt;" in text
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert unfurl_for(report, None)["blocks"][-1]["type"] == "section"  # no PUBLIC_URL, no button


def test_unfurl_counts_one_file_in_the_singular() -> None:
    report = small_report()
    one = replace(report, files=report.files[:1])
    two = replace(report, files=report.files[:1] * 2)
    one_text = json.dumps(unfurl_for(one, None)["blocks"], ensure_ascii=False)
    two_text = json.dumps(unfurl_for(two, None)["blocks"], ensure_ascii=False)
    assert " · 1 file, +" in one_text and "1 files" not in one_text
    assert " · 2 files, +" in two_text


def test_only_github_change_links_are_taken(config: Config) -> None:
    links = [
        {"url": "https://github.com/o/r/compare/a...b"},
        {"url": "https://github.com/o/r/compare/a...b"},
        {"url": "https://github.com/o/r/pull/7"},
        {"url": "https://github.com/o/r/issues/7"},
        {"url": "https://evil.example/o/r/pull/7"},
        {"url": None},
    ]
    taken = shared_links(config, links)
    assert [link.url for link in taken] == [
        "https://github.com/o/r/compare/a...b",
        "https://github.com/o/r/pull/7",
    ]
    sha = "a" * 40
    assert is_fixed(parse_source(f"https://github.com/o/r/commit/{sha}"))
    assert is_fixed(parse_source(f"https://github.com/o/r/compare/{sha}...o:{'b' * 40}"))
    assert not is_fixed(parse_source("https://github.com/o/r/compare/main...dev"))
    assert not is_fixed(parse_source("https://github.com/o/r/pull/7"))


def test_a_link_reported_by_the_slash_command_unfurls_from_the_cache_without_a_job(
    app_config: Config,
    github,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
) -> None:
    from bot.jobs.queue import ReportJob
    from bot.jobs.run import run_report_job
    from bot.slack.unfurl import cached_for_link
    from bot.store.cache import cached_build as build

    gh, shas = github
    url = f"{gh.web_url}/octo/docs/compare/{shas[0]}...{shas[1]}"
    source = parse_source(url, github_web_host=app_config.github_web_host)
    assert cached_for_link(app_config, source) is None
    job = ReportJob(source=url, channel=CHANNEL, requester="U0ASKER")
    report_id = run_report_job(app_config, job, f"{app_config.redis_prefix}slash", retries_left=0)
    found = cached_for_link(app_config, source)
    assert found is not None and found[1] == report_id
    assert found[0].to_dict() == build(ReportRequest(url), app_config).report.to_dict()

    # A per-area report is not what a pasted link shows: it is not remembered for it.
    other = parse_source(f"{url}?x", github_web_host=app_config.github_web_host)
    per_area = ReportJob(source=url, channel=CHANNEL, paths=("docs/**",))
    run_report_job(app_config, per_area, f"{app_config.redis_prefix}area", retries_left=0)
    assert cached_for_link(app_config, other)[1] == report_id


def test_an_unfurl_of_extreme_text_fits_one_section_each() -> None:
    from tests.fakes.slack_limits import check_blocks

    report = small_report()
    report.title = "&" * 400
    report.base = replace(report.base, ref="<" * 255)
    report.head = replace(report.head, ref="&" * 255)
    report.highlights.new_features = ["<" * 300]
    report.highlights.breaking_changes = ["&" * 300]
    report.highlights.other_updates = [">" * 300]
    blocks = unfurl_for(report, "https://di.example/reports/abc")["blocks"]
    check_blocks(blocks)
    text = json.dumps(blocks)
    assert "<<" not in text and "&&" not in text


def test_a_revoked_allowance_hides_cached_private_reports_everywhere(
    app_config: Config,
    make_repo,
    slack: FakeSlack,  # type: ignore[no-untyped-def]
) -> None:
    """Issue 11 #6: a cached preview of a private repository was unfurled (and its page
    served) for the cache's seven days after DIFFINSIGHT_ALLOWED_REPOS stopped allowing it."""
    root, shas = make_repo([{"a.md": "# Secret\n"}, {"a.md": "# Secret\n\nPlans.\n"}], "vault")
    with FakeGitHub(tokens=("tok",)) as gh:
        gh.add_repo("acme", "vault", root, private=True)
        allowed = replace(
            app_config, github_api_url=gh.api_url, github_token="tok", allowed_repos=("acme/*",)
        )
        revoked = replace(allowed, allowed_repos=())
        url = f"{gh.web_url}/acme/vault/compare/{shas[0]}...{shas[1]}"
        with running_server(allowed) as base:
            ts = _post_user_message(slack, url)
            assert _send(base, _event("Ev0PRIV1", ts, [url], gh.web_host)).status_code == 200
            assert run_worker(allowed, burst=True) == 0
            (call,) = slack.calls_to("chat.unfurl")
            page_url = call.args["unfurls"][url]["blocks"][-1]["elements"][0]["url"]
            report_id = page_url.rsplit("/", 1)[1]
            assert httpx.get(f"{base}/reports/{report_id}", timeout=10).status_code == 200
        with running_server(revoked) as base:
            ts2 = _post_user_message(slack, f"again {url}")
            assert _send(base, _event("Ev0PRIV2", ts2, [url], gh.web_host)).status_code == 200
            page = httpx.get(f"{base}/reports/{report_id}", timeout=10)
            markdown = httpx.get(f"{base}/reports/{report_id}.md", timeout=10)
        assert len(slack.calls_to("chat.unfurl")) == 1  # nothing unfurled from the cache
        assert page.status_code == 404 and "Plans" not in page.text
        assert markdown.status_code == 404 and "Plans" not in markdown.text
        assert run_worker(revoked, burst=True) == 0  # a queued build reads GitHub: refused
        assert len(slack.calls_to("chat.unfurl")) == 1
