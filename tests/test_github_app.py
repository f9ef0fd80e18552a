"""Reading as a GitHub App, through the real PyGithub client against FakeGitHub's App endpoints.

FakeGitHub checks the App's RS256 JWT against the public half of a key pair made when the test
runs, issues installation tokens that expire, and shows a private repository only to a token
of an installation granted it; Redis is real, so the token cache is the one workers share.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import redis

from bot import messages
from bot.build import build_report
from bot.config import Config
from bot.diff import Change
from bot.errors import (
    AppCredentialsError,
    NetworkError,
    NotAllowedError,
    NotInstalledError,
    SourceReadError,
)
from bot.jobs.queue import ReportJob
from bot.jobs.run import run_report_job
from bot.reading.app import REFRESH_MARGIN_SECONDS
from bot.reading.github import read_github
from bot.render.markdown import render_markdown
from bot.request import ReportRequest
from bot.slack.poster import SlackPoster
from bot.sources import parse_source
from bot.store import keys
from tests.fakes.github import FakeGitHub
from tests.fakes.github_app import TOKEN_SECONDS, FakeApp
from tests.fakes.slack import FakeSlack
from tests.support import free_port
from tests.test_cli import COMMAND, ROOT

PAT = "personal-token"


@dataclass
class World:
    config: Config
    github: FakeGitHub
    app: FakeApp
    installation: int
    shas: list[str]
    redis: redis.Redis

    def read(self, repository: str = "octo/secret", config: Config | None = None) -> Change:
        config = config or self.config
        text = f"{self.github.web_url}/{repository}/compare/{self.shas[0]}...{self.shas[1]}"
        source = parse_source(text, github_web_host=config.github_web_host)
        return read_github(source, config)

    def token_requests(self) -> int:
        return len(self.github.requests_to("/access_tokens"))

    def installation_lookups(self) -> int:
        return len([r for r in self.github.requests if r.path.endswith("/installation")])


def cli_env(world: World, tmp_path: Path) -> dict[str, str]:
    """The environment an operator sets for the App, on the test's Redis and FakeGitHub."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GITHUB"))}
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "GITHUB_API_URL": world.config.github_api_url,
        "GITHUB_APP_ID": str(world.app.id),
        "GITHUB_APP_PRIVATE_KEY": world.app.private_key_pem,
        "REDIS_URL": str(world.config.redis_url),
        "DIFFINSIGHT_REDIS_PREFIX": world.config.redis_prefix,
        "DIFFINSIGHT_ALLOWED_REPOS": "octo/*",
        "DIFFINSIGHT_DATA_DIR": str(tmp_path / "data"),
    }


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


@pytest.fixture
def world(config: Config, make_repo, redis_client: redis.Redis) -> Iterator[World]:
    root, shas = make_repo(
        [
            {"README.md": "# Secret plans\n", "src/plan.py": "STEPS = 1\n"},
            {"README.md": "# Secret plans\n\nPhase two.\n", "src/plan.py": "STEPS = 2\n"},
        ]
    )
    app = FakeApp()
    with FakeGitHub(tokens=(PAT,), app=app) as github:
        github.add_repo("octo", "secret", root, private=True)
        github.add_repo("octo", "hidden", root, private=True)
        github.add_repo("octo", "open", root)
        installation = app.install("octo", "octo/secret")
        app_config = replace(
            config,
            github_api_url=github.api_url,
            github_app_id=str(app.id),
            github_app_private_key=app.private_key_pem,
            allowed_repos=("octo/*",),
        )
        yield World(app_config, github, app, installation, shas, redis_client)


def test_a_private_repository_is_read_with_an_installation_token(world: World) -> None:
    change = world.read()
    assert {f.filename for f in change.files} == {"README.md", "src/plan.py"}
    [issued] = world.app.tokens
    reads = [r for r in world.github.requests if r.path.startswith("/api/v3/repos/octo/secret/")]
    reads = [r for r in reads if not r.path.endswith("/installation")]
    assert reads and all(r.authorization == f"token {issued.token}" for r in reads)
    # The JWT goes only to the App's own endpoints, never to a repository read.
    for r in world.github.requests:
        if (r.authorization or "").startswith("Bearer "):
            assert r.path.endswith(("/installation", "/access_tokens", "/app"))
    assert world.token_requests() == 1 and world.installation_lookups() == 1


