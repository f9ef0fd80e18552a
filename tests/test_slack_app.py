"""The Slack app end to end: signed requests to the running server, a real queue worker,
GitHub and Slack as local fakes. Asserts what a person in the channel would see."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot import messages
from bot.config import Config
from bot.jobs import queue as jobs
from bot.jobs.worker import run_worker
from bot.slack import poster as slackpost
from handlers import slash
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack, Message
from tests.support import (
    command_body,
    free_port,
    post_signed,
    running_server,
    sign_slack,
    top_level,
)

SECRET = "test-signing-secret"
CHANNEL, ASKER = "C0CHAN", "U0ASKER"
EVIL = "<!channel> <!here> <@U123> <http://evil|docs>"


@pytest.fixture(autouse=True)
def fast_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """No 1-second pacing in tests (pacing itself is tested in test_slack_post)."""
    monkeypatch.setattr(slackpost, "PACE_SECONDS", 0.0)
    monkeypatch.setattr(slackpost, "PROGRESS_SECONDS", 0.0)


@pytest.fixture
def gh(make_repo) -> Iterator[FakeGitHub]:
    path, _ = make_repo(
        [
            {"README.md": "# Project\n\nHello.\n", "docs/guide.md": "# Guide\n\nStart here.\n"},
            {
                "README.md": f"# Project {EVIL}\n\nHello {EVIL} & friends.\n\n"
                "## Install <@U123>\n\nRun `make` <!everyone>.\n",
                "docs/guide.md": f"# Guide\n\nStart here. [docs](http://evil) {EVIL}\n",
                "src/app.py": f'"""{EVIL}"""\n\ndef run() -> int:\n    return 1\n',
            },
        ]
    )
    with FakeGitHub() as fake:
        fake.add_repo("octo", "demo", path)
        yield fake


@pytest.fixture
def cfg(config: Config, slack: FakeSlack, gh: FakeGitHub) -> Config:
    return replace(
        config,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        slack_signing_secret=SECRET,
        github_api_url=gh.api_url,
        github_token="test-token",
        public_url="https://di.example",
    )


@pytest.fixture(autouse=True)
def forget_jobs(cfg: Config) -> Iterator[None]:
    """Delete this test's RQ job hashes too (their keys do not carry the test's prefix)."""
    yield
    from rq.registry import (
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    queue = jobs.get_queue(cfg)
    ids = set(queue.job_ids)
    for registry in (
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    ):
        ids.update(registry(queue=queue).get_job_ids())
    for job_id in ids:
        queue.connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")


@pytest.fixture
def server(cfg: Config) -> Iterator[str]:
    with running_server(cfg) as base:
        yield base


@pytest.fixture
def no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """One immediate retry, so a burst worker reaches the 'tell the requester' step."""
    quick = partial(jobs.enqueue_report, retry_intervals=(0,))
    monkeypatch.setattr(slash, "enqueue_report", quick)


class HeldQueueing:
    """``enqueue_report`` as the slash command calls it, held until the test lets it go.

    The acknowledgement must not wait for queueing (a Bolt lazy listener runs it after the
    ack): with queueing held, an ack that arrives at all arrived first. ``let_go_first``
    records, per call, whether the test had let go before the hold ran out.
    """

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.let_go = threading.Event()
        self.let_go_first: list[bool] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.let_go_first.append(self.let_go.wait(timeout=5))
        return self.real(*args, **kwargs)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldQueueing:
    hold = HeldQueueing(slash.enqueue_report)
    monkeypatch.setattr(slash, "enqueue_report", hold)
    return hold


def link(gh: FakeGitHub, repo: str = "octo/demo", spec: str = "main~1...main") -> str:
    return f"<{gh.web_url}/{repo}/compare/{spec}>"


def command(base: str, text: str, slack: FakeSlack, **headers: str) -> httpx.Response:
    body = command_body(text, response_url=slack.response_url())
    return post_signed(base, body, SECRET, **headers)


def queued(cfg: Config, count: int = 1, timeout: float = 5.0) -> int:
    """Wait for ``count`` jobs: the command queues its job right after the ack (lazy)."""
    queue = jobs.get_queue(cfg)
    deadline = time.monotonic() + timeout
    while queue.count < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return queue.count


def work(cfg: Config, count: int = 1) -> None:
    """Run a burst worker once ``count`` jobs are queued."""
    assert queued(cfg, count) >= count
    assert run_worker(cfg, burst=True) == 0


def ephemerals(slack: FakeSlack) -> list[str]:
    texts = [m.text for m in slack.messages(CHANNEL) if m.ephemeral]
    for call in slack.calls_to("response_url"):
        texts.append(call.args.get("text", ""))
    return texts


def all_text(msg: Message) -> str:
    return msg.text + "\n" + json.dumps(msg.blocks or [], ensure_ascii=False)


def assert_nothing_live(slack: FakeSlack, gh: FakeGitHub) -> None:
    """Every ``<...>`` sent to the channel is one of our own links or the asker's mention."""
    ours = (gh.web_url, "https://di.example/", f"@{ASKER}")
    for msg in slack.messages(CHANNEL):
        for inner in re.findall(r"<([^<>]*)>", all_text(msg)):
            assert inner.startswith(ours), f"live control sequence <{inner}> in {msg.ts}"


