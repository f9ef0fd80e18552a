"""``diffinsight digest`` as a person runs it: Markdown and JSON, empty windows, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.digest_history import History, make_history
from tests.test_cli import CONTRACT_KEYS, run
from tests.test_cli import env as cli_env

env = cli_env  # the same fixture: the caller's environment without LLM keys


@pytest.fixture
def history(tmp_path: Path) -> History:
    return make_history(tmp_path / "repo")


WINDOW = ["--since", "2026-11-23T09:00:00Z", "--until", "2026-11-30T09:00:00Z"]


def test_markdown_digest_has_the_merged_section_after_the_highlights(history, env) -> None:
    done = run(["digest", "--git", str(history.root), "main", *WINDOW, "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    name = history.root.name
    assert f"title: '[en_US] Diff Insight Digest - {name} (2026-11-23 to 2026-11-30)'" in out
    highlights, merged, insights = (
        out.index(h) for h in ("# Highlights", "# Merged in this period", "# Insights")
    )
    assert highlights < merged < insights
    section = out[merged:insights]
    assert f"- `{history.c2[:7]}` At since (Ada, 2026-11-23)" in section
    assert (
        f"- `{history.m1[:7]}` Merge pull request #5 from octo/feature (Ada, 2026-11-26)" in section
    )
    assert "After until" not in section and "Feature one" not in section


def test_json_digest_adds_period_and_merged_to_the_report_keys(history, env) -> None:
    done = run(
        ["digest", "main", "--git", str(history.root), *WINDOW, "--format", "json", "--no-cache"],
        env,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert tuple(data) == (*CONTRACT_KEYS, "period", "merged")
    assert data["period"] == {"since": "2026-11-23T09:00:00Z", "until": "2026-11-30T09:00:00Z"}
    assert data["base"]["sha"] == history.c1 and data["head"]["sha"] == history.c3
    assert data["merged"][1] == {
        "title": "Merge pull request #5 from octo/feature",
        "sha": history.m1,
        "author": "Ada",
        "date": "2026-11-26T10:00:00Z",
        "number": None,
        "url": None,
    }


def test_an_empty_window_is_one_line_and_exit_0(history, env) -> None:
    args = ["digest", "--git", str(history.root), "--since", "2026-11-21", "--until", "2026-11-22"]
    done = run([*args, "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"No change on HEAD of {history.root.name} between 2026-11-21T00:00:00Z and "
        "2026-11-22T00:00:00Z.\n"
    )
    as_json = run([*args, "--format", "json", "--no-cache"], env)
    assert as_json.returncode == 0 and len(as_json.stdout.splitlines()) == 1
    assert json.loads(as_json.stdout)["merged"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "yesterday"],
        ["--since", "2026-11-30", "--until", "2026-11-23"],
        ["--since", "7d", "--until", "2026-02-30"],
    ],
)
def test_unusable_when_is_exit_2_with_the_accepted_forms(history, env, args) -> None:
    done = run(["digest", "--git", str(history.root), *args, "--no-cache"], env)
    assert done.returncode == 2
    assert "24h, 7d, 2w" in done.stderr and done.stdout == ""


def test_a_bad_source_is_exit_2_and_an_unreadable_one_exit_1(history, env, tmp_path) -> None:
    bad = run(["digest", "not-a-repo", "--since", "7d", "--no-cache"], env)
    assert bad.returncode == 2 and "OWNER/REPO@BRANCH" in bad.stderr
    missing = run(
        ["digest", "--git", str(tmp_path / "nowhere"), "--since", "7d", "--no-cache"], env
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    ref = run(["digest", "nope", "--git", str(history.root), "--since", "7d", "--no-cache"], env)
    assert ref.returncode == 1 and "unknown ref 'nope'" in ref.stderr
    no_since = run(["digest", "--git", str(history.root)], env)
    assert no_since.returncode == 2 and "--since" in no_since.stderr


def test_a_refused_path_glob_is_exit_2_even_when_the_window_is_empty(history, env) -> None:
    """The glob bounds (issue 11 #1) were checked only when a report was built, so a digest
    of an empty window took eleven ``**/`` with exit 0, and a scheduled one would too."""
    args = ["digest", "--git", str(history.root), "--since", "2026-11-21", "--until", "2026-11-22"]
    done = run([*args, "--path", "**/" * 11 + "x", "--no-cache"], env)
    assert done.returncode == 2, done.stdout
    assert "more than 10 '**'" in done.stderr and done.stdout == ""


def test_an_unknown_option_or_extra_word_is_exit_2_not_ignored(history, env) -> None:
    """``parse_known_args`` (there for report's two-word ``OWNER/REPO BASE...HEAD``) let a
    digest drop what it did not know: ``--pth docs/`` gave a digest of everything, exit 0."""
    args = ["digest", "--git", str(history.root), "main", *WINDOW, "--no-cache"]
    for extra in (["--pth", "docs/"], ["docs/"]):
        done = run([*args, *extra], env)
        assert done.returncode == 2, done.stdout[:200]
        assert "unrecognized arguments" in done.stderr and done.stdout == ""
