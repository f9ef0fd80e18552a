"""What commit messages in the range say: Conventional Commits and merged pull requests.

``feat(scope)!: subject`` and a ``BREAKING CHANGE:`` footer are read by the Conventional
Commits 1.0 rules; a merge commit ("Merge pull request #12 from owner/branch") stands for the
pull request, titled by its message body's first line. Other commit subjects say too little
on their own to be highlights, so they are left to the per-file facts. Dependency bots'
commits ("Bump x from 1 to 2") are tooling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.diff import CommitMessage as Commit
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.ranking import shorten

_CONVENTIONAL_RE = re.compile(
    r"^(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^()\r\n]{1,60})\))?(?P<bang>!)?:\s+(?P<subject>\S.*)$"
)
_FOOTER_RE = re.compile(r"^BREAKING[ -]CHANGE:\s*(?P<text>\S.*)$", re.MULTILINE)
_MERGE_RE = re.compile(r"^Merge (?:pull request|PR) #(?P<number>\d+) from \S+")
_SQUASH_RE = re.compile(r"\s\(#(?P<number>\d+)\)$")
_BOT_RE = re.compile(
    r"^(?:\[[^\]]*\]\s*)?(?:(?:build|chore)\(deps[^)]*\):\s*)?"
    r"Bump \S+ from \S+ to \S+"
)
_MAX_MESSAGES = 1000
_LONGEST_MESSAGE = 20_000  # a longer message is a pasted log: its start says enough

_GROUPS = {
    "feat": "feature",
    "feature": "feature",
    "fix": "other",
    "perf": "other",
    "revert": "other",
    "refactor": "other",
    "docs": "other",
}
_TOOLING = frozenset({"ci", "build", "chore", "test", "tests", "style", "lint", "deps"})


@dataclass(frozen=True, slots=True)
class Said:
    """One thing a commit message says about the change."""

    text: str
    group: str  # breaking, feature, other
    tier: str  # ranking tier: break, api, behaviour, docs, tooling
    source: str  # "commit abc1234", "pull request #12"


def _source(commit: Commit, number: str | None = None) -> str:
    if commit.pull is not None:
        return f"pull request #{commit.pull}"
    if number:
        return f"pull request #{number}"
    return f"commit {commit.sha[:7]}"


def read_commit(commit: Commit) -> list[Said]:
    """What one message says: its conventional subject, breaking footers, or a merge title."""
    lines = commit.message[:_LONGEST_MESSAGE].strip().splitlines()
    if not lines:
        return []
    subject, body = lines[0].strip(), "\n".join(lines[1:])
    said: list[Said] = []
    merge = _MERGE_RE.match(subject)
    if merge:
        title = next((line.strip() for line in lines[1:] if line.strip()), "")
        if not title:
            return []
        subject, number = title, merge.group("number")
    else:
        squash = _SQUASH_RE.search(subject)
        number = squash.group("number") if squash else None
    source = _source(commit, number)
    if _BOT_RE.match(subject):
        return [Said(subject, "other", "tooling", source)]
    match = _CONVENTIONAL_RE.match(subject)
    for footer in _FOOTER_RE.finditer(body):
        said.append(Said(footer.group("text").strip(), "breaking", "break", source))
    if match:
        kind = match.group("type").lower()
        scope = match.group("scope")
        text = match.group("subject").strip()
        text = f"{scope}: {text}" if scope else text
        if match.group("bang") and not said:
            said.append(Said(text, "breaking", "break", source))
        elif kind in _TOOLING or (scope or "").lower() in ("deps-dev", "ci"):
            said.append(Said(text, "other", "tooling", source))
        elif kind in _GROUPS:
            group = _GROUPS[kind]
            tier = "api" if group == "feature" else ("docs" if kind == "docs" else "behaviour")
            said.append(Said(text, group, tier, source))
    elif merge or commit.pull is not None:
        said.append(Said(subject, "other", "behaviour", source))
    return said


def read_commits(commits: Sequence[Commit]) -> list[Said]:
    """Everything the range's messages say, first commit first, each text once."""
    seen: set[str] = set()
    out: list[Said] = []
    for commit in commits[:_MAX_MESSAGES]:
        for said in read_commit(commit):
            key = said.text.lower()
            if key not in seen:
                seen.add(key)
                out.append(said)
    return out


def commit_facts(commits: Sequence[Commit]) -> list[Fact]:
    """Facts of the whole range from its messages, attributed to their commit or PR."""
    facts: list[Fact] = []
    for said in read_commits(commits):
        text = f"{said.source[:1].upper()}{said.source[1:]}: “{shorten(said.text, 200)}”"
        weight = 6 if said.group != "other" else 2
        facts.append(Fact(text, said.group, weight, "commit", tier=said.tier))  # type: ignore[arg-type]
    return facts