def test_command_posts_parent_and_thread_with_everything_escaped(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub, held: HeldQueueing
) -> None:
    resp = command(server, f"{link(gh)} en_US", slack)  # answered while queueing is held
    assert resp.status_code == 200
    ack = resp.json()
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("Building the report for octo/demo main~1...main")
    assert top_level(slack, CHANNEL) == []  # nothing posted by the web process itself
    assert gh.requests == [] and jobs.get_queue(cfg).count == 0  # no work before the ack

    held.let_go.set()
    work(cfg)
    assert held.let_go_first == [True]

    (parent,) = top_level(slack, CHANNEL)
    assert parent.blocks[0]["type"] == "header"
    assert parent.blocks[0]["text"]["text"].startswith("[en_US] Diff Insight Report")
    context = parent.blocks[1]["elements"][0]["text"]
    assert "*octo/demo*" in context and "3 files" in context and f"<@{ASKER}>" in context
    buttons = {b["text"]["text"]: b for b in parent.blocks[-1]["elements"]}
    assert set(buttons) == {"Regenerate", "Full report"}
    assert buttons["Full report"]["url"].startswith("https://di.example/reports/")
    assert parent.edits >= 1  # the "building" placeholder was replaced in place
    updates = [str(c.args.get("blocks")) for c in slack.calls_to("chat.update")]
    assert any("of 3 files done" in u for u in updates), updates

    thread = slack.thread(CHANNEL, parent.ts)
    assert len(thread) >= 2 and all(m.thread_ts == parent.ts for m in thread)
    texts = [all_text(m) for m in thread]
    assert "*Insights*" in texts[0] and "*Summary table*" in texts[0]
    for name in ("README.md", "docs/guide.md", "src/app.py"):
        assert any(f"`{name}`" in t for t in texts), name
    assert thread[-1].files, "the Markdown report is uploaded in the thread"
    markdown = slack.uploaded(thread[-1].files[0]).decode()
    assert markdown.startswith("---\n") and "# Modified Contents" in markdown

    joined = "\n".join(all_text(m) for m in slack.messages(CHANNEL))
    assert "&lt;!channel&gt;" in joined or "&lt;@U123&gt;" in joined
    assert_nothing_live(slack, gh)


