"""The real ``diffinsight`` console script, run as a subprocess the way a person runs it."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
from pathlib import Path

import pytest

from bot.messages import ACCEPTED_FORMS
from tests.support import COMMAND, ROOT, git

# The JSON report of CONTRACT.md, spelled out here so a renderer change cannot move both.
CONTRACT_KEYS = (
    "title", "date", "permalink", "summary", "language", "repository", "base", "head",
    "highlights", "insights", "totals", "files", "notes",
)  # fmt: skip
FILE_KEYS = {
    "filename", "previous_filename", "status", "modification_type", "modification_title",
    "additions", "deletions", "changes", "explanation", "patch", "truncated",
}  # fmt: skip
_LLM_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without LLM keys, with a private data folder."""
    clean = {k: v for k, v in os.environ.items() if k not in _LLM_VARIABLES}
    clean.pop("DIFFINSIGHT_SUMMARIZER", None)
    clean["DIFFINSIGHT_DATA_DIR"] = str(tmp_path / "data")
    clean["PYTHONPATH"] = str(ROOT)
    return clean


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


@pytest.fixture
def repo(make_repo) -> Path:
    root, _ = make_repo(
        [
            {"docs/guide.md": "---\ntitle: Guide\n---\n\n# Guide\n", "src/app.py": "x = 1\n"},
            {
                "docs/guide.md": "---\ntitle: Guide v2\n---\n\n# Guide\n\n## Install\n",
                "src/app.py": "def run(a):\n    pass\n",
                "tools/build.sh": "echo\n",
            },
        ]
    )
    return root


def test_markdown_report_on_stdout_and_nothing_on_a_non_terminal_stderr(repo, env) -> None:
    done = run(["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert out.startswith("---\ndate: '2025-06-12'\npermalink: HEAD~1...HEAD\n")
    assert f"title: '[en_US] Diff Insight Report - {repo.name}'" in out
    assert 'Page title changed: "Guide" -> "Guide v2".' in out  # a title change is a highlight
    assert "`app.py`: Added public function `run`." in out
    assert out.count("{#item-") == 3


def test_json_report_has_exactly_the_contract_keys(repo, env) -> None:
    done = run(
        ["report", "HEAD~1..HEAD", "--git", str(repo), "--format", "json", "--no-cache"], env
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert tuple(data) == CONTRACT_KEYS
    assert all(set(f) == FILE_KEYS for f in data["files"])
    assert data["totals"]["files"] == 3
    assert data["base"]["ref"] == "HEAD~1" and len(data["base"]["sha"]) == 40
    assert set(data["base"]) == set(data["head"]) == {"ref", "sha"}
    assert set(data["highlights"]) == {"new_features", "breaking_changes", "other_updates"}
    assert set(data["totals"]) == {"files", "additions", "deletions", "changes"}
    assert data["language"] == "en_US"


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["--path", "docs/**"], ["docs/guide.md"]),
        (["--path", "docs/**", "--path", "src/*.py"], ["docs/guide.md", "src/app.py"]),
        (["--path", "docs/**", "tools/**"], ["docs/guide.md", "tools/build.sh"]),
    ],
)
def test_path_keeps_matching_files(repo, env, paths: list[str], expected: list[str]) -> None:
    args = ["report", "--git", str(repo), "HEAD~1...HEAD", "--format", "json", "--no-cache"]
    done = run([*args, *paths], env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [f["filename"] for f in data["files"]] == expected
    assert data["title"] == f"[en_US] Diff Insight Report - {paths[1].split('/')[0]}"
    assert data["totals"]["files"] == len(expected)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "not-a-range", "--git", "."],
        ["report", "https://example.com/o/r/compare/a...b"],
        ["report", "https://github.com/o/r/issues/3"],
        ["report", "o/r", "a...b...c"],
    ],
)
def test_bad_input_exits_2_naming_the_accepted_forms(env, args: list[str]) -> None:
    done = run([*args, "--no-cache"], env)
    assert done.returncode == 2
    assert ACCEPTED_FORMS in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["report"], ["report", "a...b", "--format", "xml"], []])
