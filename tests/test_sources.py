"""Every SOURCE form of CONTRACT.md parses to one value; anything else is a clear SourceError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.messages import ACCEPTED_FORMS
from bot.sources import Source, SourceError, parse_source, split_ref

GH = "https://github.com"
EXAMPLE = f"{GH}/MicrosoftDocs/azure-ai-docs/compare/MicrosoftDocs:776cc95...MicrosoftDocs:da65020"


def compare(base: str, head: str, dots: int = 3, owner: str = "o", repo: str = "r") -> Source:
    return Source("compare", "github.com", owner, repo, base, head, dots=dots)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{GH}/o/r/compare/main...feature", compare("main", "feature")),
        (f"{GH}/o/r/compare/v1.0..v2.0", compare("v1.0", "v2.0", dots=2)),
        (
            EXAMPLE,
            compare(
                "MicrosoftDocs:776cc95",
                "MicrosoftDocs:da65020",
                owner="MicrosoftDocs",
                repo="azure-ai-docs",
            ),
        ),
        (f"{GH}/o/r/compare/fork:r2:feat...main", compare("fork:r2:feat", "main")),
        (f"{GH}/o/r/compare/main...someone:topic", compare("main", "someone:topic")),
        (f"{GH}/o/r/compare/release/1.x...feature/a/b", compare("release/1.x", "feature/a/b")),
        (f"{GH}/o/r/compare/a%2Fb...c", compare("a/b", "c")),
        (f"{GH}/o/r/compare/main...feat.diff", compare("main", "feat")),
        (f"{GH}/o/r/compare/main..feat.patch", compare("main", "feat", dots=2)),
        (f"{GH}/o/r/compare/main...feat?expand=1&w=1", compare("main", "feat")),
        (f"{GH}/o/r/compare/main...feat#diff-0123abcd", compare("main", "feat")),
        (f"{GH}/o/r/compare/main...feat/", compare("main", "feat")),
        (f"<{GH}/o/r/compare/main...feat>", compare("main", "feat")),
        (f"<{GH}/o/r/compare/main...feat|the compare>", compare("main", "feat")),
        (f"<{GH}/o/r/compare/main...feat?a=1&amp;b=2|x>", compare("main", "feat")),
        (f"  {GH}/o/r/compare/main...feat  ", compare("main", "feat")),
        ("https://www.github.com/o/r/compare/a...b", compare("a", "b")),
        (f"{GH}/o/r.git/compare/a...b", compare("a", "b")),
        ("o/r main...feature", compare("main", "feature")),
        ("o/r v1..v2", compare("v1", "v2", dots=2)),
        ("o/r   fork:topic...main", compare("fork:topic", "main")),
        (f"{GH}/o/r/pull/12", Source("pull", "github.com", "o", "r", number=12)),
        (f"{GH}/o/r/pull/12/files", Source("pull", "github.com", "o", "r", number=12)),
        (f"{GH}/o/r/pull/12/commits", Source("pull", "github.com", "o", "r", number=12)),
        (f"{GH}/o/r/pull/12.diff", Source("pull", "github.com", "o", "r", number=12)),
        (f"<{GH}/o/r/pull/12|#12>", Source("pull", "github.com", "o", "r", number=12)),
        (f"{GH}/o/r/pull/12?diff=split#r1", Source("pull", "github.com", "o", "r", number=12)),
        (f"{GH}/o/r/commit/ABCDEF1", Source("commit", "github.com", "o", "r", head="abcdef1")),
        (
            f"{GH}/o/r/commit/{'a' * 40}.patch",
            Source("commit", "github.com", "o", "r", head="a" * 40),
        ),
        (
            f"{GH}/o/r/commit/{'b' * 40}#diff-1",
            Source("commit", "github.com", "o", "r", head="b" * 40),
        ),
        # Pasted without the scheme, as browsers' address bars often copy it.
        ("github.com/o/r/pull/3", Source("pull", "github.com", "o", "r", number=3)),
        ("www.github.com/o/r/compare/a...b", Source("compare", "github.com", "o", "r", "a", "b")),
    ],
)
def test_accepted_forms(text: str, expected: Source) -> None:
    assert parse_source(text) == expected


def test_the_example_keeps_its_cross_fork_spelling() -> None:
    source = parse_source(EXAMPLE)
    assert source.repository == "MicrosoftDocs/azure-ai-docs"
    assert source.range_text == "MicrosoftDocs:776cc95...MicrosoftDocs:da65020"
    assert split_ref(source.base or "").owner == "MicrosoftDocs"
    assert split_ref(source.head or "").ref == "da65020"


def test_split_ref_forms() -> None:
    assert (split_ref("main").owner, split_ref("main").ref) == (None, "main")
    spec = split_ref("octo:docs:feature/x")
    assert (spec.owner, spec.repo, spec.ref) == ("octo", "docs", "feature/x")


def test_enterprise_host_from_github_api_url() -> None:
    config = load_config({"GITHUB_API_URL": "https://ghe.example.com/api/v3"})
    assert config.github_web_host == "ghe.example.com"
    source = parse_source(
        "https://ghe.example.com/team/app/compare/main...dev",
        github_web_host=config.github_web_host,
    )
    assert (source.host, source.repository, source.range_text) == (
        "ghe.example.com",
        "team/app",
        "main...dev",
    )
    shorthand = parse_source("team/app main...dev", github_web_host=config.github_web_host)
    assert shorthand.host == "ghe.example.com"


def test_github_com_links_are_refused_under_an_enterprise_configuration() -> None:
    # They would be looked up on the Enterprise server and reported "not found".
    with pytest.raises(SourceError, match=r"reads ghe\.example\.com \(GITHUB_API_URL\)"):
        parse_source("https://github.com/o/r/pull/1", github_web_host="ghe.example.com")
    assert parse_source("https://github.com/o/r/pull/1").host == "github.com"


def test_enterprise_links_are_refused_when_not_configured() -> None:
    with pytest.raises(SourceError, match="ghe.example.com"):
        parse_source("https://ghe.example.com/team/app/compare/main...dev")


def test_local_range_with_git_path() -> None:
    source = parse_source("HEAD~3...HEAD", git_path="/tmp/x")
    assert (source.kind, source.base, source.head, source.git_path) == (
        "local",
        "HEAD~3",
        "HEAD",
        "/tmp/x",
    )
    with pytest.raises(SourceError, match="with --git PATH, give a range of that repository"):
        parse_source(f"{GH}/o/r/compare/a...b", git_path="/tmp/x")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no source"),
        ("   ", "no source"),
        ("hello world", "not a link or range"),
        ("https://gitlab.com/o/r/compare/a...b", "not GitHub"),
        ("ftp://github.com/o/r/compare/a...b", "http(s)"),
        (f"{GH}/o/r", "does not point at"),
        (f"{GH}/o/r/issues/3", "does not point at"),
        (f"{GH}/o/r/compare/main", "no BASE...HEAD"),
        (f"{GH}/o/r/compare/...main", "both a base and a head"),
        (f"{GH}/o/r/compare/main..", "both a base and a head"),
        (f"{GH}/o/r/compare/a...b...c", "more than one"),
        (f"{GH}/o/r/compare/main...feat.lock", "not a valid branch"),
        ("o/r main...a//b", "not a valid branch"),
        (f"{GH}/o/r/compare/-x...main", "owner|branch|not a valid"),
        (f"{GH}/o/r/compare/:a...b", "owner"),
        (f"{GH}/o/r/pull/abc", "pull request number"),
        (f"{GH}/o/r/pull/0", "pull request number"),
        (f"{GH}/o/r/pull/3/reviews", "not a pull request link"),
        (f"{GH}/o/r/commit/xyz", "not a commit SHA"),
        (f"{GH}/o/r/commit/abc", "not a commit SHA"),
        (f"{GH}/-bad/r/pull/1", "not a GitHub repository name"),
        (f"{GH}/o/r/compare/a b...c", "spaces"),
        ("o/r main", "no BASE...HEAD"),
        ("https://" + "a" * 3000, "too long"),
    ],
)
def test_rejections_name_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_source(text)
    message = str(info.value)
    assert ACCEPTED_FORMS in message
    assert any(part in message for part in reason.split("|")), message


def test_non_text_is_a_source_error() -> None:
    with pytest.raises(SourceError):
        parse_source(None)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------

name_chars = st.sampled_from("abcXYZ019-_.")
owner_st = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}", fullmatch=True)
repo_st = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True).filter(
    lambda s: not s.endswith(".git") and ".." not in s  # ".." would read as a range
)
segment_st = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,10}", fullmatch=True)
ref_st = st.lists(segment_st, min_size=1, max_size=3).map("/".join)
side_st = st.one_of(
    ref_st,
    st.tuples(owner_st, ref_st).map(":".join),
    st.tuples(owner_st, repo_st, ref_st).map(":".join),
)
piece_st = st.sampled_from(
    [
        "https://",
        "http://",
        "github.com",
        "www.github.com",
        "ghe.example.com",
        "/",
        "compare",
        "pull",
        "commit",
        "files",
        "...",
        "..",
        ":",
        ".diff",
        ".patch",
        "?",
        "#",
        "&amp;",
        "<",
        ">",
        "|",
        " ",
        "%2F",
        "%",
        "@",
        "~",
        "^",
        "{",
        "main",
        "owner",
        "repo",
        "12",
        "abcdef1",
        "\n",
        "\x00",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_only_raises_source_error(text: str) -> None:
    try:
        source = parse_source(text)
    except SourceError:
        return
    assert source.kind in ("compare", "pull", "commit")


@settings(max_examples=400, deadline=None)
@given(st.lists(piece_st, max_size=25).map("".join))
def test_github_like_text_only_raises_source_error(text: str) -> None:
    try:
        source = parse_source(text, github_web_host="ghe.example.com")
    except SourceError:
        return
    assert source.owner and source.repo


@settings(max_examples=200, deadline=None)
@given(
    owner_st,
    repo_st,
    side_st,
    side_st,
    st.sampled_from([2, 3]),
    st.sampled_from(["", "/", ".diff", ".patch", "?w=1", "#diff-1", "?a=1&amp;b=2"]),
    st.booleans(),
)
def test_compare_round_trips(
    owner: str, repo: str, base: str, head: str, dots: int, suffix: str, slack: bool
) -> None:
    url = f"{GH}/{owner}/{repo}/compare/{base}{'.' * dots}{head}{suffix}"
    if slack:
        url = f"<{url}|label>"
    source = parse_source(url)
    assert (source.kind, source.owner, source.repo) == ("compare", owner, repo)
    assert (source.base, source.head, source.dots) == (base, head, dots)
    again = parse_source(f"{GH}/{source.repository}/compare/{source.range_text}")
    assert again == source
    shorthand = parse_source(f"{source.repository} {source.range_text}")
    assert shorthand == source