def test_a_large_change_is_split_across_thread_posts_within_limits(
    server: str, cfg: Config, slack: FakeSlack, make_repo
) -> None:
    before = {f"docs/page{i:02}.md": f"# Page {i}\n\nOld text.\n" for i in range(60)}
    after = {
        name: f"# Page {i} {EVIL}\n\n"
        + "".join(f"## Part {j}\n\nNew words & more.\n\n" for j in range(8))
        for i, name in enumerate(before)
    }
    path, _ = make_repo([before, after], name="large")
    with FakeGitHub() as big:
        big.add_repo("octo", "large", path)
        big_cfg = replace(cfg, github_api_url=big.api_url)
        with running_server(big_cfg) as base:
            command(base, f"<{big.web_url}/octo/large/compare/main~1...main>", slack)
            work(big_cfg)
    (parent,) = top_level(slack, CHANNEL)
    thread = slack.thread(CHANNEL, parent.ts)
    assert len(thread) >= 4, len(thread)
    assert ephemerals(slack) == []
    for call in slack.calls:
        assert call.status == 200 and call.response.get("ok", True), call.response
    joined = "\n".join(all_text(m) for m in thread)
    for i in range(60):
        assert joined.count(f"`docs/page{i:02}.md`") >= 2, i  # summary table + own section