def test_usage_errors_exit_2_without_a_traceback(env, args: list[str]) -> None:
    done = run(args, env)
    assert done.returncode == 2
    assert "usage: diffinsight" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_ref_exits_1_with_one_sentence(repo, env) -> None:
    done = run(["report", "--git", str(repo), "main...nosuchbranch", "--no-cache"], env)
    assert done.returncode == 1
    assert done.stderr == f"diffinsight: unknown ref 'nosuchbranch' in {repo}\n"


def test_missing_repository_path_exits_1_with_one_sentence(tmp_path: Path, env) -> None:
    missing = tmp_path / "nowhere"
    done = run(["report", "--git", str(missing), "a...b", "--no-cache"], env)
    assert done.returncode == 1
    assert done.stderr == f"diffinsight: {missing} does not exist\n"


def _run_with_terminal_stderr(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout stays a pipe); return code, out, err."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT
    ) as proc:
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closes when the process ends
                break
            if not data:
                break
            chunks.append(data)
        out = proc.stdout.read().decode() if proc.stdout else ""
        code = proc.wait(timeout=60)
    os.close(master)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_goes_to_a_terminal_stderr_only(repo, env) -> None:
    code, out, err = _run_with_terminal_stderr(
        ["report", "--git", str(repo), "HEAD~1...HEAD", "--no-cache"], env
    )
    assert code == 0
    assert out.startswith("---\n")
    assert "reading: 3/3 files" in err and "summarizing: 3/3 files" in err
    assert err.endswith("\r\x1b[K")  # the progress line is cleared at the end
    code, out, err = _run_with_terminal_stderr(
        ["report", "--git", str(repo), "HEAD~1...nosuchbranch", "--no-cache"], env
    )
    assert code == 1 and out == ""
    # The progress line is cleared before the message, which stands on a line of its own.
    assert err.endswith("\r\x1b[Kdiffinsight: unknown ref 'nosuchbranch' in " + f"{repo}\r\n")


@pytest.fixture
def small_clone(make_repo, tmp_path: Path) -> Path:
    """A clone of a small repository with five commits, as a reader of the README has."""
    commits = [{f"notes/n{i}.md": f"# Note {i}\n\nText {i}.\n"} for i in range(5)]
    commits[1]["pyproject.toml"] = '[project]\nname = "x"\nversion = "1.0"\n'
    commits[4]["pyproject.toml"] = '[project]\nname = "x"\nversion = "1.1"\n'
    origin, _ = make_repo(commits, name="origin")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    return clone


def test_readme_offline_command_on_a_small_clone(
    small_clone, env, redis_url, redis_prefix, redis_client
) -> None:
    env = {**env, "REDIS_URL": redis_url, "DIFFINSIGHT_REDIS_PREFIX": redis_prefix}
    done = run(["report", "--git", ".", "HEAD~3...HEAD"], env, cwd=small_clone)
    assert done.returncode == 0, done.stderr
    assert "Version bumped: `1.0` -> `1.1`." in done.stdout
    assert done.stdout.count("{#item-") == 4  # three notes and the manifest
    again = run(["report", "--git", ".", "HEAD~3...HEAD"], env, cwd=small_clone)
    assert again.returncode == 0 and again.stdout == done.stdout


def test_readme_offline_command_on_this_checkout(
    env, redis_url, redis_prefix, redis_client
) -> None:
    env = {**env, "REDIS_URL": redis_url, "DIFFINSIGHT_REDIS_PREFIX": redis_prefix}
    count = int(git(ROOT, "rev-list", "--count", "HEAD"))
    done = run(["report", "--git", ".", "HEAD~3...HEAD"], env)
    if count >= 4:
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("---\ndate: ")
        assert "# Modified Contents\n" in done.stdout
    else:  # a shallow clone: the same command fails cleanly instead
        assert done.returncode == 1
        assert "unknown ref 'HEAD~3'" in done.stderr
