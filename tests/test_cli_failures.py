"""Every way ``diffinsight report`` can fail ends in one sentence on stderr and exit 2 or 1.

Run as a person runs it (the console script in a subprocess), so a library's log line or a
traceback that slipped onto stderr would show here.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.test_cli import env, repo, run  # noqa: F401 - fixtures shared with test_cli


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_asked_for_without_an_endpoint_exits_2(repo, env) -> None:  # noqa: F811
    args = ["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache"]
    done = run([*args, "--summarizer", "openai"], env)
    assert done.returncode == 2 and done.stdout == ""
    assert "OPENAI_API_KEY" in _one_line(done.stderr)
    by_env = run(args, {**env, "DIFFINSIGHT_SUMMARIZER": "openai"})
    assert by_env.returncode == 2 and "OPENAI_API_KEY" in _one_line(by_env.stderr)


def test_an_unreachable_llm_still_gives_a_report_and_says_why(repo, env) -> None:  # noqa: F811
    llm = {
        **env,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
        "DIFFINSIGHT_LLM_RETRIES": "0",
    }
    done = run(["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache"], llm)
    assert done.returncode == 0
    assert done.stderr == ""  # the openai client's retry warnings stay off the terminal
    assert "the server could not be reached" in done.stdout


def test_an_unreachable_github_is_one_sentence_and_exit_1(env) -> None:  # noqa: F811
    github = {**env, "GITHUB_API_URL": f"http://127.0.0.1:{_closed_port()}"}
    done = run(["report", "octo/widgets", "v1...v2", "--no-cache"], github)
    assert done.returncode == 1 and done.stdout == ""
    line = _one_line(done.stderr)  # no urllib3 retry warnings around it
    assert line.startswith("diffinsight: Could not reach GitHub") and "connection refused" in line


def test_git_missing_is_said_as_such(repo, env, tmp_path: Path) -> None:  # noqa: F811
    bare = tmp_path / "bin"
    bare.mkdir()
    done = run(
        ["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache"], {**env, "PATH": str(bare)}
    )
    assert done.returncode == 1
    assert _one_line(done.stderr) == "diffinsight: git is not installed or not on PATH"


def test_a_path_that_is_a_file_exits_1(repo, env) -> None:  # noqa: F811
    target = repo / "docs" / "guide.md"
    done = run(["report", "--git", str(target), "HEAD~1...HEAD", "--no-cache"], env)
    assert done.returncode == 1
    assert _one_line(done.stderr) == (
        f"diffinsight: {target} is a file; --git takes a repository's folder"
    )


@pytest.mark.parametrize("lang", ["xx; rm -rf", "english please", "e", "ja_JP_x"])
def test_a_language_that_is_not_a_locale_exits_2(repo, env, lang: str) -> None:  # noqa: F811
    done = run(["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache", "--lang", lang], env)
    assert done.returncode == 2 and done.stdout == ""
    assert "is not a report language" in _one_line(done.stderr)


def test_languages_are_spelt_one_way(repo, env) -> None:  # noqa: F811
    args = ["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache", "--format", "json"]
    done = run([*args, "--lang", "ja-jp"], env)
    assert done.returncode == 0, done.stderr
    assert '"language": "ja_JP"' in done.stdout
    assert "[ja_JP] Diff Insight Report" in done.stdout
    bad_env = run(args, {**env, "DIFFINSIGHT_LANG": "<b>"})
    assert bad_env.returncode == 2 and "not a report language" in _one_line(bad_env.stderr)


def test_an_unforeseen_failure_is_still_one_sentence(repo, env) -> None:  # noqa: F811
    done = run(["report", "--git", str(repo), "HEAD~1...HEAD"], {**env, "REDIS_URL": "notaurl"})
    assert done.returncode in (1, 2) and done.stdout == ""
    assert "Redis URL" in _one_line(done.stderr)
