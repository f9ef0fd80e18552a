"""Path globs stay linear whatever a person writes (issue 11, item 1).

The old matcher compiled a glob into a backtracking regex; ``**/`` repeated with ``*a`` runs
froze the webhook request (and a worker) for minutes. The reference below is that old
translator, kept here as the oracle of what globs mean: the new matcher must agree with it on
every glob and path, and answer hostile ones at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.areas import (
    MAX_GLOB_LENGTH,
    MAX_GLOBSTARS,
    GlobError,
    check_globs,
    glob_matches,
    glob_problem,
)
from bot.config import Config
from bot.store.subscriptions import SubscriptionError, SubscriptionStore, check_paths, subscribe
from tests.fakes.slack import FakeSlack
from tests.support import running_server
from tests.test_webhook_http import NORMAL_PUSH, SECRET, deliver, load

# A glob the old regex never finished against the path below (accepted: 55 characters, 10 '**').
HOSTILE = "**/" * 10 + "*a" * 12 + "b"
DEEP = "/".join(["a"] * 26) + "/" + "a" * 30


def oracle(glob: str, path: str) -> bool:
    """The old translator (bot/areas.py before issue 11): the meaning globs must keep."""
    glob = glob.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    pattern = "".join(out) + (".*" if glob.endswith("/") else "(?:/.*)?")
    return re.compile(pattern + r"\Z").match(path) is not None


@settings(max_examples=4000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet="ab/.*?[", max_size=12), st.text(alphabet="ab/.", max_size=12))
def test_any_glob_means_what_it_meant(glob: str, path: str) -> None:
    assert glob_matches(glob, path) is oracle(glob, path), (glob, path)


PARTS = st.sampled_from(["**", "*", "a", "b", "?", "x*", "*.md", "a?b"])
SEGMENTS = st.sampled_from(["a", "b", "x", "xa", "c.md", ".md", "ab"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(PARTS, max_size=6), st.lists(SEGMENTS, min_size=1, max_size=8))
def test_folder_shaped_globs_mean_what_they_meant(parts: list[str], segs: list[str]) -> None:
    glob, path = "/".join(parts), "/".join(segs)
    assert glob_matches(glob, path) is oracle(glob, path), (glob, path)


@pytest.mark.timeout(20)  # a hang guard: the old matcher never returned here
def test_a_hostile_but_accepted_glob_answers_at_once() -> None:
    assert glob_problem(HOSTILE) is None
    assert glob_matches(HOSTILE, DEEP) is False
    assert glob_matches(HOSTILE, DEEP + "b") is True
    worst = ("*a" * 100)[:MAX_GLOB_LENGTH]
    assert glob_matches(worst, "a" * 4096) is True


def test_too_long_or_too_many_globstars_are_refused_with_the_reason() -> None:
    too_many = "**/" * (MAX_GLOBSTARS + 1) + "x"
    with pytest.raises(GlobError, match=r"more than 10 '\*\*'"):
        check_globs([too_many])
    with pytest.raises(GlobError, match="longer than 200 characters"):
        check_globs(["a" * (MAX_GLOB_LENGTH + 1)])
    with pytest.raises(SubscriptionError, match=r"more than 10 '\*\*'"):
        check_paths([too_many])
    check_globs(["docs/**", HOSTILE])  # no error


@pytest.mark.timeout(60)
def test_webhook_with_a_hostile_subscription_glob_answers_and_health_stays_up(
    config: Config, slack: FakeSlack, redis_client, redis_prefix: str
) -> None:
    """Through the real app: the push's files are matched on the request path."""
    app_config = replace(
        config,
        github_webhook_secret=SECRET,
        slack_bot_token=slack.token,
        slack_signing_secret="slack-signing-secret",
        slack_api_url=slack.api_url,
    )
    store = SubscriptionStore(redis_client, redis_prefix)
    repo = "binkkatal/sample_app"
    subscribe(store, channel="C1", user="U1", repository=repo, branch=None, paths=(HOSTILE,))
    payload = load(NORMAL_PUSH)
    for commit in payload["commits"]:
        commit["modified"] = [DEEP] * 50
        commit["added"], commit["removed"] = [], []
    with running_server(app_config) as base:
        answer = deliver(base, "push", json.dumps(payload).encode())
        health = httpx.get(f"{base}/healthz", timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "ignored"  # no file under the glob: nothing queued
    assert health.status_code == 200


def test_the_command_line_refuses_a_glob_over_the_limits_with_exit_2(make_repo, tmp_path) -> None:
    import os
    import subprocess

    from tests.support import COMMAND, ROOT

    repo, _ = make_repo([{"a.md": "# A\n"}, {"a.md": "# A\n\nB\n"}])
    glob = "**/" * (MAX_GLOBSTARS + 1) + "x"
    env = {**os.environ, "DIFFINSIGHT_DATA_DIR": str(tmp_path / "d"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*COMMAND, "report", "HEAD~1...HEAD", "--git", str(repo), "--no-cache", "--path", glob],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "more than 10 '**'" in done.stderr and "Traceback" not in done.stderr