def test_a_second_report_and_a_second_process_reuse_the_shared_token(
    world: World, tmp_path: Path
) -> None:
    world.read()
    world.read()
    assert world.token_requests() == 1 and world.installation_lookups() == 1
    ttl = world.redis.ttl(keys.app_token(world.config.redis_prefix, world.installation))
    assert (
        TOKEN_SECONDS - REFRESH_MARGIN_SECONDS - 60 < ttl <= TOKEN_SECONDS - REFRESH_MARGIN_SECONDS
    )
    # Another process (the command line, as a worker on another machine would) finds it too.
    env = cli_env(world, tmp_path)
    link = f"{world.github.web_url}/octo/secret/compare/{world.shas[0]}...{world.shas[1]}"
    done = run_cli(["report", link, "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    assert "Phase two." in done.stdout
    assert world.token_requests() == 1 and world.installation_lookups() == 1
    assert world.app.tokens[0].token not in done.stdout + done.stderr


def test_concurrent_reads_with_no_token_yet_ask_github_for_one(world: World) -> None:
    errors: list[BaseException] = []

    def read() -> None:
        try:
            world.read()
        except BaseException as exc:  # noqa: BLE001 - collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert world.token_requests() == 1


def test_a_token_near_its_expiry_is_replaced_and_never_sent_again(world: World) -> None:
    world.read()
    [old] = world.app.tokens
    # 56 minutes later: the token has a minute left at GitHub, less than the bot's margin.
    key = keys.app_token(world.config.redis_prefix, world.installation)
    entry = json.loads(world.redis.get(key))
    entry["expires_at"] = time.time() + 60
    world.redis.set(key, json.dumps(entry))
    before = len(world.github.requests)
    assert world.read().files
    assert world.token_requests() == 2
    assert all(r.authorization != f"token {old.token}" for r in world.github.requests[before:])
    # An hour later still: GitHub refuses the old one, and the bot has the new one shared.
    world.app.expire_tokens()
    world.app.tokens[-1].expires_at = int(time.time()) + TOKEN_SECONDS
    assert world.read().files and world.token_requests() == 2


def test_a_token_revoked_before_its_time_is_dropped_and_the_read_retried(world: World) -> None:
    world.read()
    world.app.expire_tokens()  # the cache still holds it: GitHub's 401 is how we learn
    change = world.read()
    assert change.files
    assert world.token_requests() == 2
    assert [r for r in world.github.requests if r.path.endswith("/repos/octo/secret")][1:]


def test_a_repository_without_the_app_is_told_with_the_install_link(world: World) -> None:
    with pytest.raises(NotInstalledError) as caught:
        world.read("octo/hidden")
    text = str(caught.value)
    assert "Diffinsight Test" in text and "octo/hidden" in text
    assert f"{world.github.web_url}/apps/diffinsight-test/installations/new" in text
    assert world.token_requests() == 0
    # A public repository the App is not on is still read, anonymously.
    assert world.read("octo/open").files
    opened = [r for r in world.github.requests if r.path.startswith("/api/v3/repos/octo/open/")]
    assert all(r.authorization is None for r in opened if not r.path.endswith("/installation"))


def test_the_command_line_tells_an_uninstalled_repository_and_exits_1(
    world: World, tmp_path: Path
) -> None:
    link = f"{world.github.web_url}/octo/hidden/commit/{world.shas[1]}"
    done = run_cli(["report", link, "--no-cache"], cli_env(world, tmp_path))
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("diffinsight: The GitHub App Diffinsight Test is not installed")
    assert f"{world.github.web_url}/apps/diffinsight-test/installations/new" in line


def test_with_a_personal_token_too_the_app_is_preferred_where_installed(world: World) -> None:
    both = replace(world.config, github_token=PAT)
    world.read(config=both)
    secret = world.github.requests_to("/repos/octo/secret/compare")
    assert secret and all((r.authorization or "").startswith("token ghs_") for r in secret)
    world.read("octo/hidden", both)  # not installed: GITHUB_TOKEN can read it, so it does
    hidden = world.github.requests_to("/repos/octo/hidden/compare")
    assert hidden and all(r.authorization == f"token {PAT}" for r in hidden)


def test_a_key_that_is_not_the_apps_is_refused_in_words_without_the_key(
    world: World,
) -> None:
    other = FakeApp(id=world.app.id)
    wrong = replace(world.config, github_app_private_key=other.private_key_pem)
    with pytest.raises(AppCredentialsError) as caught:
        world.read(config=wrong)
    text = str(caught.value)
    assert "A JSON web token could not be decoded" in text and str(world.app.id) in text
    assert "PRIVATE KEY" not in text and other.private_key_pem[40:80] not in text


def test_the_unknown_repository_is_not_remembered_as_installed_after_install(
    world: World,
) -> None:
    with pytest.raises(NotInstalledError):
        world.read("octo/hidden")
    # Installed a minute later: the brief "not installed" memory is dropped by the webhook
    # (tests/test_github_app_webhooks.py); here it simply runs out.
    world.app.installations[world.installation].repositories.add("octo/hidden")
    world.redis.delete(keys.app_installation(world.config.redis_prefix, "octo/hidden"))
    assert world.read("octo/hidden").files


def test_no_key_or_token_in_any_log_message_or_report(
    world: World, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("github").setLevel(logging.DEBUG)  # PyGithub logs bodies at DEBUG
    try:
        request = ReportRequest(
            source=f"{world.github.web_url}/octo/secret/compare/{world.shas[0]}...{world.shas[1]}"
        )
        report = build_report(request, world.config)
        markdown = render_markdown(report)
        cfg = replace(world.config, slack_bot_token=slack.token, slack_api_url=slack.api_url)
        job = ReportJob(
            source=f"{world.github.web_url}/octo/hidden/commit/{world.shas[1]}",
            channel="C1",
            requester="U1",
        )
        poster = SlackPoster(cfg, pace_seconds=0, progress_interval=0)
        assert run_report_job(cfg, job, "app-post-1", retries_left=0, poster=poster) == "failed"
    finally:
        logging.getLogger("github").setLevel(logging.INFO)
    [told] = [m for m in slack.messages("C1") if m.ephemeral]
    assert "installations/new" in told.text and told.user == "U1"
    seen = "\n".join(
        [caplog.text, markdown, told.text, repr(world.config)]
        + [m.text for m in slack.messages("C1")]
        + [json.dumps(r.__dict__, default=str) for r in caplog.records]
    )
    assert world.app.tokens, "a token was issued"
    for issued in world.app.tokens:
        assert issued.token not in seen
    pem_lines = [line for line in world.app.private_key_pem.splitlines() if "-----" not in line]
    assert not any(line in seen for line in pem_lines)
    assert "Bearer ey" not in seen and "eyJhbGciOi" not in seen  # no JWT either
    assert "github.Requester" in caplog.text  # the debug lines were there, only cleaned


def test_a_github_failure_while_issuing_a_token_is_transient_and_heals(world: World) -> None:
    world.github.fail(r"/access_tokens$", 502, "Server Error", times=1)
    with pytest.raises(NetworkError) as caught:
        world.read()
    assert caught.value.transient  # the job queue tries again
    assert world.read().files
    assert len(world.app.tokens) == 1


def test_with_redis_down_the_app_still_reads_asking_github_each_time(world: World) -> None:
    closed = replace(world.config, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert world.read(config=closed).files
    assert world.read(config=closed).files
    assert world.token_requests() == 2 and world.installation_lookups() == 2


def test_the_allowed_list_still_decides_which_private_repositories_are_reported(
    world: World,
) -> None:
    with pytest.raises(NotAllowedError):
        world.read(config=replace(world.config, allowed_repos=("someone-else/*",)))


def test_longer_stateless_tokens_are_used_and_kept_out_of_debug_logs(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.app.stateless_tokens = True
    caplog.set_level(logging.DEBUG)
    logging.getLogger("github").setLevel(logging.DEBUG)
    try:
        assert world.read().files
    finally:
        logging.getLogger("github").setLevel(logging.INFO)
    [issued] = world.app.tokens
    assert issued.token.startswith(f"ghs_{world.app.id}_") and "." in issued.token
    assert issued.token not in caplog.text and issued.token[:30] not in caplog.text


def test_a_server_clock_far_off_githubs_is_told_as_such(world: World) -> None:
    world.app.clock_offset = -900  # this machine runs 15 minutes fast
    with pytest.raises(AppCredentialsError) as caught:
        world.read()
    text = str(caught.value)
    assert "'Issued at' claim ('iat')" in text and "clock" in text  # GitHub's words, and ours
    world.app.clock_offset = 0
    assert world.read().files


def test_a_no_cache_report_as_the_app_starts_no_redis(world: World, tmp_path: Path) -> None:
    env = cli_env(world, tmp_path)
    del env["REDIS_URL"]
    link = f"{world.github.web_url}/octo/secret/compare/{world.shas[0]}...{world.shas[1]}"
    done = run_cli(["report", link, "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    assert "Phase two." in done.stdout
    data = Path(env["DIFFINSIGHT_DATA_DIR"])
    assert not data.exists() or not list(data.glob("redis.*"))


def test_a_suspended_installation_is_told_in_githubs_words(world: World) -> None:
    world.app.installations[world.installation].suspended = True
    with pytest.raises(SourceReadError) as caught:
        world.read()
    assert "This installation has been suspended" in str(caught.value)
    assert "octo/secret" in str(caught.value) and not caught.value.transient


def test_processes_starting_together_ask_github_for_one_token(world: World, tmp_path: Path) -> None:
    env = cli_env(world, tmp_path)
    link = f"{world.github.web_url}/octo/secret/compare/{world.shas[0]}...{world.shas[1]}"
    started = [
        subprocess.Popen(
            [*COMMAND, "report", link, "--no-cache"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in started]
    assert [p.returncode for p in started] == [0, 0, 0], outputs
    assert all("Phase two." in out for out, _ in outputs)
    assert world.token_requests() == 1


def test_whole_files_are_read_as_the_app_without_a_personal_token(world: World) -> None:
    """The API analysis fetched whole files only when GITHUB_TOKEN was set: read as the App
    alone (its own 5,000 requests an hour), every file was analysed from hunks and the notes
    said "without GITHUB_TOKEN whole files are not fetched"."""
    change = world.read()
    [issued] = world.app.tokens
    contents = world.github.requests_to("/contents/")
    assert contents and all(r.authorization == f"token {issued.token}" for r in contents)
    assert "src/plan.py" in change.new_texts and change.new_texts["src/plan.py"] == "STEPS = 2\n"
    assert not any(messages.HUNKS_ONLY_ANONYMOUS in note for note in change.notes)
