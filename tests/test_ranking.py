"""The shared ranking: tiers order highlights by meaning, tooling is grouped last, bullets fit."""

from __future__ import annotations

from bot.diff import Change, FileChange, RefInfo
from bot.report import FileSummary
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.overall import build_overall
from bot.summarize.heuristic.ranking import group_of, shorten, tier_of, tooling_area, worth


def _change(files: list[FileChange]) -> Change:
    return Change(
        "o/r", "local", RefInfo("a", "a" * 40), RefInfo("b", "b" * 40), "a...b", files, "2024-01-01"
    )


def test_tier_beats_weight():
    """A heavy CI fact once outranked an API removal; the tier now decides first."""
    removal = Fact("Removed public function `f`.", "breaking", 1, "code", tier="break")
    docs = Fact('New section "Install".', "feature", 9, "headings")
    new_api = Fact("Added public function `g`.", "feature", 1, "code", tier="api")
    assert worth(removal, "pkg/a.py") > worth(new_api, "pkg/a.py") > worth(docs, "docs/a.md")
    assert tier_of(docs, "docs/a.md") == "docs"
    assert (
        tier_of(Fact("Settings changed: x.", "other", 9, "settings"), ".github/workflows/ci.yml")
        == "tooling"
    )


def test_tooling_files_are_never_breaking_or_features():
    fact = Fact("Removed public function `main`.", "breaking", 9, "code")
    assert group_of(fact, ".github/workflows/test.yml") == "other"
    assert group_of(fact, "src/pkg/core.py") == "breaking"
    assert group_of("Removed public function `x`.") == "breaking"  # a plain str keeps its wording


def test_tooling_areas_by_path():
    assert tooling_area(".github/workflows/build.yml") == "CI"
    assert tooling_area(".github/dependabot.yml") == "Dependabot"
    assert tooling_area(".pre-commit-config.yaml") == "Lint and format settings"
    assert tooling_area("tests/data/cert.pem") == "Test fixtures"
    assert tooling_area("package-lock.json") == "Generated files"
    assert tooling_area("src/_vendor/six.py") == "Vendored code"
    assert tooling_area("src/flask/app.py") is None


def test_shorten_cuts_at_a_word_and_never_inside_markup():
    long = "Pinned actions: " + " ".join(f"`actions/checkout@{i:040d}`" for i in range(20))
    cut = shorten(long, 300)
    assert len(cut) <= 300 and cut.endswith("…")
    assert cut.count("`") % 2 == 0
    link = "See " + "word " * 50 + "[the guide](https://example.com/a/very/long/path)"
    assert "](" not in shorten(link, 270)
    assert shorten("short") == "short"


def test_ci_files_group_into_one_line_ranked_last():
    """Four workflow files used to be four bullets above the API changes."""
    files = [
        FileChange(f".github/workflows/w{i}.yml", "modified", 2, 2, "@@ -1 +1 @@\n-a: 1\n+a: 2")
        for i in range(4)
    ]
    files.append(FileChange("pkg/core.py", "modified", 1, 1, "@@ -1 +1 @@\n-x = 1\n+x = 2"))
    facts = [[Fact("Settings changed: `a` 1 -> 2.", "other", 9, "settings")] for _ in range(4)]
    facts.append([Fact("Code changed inside `run`.", "other", 1, "code")])
    summaries = [FileSummary("minor update", "t", "e") for _ in files]
    overall = build_overall(_change(files), summaries, facts)
    other = overall.highlights.other_updates
    assert other[-1].startswith("CI: 4 files updated (")
    assert other[0] == "`core.py`: Code changed inside `run`."
    assert len(other) == 2