def test_slack_retries_never_post_twice(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[bool] = []
    real = slash.enqueue_report

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        outcomes.append(result.duplicate)
        return result

    monkeypatch.setattr(slash, "enqueue_report", recording)
    body = command_body(link(gh), response_url=slack.response_url())
    first = post_signed(server, body, SECRET)
    retries = [post_signed(server, body, SECRET, **{"X-Slack-Retry-Num": str(n)}) for n in (1, 2)]
    assert [r.status_code for r in (first, *retries)] == [200, 200, 200]
    assert len({r.json()["text"] for r in (first, *retries)}) == 1
    deadline = time.monotonic() + 10
    while len(outcomes) < 3 and time.monotonic() < deadline:  # queueing runs after each ack
        time.sleep(0.01)
    assert sorted(outcomes) == [False, True, True]  # one job; both retries found it queued
    work(cfg)
    assert jobs.get_queue(cfg).count == 0
    assert len(top_level(slack, CHANNEL)) == 1


def test_forged_and_stale_requests_get_401_and_do_nothing(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    body = command_body(link(gh))
    forged = httpx.post(f"{server}/slack/events", content=body, headers=sign_slack(body, "nope"))
    stale_headers = sign_slack(body, SECRET, ts=int(time.time()) - 6 * 60)
    stale = httpx.post(f"{server}/slack/events", content=body, headers=stale_headers)
    unsigned = httpx.post(f"{server}/slack/events", content=body)
    tampered = httpx.post(
        f"{server}/slack/events", content=body + b"&x=1", headers=sign_slack(body, SECRET)
    )
    click = {
        "type": "block_actions",
        "user": {"id": ASKER},
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL},
        "actions": [{"action_id": "diffinsight_regenerate", "value": '{"source": "o/r a...b"}'}],
    }
    click_body = urlencode({"payload": json.dumps(click)}).encode()
    stale_click = httpx.post(
        f"{server}/slack/events",
        content=click_body,
        headers=sign_slack(click_body, SECRET, ts=int(time.time()) - 6 * 60),
    )
    responses = (forged, stale, unsigned, tampered, stale_click)
    assert [r.status_code for r in responses] == [401] * 5
    assert queued(cfg, 1, timeout=0.5) == 0
    run_worker(cfg, burst=True)
    assert slack.messages(CHANNEL) == []


def test_without_a_signing_secret_nothing_is_accepted(cfg: Config, slack: FakeSlack) -> None:
    unsigned = replace(cfg, slack_signing_secret=None)
    body = command_body("help")
    with running_server(unsigned) as base:
        resp = httpx.post(f"{base}/slack/events", content=body, headers=sign_slack(body, ""))
    assert resp.status_code == 401


@pytest.mark.parametrize("text", ["", "help", "  HELP  ", "--path docs/*"])
def test_help_and_empty_show_usage(server: str, cfg: Config, slack: FakeSlack, text: str) -> None:
    got = command(server, text, slack).json()["text"]
    assert got == slash.usage(cfg) and f"{cfg.github_web_url}/OWNER/REPO/pull/N" in got
    assert f"`{cfg.lang}`, this server's DIFFINSIGHT_LANG" in got


def test_unusable_link_lists_the_accepted_forms(server: str, cfg: Config, slack: FakeSlack) -> None:
    answer = command(server, "https://example.com/x/y", slack).json()["text"]
    assert "Accepted forms" in answer and "OWNER/REPO/pull/N" in answer
    assert "Unknown option" in command(server, "https://github.com/o/r/pull/1 -x", slack).text
    assert queued(cfg, 1, timeout=0.5) == 0


def test_path_option_builds_a_per_area_report(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    ack = command(server, f"{link(gh)} --path docs/** src/*.py", slack).json()["text"]
    assert "(files under docs/**, src/*.py)" in ack
    work(cfg)
    (parent,) = top_level(slack, CHANNEL)
    assert "2 files" in parent.blocks[1]["elements"][0]["text"]


def test_errors_are_told_privately(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub, make_repo, no_retries: None
) -> None:
    private, _ = make_repo([{"a.txt": "1\n"}, {"a.txt": "2\n"}], name="private")
    gh.add_repo("octo", "secret", private, private=True)
    command(server, link(gh, "octo/missing"), slack)
    command(server, link(gh, "octo/secret"), slack)
    work(cfg, 2)
    told = ephemerals(slack)
    assert any("no repository octo/missing" in t for t in told), told
    # A private repository that is not allowed reads like a missing one (issue 11 #18).
    assert any("no repository octo/secret, or it is not one" in t for t in told), told
    # No report came: each placeholder says so instead of "Building…" for ever.
    assert all("could not be built" in m.text for m in top_level(slack, CHANNEL))


def test_github_rate_limit_is_told(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub, no_retries: None
) -> None:
    gh.rate_limit_remaining = 0
    command(server, link(gh), slack)
    work(cfg)
    assert any("rate limit" in t for t in ephemerals(slack)), ephemerals(slack)


def test_bot_not_in_channel_says_how_to_invite(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    slack.not_in_channel.add(CHANNEL)
    url = slack.response_url()
    post_signed(server, command_body(link(gh), response_url=url), SECRET)
    work(cfg)
    replies = slack.responses(url)
    assert any("/invite @diffinsight" in r["text"] for r in replies), replies
    assert all(r["response_type"] == "ephemeral" for r in replies)
    assert slack.messages(CHANNEL) == []


def test_redis_down_is_temporarily_unavailable(
    cfg: Config, slack: FakeSlack, held: HeldQueueing
) -> None:
    down = replace(cfg, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    url = slack.response_url()
    with running_server(down) as base:
        body = command_body(f"{cfg.github_web_url}/o/r/pull/1", response_url=url)
        ack = post_signed(base, body, SECRET).json()["text"]  # answered while queueing is held
        assert ack.startswith("Building the report for o/r #1")
        assert slack.responses(url) == []
        held.let_go.set()  # now queueing finds Redis down and says so privately
        deadline = time.monotonic() + 10
        while not slack.responses(url) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert slack.responses(url) == [
            {
                "text": messages.SLACK_UNAVAILABLE,
                "response_type": "ephemeral",
                "replace_original": False,
            }
        ]
        assert httpx.get(f"{base}/healthz").json() == {"ok": True, "redis": False}
    assert held.let_go_first == [True]


def test_llm_failure_still_posts_a_heuristic_report_with_a_note(
    cfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    from tests.fakes.openai import FakeOpenAI

    with FakeOpenAI(api_key="sk-right") as llm:
        llm_cfg = replace(
            cfg, summarizer="openai", openai_api_key="sk-wrong", openai_base_url=llm.base_url
        )
        with running_server(llm_cfg) as base:
            command(base, link(gh), slack)
            work(llm_cfg)
    (parent,) = top_level(slack, CHANNEL)
    notes = parent.blocks[-2]
    assert notes["type"] == "context" and "heuristic" in notes["elements"][0]["text"].lower()


def test_regenerate_rebuilds_and_updates_the_same_message(
    server: str, cfg: Config, slack: FakeSlack, gh: FakeGitHub
) -> None:
    command(server, link(gh), slack)
    work(cfg)
    (parent,) = top_level(slack, CHANNEL)
    edits, reads = parent.edits, len(gh.requests)
    replies = [m.ts for m in slack.thread(CHANNEL, parent.ts)]
    button = next(b for b in parent.blocks[-1]["elements"] if b["text"]["text"] == "Regenerate")
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKE"},
        "user": {"id": ASKER},
        "api_app_id": "A0APP",
        "token": "deprecated",
        "container": {"type": "message", "message_ts": parent.ts, "channel_id": CHANNEL},
        "trigger_id": "123.456.regen",
        "channel": {"id": CHANNEL, "name": "general"},
        "message": {"ts": parent.ts, "type": "message"},
        "response_url": slack.response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button["value"],
                "action_ts": str(time.time()),
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert post_signed(server, body, SECRET).status_code == 200
    work(cfg)
    (again,) = top_level(slack, CHANNEL)
    assert again.ts == parent.ts and again.edits > edits
    assert len(gh.requests) > reads, "the cache was bypassed: GitHub was read again"
    # The thread is replaced, not doubled: same replies updated, one (new) Markdown file.
    thread = slack.thread(CHANNEL, parent.ts)
    assert [m.ts for m in thread[:-1]] == replies[:-1] and len(thread) == len(replies)
    assert [len(m.files) for m in thread].count(1) == 1 and thread[-1].ts != replies[-1]


def test_subscription_words_go_to_the_subscriptions_handler(
    server: str, cfg: Config, slack: FakeSlack
) -> None:
    from handlers.subscriptions import answer

    got = command(server, "list", slack).json()["text"]
    assert got == answer(cfg, ["list"], CHANNEL, ASKER)
    assert got != messages.SLACK_USAGE


def test_healthz(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"ok": True, "redis": True}


def test_manifest_points_every_url_at_slack_events() -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
    settings = manifest["settings"]
    (cmd,) = manifest["features"]["slash_commands"]
    assert cmd["command"] == slash.COMMAND and cmd["url"].endswith("/slack/events")
    for word in (*slash.SUBSCRIPTION_WORDS, "help", "--path", "LANG", "BRANCH"):
        assert word in cmd["usage_hint"], word
    for digest in (
        "digest OWNER/REPO daily|weekly [BRANCH]",
        "digest list",
        "digest stop OWNER/REPO",
    ):
        assert digest in cmd["usage_hint"], digest
    assert len(cmd["usage_hint"]) <= 1000  # Slack's limit for a command's usage hint
    assert "digest" in manifest["display_information"]["long_description"]
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # Exactly what the code uses: least privilege for an app installed in a whole workspace.
    assert scopes == {"commands", "chat:write", "files:write", "links:read", "links:write"}
    assert settings["event_subscriptions"]["bot_events"] == ["link_shared"]
    assert "github.com" in manifest["features"]["unfurl_domains"]


def test_a_regenerate_that_cannot_be_queued_is_told_not_lost(
    cfg: Config, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import actions

    def broken(config: Config, job: jobs.ReportJob) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(actions, "enqueue_report", broken)
    url = slack.response_url()
    click = {
        "type": "block_actions",
        "user": {"id": ASKER},
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL},
        "response_url": url,
        "trigger_id": "1.2.regen",
        "actions": [
            {
                "action_id": "diffinsight_regenerate",
                "value": '{"source": "o/r a...b"}',
                "action_ts": "1.3",
            }
        ],
    }
    with running_server(cfg) as base:
        body = urlencode({"payload": json.dumps(click)}).encode()
        assert post_signed(base, body, SECRET).status_code == 200
    (reply,) = slack.responses(url)
    assert reply["text"] == messages.SLACK_INTERNAL_ERROR
    assert reply["response_type"] == "ephemeral"
