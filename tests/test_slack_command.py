"""Parsing ``/diffinsight`` words: links, shorthand, language, per-area globs, dedup keys."""

from __future__ import annotations

import pytest

from bot import messages
from bot.config import load_config
from handlers.slash import (
    CommandError,
    ReportCommand,
    answer_command,
    dedup_key,
    parse_command,
    report_job,
    usage,
)

LINK = "<https://github.com/o/r/compare/v1...v2>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LINK, ReportCommand(LINK)),
        (f"{LINK} ja_JP", ReportCommand(LINK, lang="ja_JP")),
        (f"{LINK} --lang fr", ReportCommand(LINK, lang="fr")),
        ("o/r main...dev", ReportCommand("o/r main...dev")),
        ("o/r main...dev en-US", ReportCommand("o/r main...dev", lang="en-US")),
        (f"{LINK} --path docs/** src/*.py", ReportCommand(LINK, ("docs/**", "src/*.py"))),
        (f"{LINK} --path=docs/** -p api/* de", ReportCommand(LINK, ("docs/**", "api/*", "de"))),
        (f"{LINK} ja_JP --path docs/**", ReportCommand(LINK, ("docs/**",), "ja_JP")),
    ],
)
def test_parse_command(text: str, expected: ReportCommand) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (f"{LINK} --path", messages.SLACK_PATH_NEEDS_GLOB),
        (f"{LINK} --path docs/* --path", messages.SLACK_PATH_NEEDS_GLOB),
        (f"{LINK} --force", messages.SLACK_UNKNOWN_OPTION.format(option="--force")),
        ("--path docs/*", messages.SLACK_USAGE),
    ],
)
def test_bad_words(text: str, sentence: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(text)
    assert str(raised.value) == sentence


def test_answers_and_jobs_without_a_server() -> None:
    config = load_config({})
    body = {"text": f"{LINK} ja_JP", "channel_id": "C1", "user_id": "U1", "trigger_id": "t.1"}
    assert answer_command(config, body).startswith("Building the report for o/r v1...v2")
    job = report_job(config, body)
    assert job is not None and job.lang == "ja_JP" and job.channel == "C1"
    assert job.dedup_key == "slash:t.1" and job.requester == "U1" and not job.regenerate
    for text in ("", "help", "subscribe o/r", "list", "not a link", f"{LINK} --bad"):
        assert report_job(config, {**body, "text": text}) is None
    bad = answer_command(config, {**body, "text": "<!channel> x"})
    assert "&lt;!channel&gt;" in bad and "Accepted forms" in bad


def test_dedup_key_without_trigger_id_is_stable() -> None:
    body = {"text": LINK, "channel_id": "C1", "user_id": "U1", "response_url": "https://x/1"}
    assert dedup_key(body) == dedup_key(dict(body))
    assert dedup_key(body) != dedup_key({**body, "response_url": "https://x/2"})


def test_usage_is_accurate_for_the_server_it_runs_on() -> None:
    enterprise = load_config(
        {"GITHUB_API_URL": "https://ghe.example.com/api/v3", "DIFFINSIGHT_LANG": "ja_JP"}
    )
    text = answer_command(enterprise, {"text": "help"})
    assert text == usage(enterprise)
    assert "https://ghe.example.com/OWNER/REPO/compare/BASE...HEAD" in text
    assert "github.com/" not in text.replace("ghe.example.com/", "")
    assert "`ja_JP`, this server's DIFFINSIGHT_LANG" in text and "en_US" not in text
    for form in (
        "subscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]",
        "unsubscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]",
        "`/diffinsight list`",
    ):
        assert form in text, form
    # Without a configuration at hand (the parser) the usage names the setting, not a guess.
    assert "DIFFINSIGHT_LANG" in messages.SLACK_USAGE and "https://github.com/" in (
        messages.SLACK_USAGE
    )
    assert answer_command(enterprise, {"text": "--path docs/*"}) == usage(enterprise)


def test_a_bad_language_is_told_with_the_ack_and_queues_nothing() -> None:
    config = load_config({})
    body = {"text": f"{LINK} --lang x<!here>", "channel_id": "C1", "user_id": "U1"}
    answer = answer_command(config, body)
    assert "is not a report language" in answer and "&lt;!here&gt;" in answer
    assert report_job(config, body) is None
    assert report_job(config, {**body, "text": f"{LINK} --lang ja-jp"}) is not None
