"""The environment, read in one place: defaults, derived values and what each role needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, missing_settings
from tests.support import COMMAND, ROOT


def test_defaults_need_nothing_set() -> None:
    config = load_config({})
    assert config.summarizer == "heuristic" and config.lang == "en_US"
    assert config.github_api_url == "https://api.github.com"
    assert (config.github_web_host, config.github_web_url) == ("github.com", "https://github.com")
    assert config.slack_api_url == "https://slack.com/api/"
    assert config.redis_url is None and config.queue_name == "diffinsight"
    assert config.data_dir == Path.home() / ".local/share/diffinsight"
    assert config.port == 3000 and config.cache_ttl_seconds == 7 * 24 * 3600
    assert config.llm_concurrency == 8


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OPENAI_API_KEY": "sk-1"}, "openai"),
        ({"AZURE_OPENAI_ENDPOINT": "https://x", "AZURE_OPENAI_API_KEY": "k"}, "openai"),
        ({"AZURE_OPENAI_ENDPOINT": "https://x"}, "heuristic"),  # no key, no LLM
        ({"OPENAI_API_KEY": "sk-1", "DIFFINSIGHT_SUMMARIZER": "heuristic"}, "heuristic"),
    ],
)
def test_the_llm_is_the_default_exactly_when_a_key_is_configured(env, expected) -> None:
    assert load_config(env).summarizer == expected


def test_enterprise_and_local_github_hosts() -> None:
    ghe = load_config({"GITHUB_API_URL": "https://ghe.example.com/api/v3/"})
    assert ghe.github_api_url == "https://ghe.example.com/api/v3"
    assert (ghe.github_web_host, ghe.github_web_url) == (
        "ghe.example.com",
        "https://ghe.example.com",
    )
    local = load_config({"GITHUB_API_URL": "http://127.0.0.1:8080/api/v3"})
    assert local.github_web_host == "127.0.0.1:8080"


def test_lists_numbers_and_paths_are_parsed() -> None:
    config = load_config(
        {
            "DIFFINSIGHT_ALLOWED_REPOS": " Acme/* , acme/secret,, ",
            "PORT": "8080",
            "DIFFINSIGHT_DATA_DIR": "~/di-data",
            "PUBLIC_URL": "https://di.example/",
            "DIFFINSIGHT_QUEUE": "diffinsight-staging",
            "DIFFINSIGHT_CACHE_TTL": "60",
        }
    )
    assert config.allowed_repos == ("acme/*", "acme/secret")
    assert config.port == 8080 and config.cache_ttl_seconds == 60
    assert config.data_dir == Path.home() / "di-data"
    assert config.public_url == "https://di.example"
    assert config.queue_name == "diffinsight-staging"


def test_blank_values_count_as_unset() -> None:
    config = load_config({"REDIS_URL": "  ", "SLACK_BOT_TOKEN": "", "PORT": " "})
    assert config.redis_url is None and config.slack_bot_token is None and config.port == 3000


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "abc"}, "PORT must be a positive int, not 'abc'"),
        ({"DIFFINSIGHT_CACHE_TTL": "-5"}, "DIFFINSIGHT_CACHE_TTL must be a positive int"),
        ({"DIFFINSIGHT_LLM_TIMEOUT": "soon"}, "DIFFINSIGHT_LLM_TIMEOUT must be a positive float"),
        ({"DIFFINSIGHT_LLM_RETRIES": "-1"}, "DIFFINSIGHT_LLM_RETRIES must be zero or more int"),
        ({"DIFFINSIGHT_SUMMARIZER": "gpt"}, "DIFFINSIGHT_SUMMARIZER must be heuristic or openai"),
        (
            {"REDIS_URL": "localhost:6379"},
            "REDIS_URL is not a Redis URL: it must start with redis://",
        ),
        (
            {"REDIS_URL": "http://h:6379/0"},
            "REDIS_URL is not a Redis URL: it must start with redis://",
        ),
        (
            {"DIFFINSIGHT_LANG": "Japanese!"},
            "DIFFINSIGHT_LANG: 'Japanese!' is not a report language",
        ),
        ({"DIFFINSIGHT_LANG": "ja jp"}, "use a locale such as en_US or ja_JP"),
        (
            {"DIFFINSIGHT_LLM_RESPONSE_FORMAT": "json"},
            "DIFFINSIGHT_LLM_RESPONSE_FORMAT must be one of json_schema, json_object_schema, "
            "json_object, text, not 'json'",
        ),
        ({"DIFFINSIGHT_LLM_CONTEXT": "4k"}, "DIFFINSIGHT_LLM_CONTEXT must be a positive int"),
        ({"DIFFINSIGHT_LLM_CONTEXT": "0"}, "DIFFINSIGHT_LLM_CONTEXT must be a positive int"),
    ],
)
def test_unusable_values_are_refused_naming_the_variable(env, message) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(env)
    assert load_config({"DIFFINSIGHT_LLM_RETRIES": "0"}).llm_max_retries == 0


def test_the_structured_output_mode_and_context_window_are_optional() -> None:
    assert load_config({}).llm_response_format is None and load_config({}).llm_context is None
    pinned = load_config(
        {"DIFFINSIGHT_LLM_RESPONSE_FORMAT": " JSON_Object ", "DIFFINSIGHT_LLM_CONTEXT": "4096"}
    )
    assert (pinned.llm_response_format, pinned.llm_context) == ("json_object", 4096)


def test_usable_redis_urls_and_locales_are_kept_and_locales_spelt_one_way() -> None:
    for url in ("redis://h:6379/1", "rediss://u:p@h:6380/0", "unix:///tmp/redis.sock"):
        assert load_config({"REDIS_URL": url}).redis_url == url
    assert load_config({"DIFFINSIGHT_LANG": "ja-jp"}).lang == "ja_JP"
    assert load_config({"DIFFINSIGHT_LANG": "zh_hant"}).lang == "zh_Hant"


def test_a_redis_url_error_never_shows_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"REDIS_URL": "http://user:hunter2@h:6379/0"})
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"), [("REDIS_URL", "localhost:6379"), ("DIFFINSIGHT_LANG", "Japanese!")]
)
def test_the_command_line_refuses_a_malformed_redis_url_or_language(name, value) -> None:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT), name: value}
    done = subprocess.run(
        [*COMMAND, "report", "--no-cache", "--git", ".", "HEAD~1...HEAD"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"diffinsight: {name}")
    assert "Traceback" not in done.stderr


def test_the_command_line_says_which_variable_is_wrong(tmp_path) -> None:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIFFINSIGHT_CACHE_TTL": "a week"}
    done = subprocess.run(
        [*COMMAND, "report", "--git", ".", "HEAD~1...HEAD"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "diffinsight: DIFFINSIGHT_CACHE_TTL must be a positive int, not 'a week'"
    )


def test_what_serve_and_worker_cannot_run_without() -> None:
    nothing = load_config({})
    assert missing_settings(nothing, "serve") == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    assert missing_settings(nothing, "worker") == ["SLACK_BOT_TOKEN"]
    socket_mode = load_config({"SLACK_BOT_TOKEN": "xoxb", "SLACK_APP_TOKEN": "xapp"})
    assert missing_settings(socket_mode, "serve") == []
    http = load_config({"SLACK_BOT_TOKEN": "xoxb", "SLACK_SIGNING_SECRET": "s"})
    assert missing_settings(http, "serve") == missing_settings(http, "worker") == []
