"""Entries the maintainers added to a changelog in the range, sorted into the report's groups.

A changelog (CHANGES, CHANGELOG, HISTORY, NEWS, RELEASE NOTES; Markdown, reStructuredText or
text) is read as headings (ATX ``#``, setext and reStructuredText underlines, a bold line such
as ``**Bugfixes**``) and list entries under them. The entries whose lines the change added are
taken, whole, with the headings above them: Keep a Changelog's Added/Changed/Deprecated/
Removed/Fixed/Security, towncrier types and the entry's own words (``Drop support``,
``*Breaking:*``) decide the group. ``changelog.d/`` and ``newsfragments/`` files are one
entry each, typed by their name (``1234.feature.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.ranking import shorten

_CHANGELOG_RE = re.compile(
    r"(?i)(^|/)(changes|changelog|history|news|release[-_ ]?notes|whatsnew)"
    r"(\.(md|markdown|rst|txt|adoc))?$"
)
_FRAGMENT_RE = re.compile(
    r"(?i)(^|/)(changelog\.d|newsfragments|changes|\.changeset|unreleased)/"
    r"(?:[^/]*?\.)?(?P<type>feature|bugfix|fix|doc|docs|removal|deprecation|breaking|misc|change|added|security|trivial)(?:\.\d+)?(\.(md|rst|txt))?$"
)
_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE_RE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_BOLD_RE = re.compile(r"^\s*(?:\*\*|__)([^*_]{2,60})(?:\*\*|__):?\s*$")
_ITEM_RE = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_ROLE_RE = re.compile(
    r":(?:pr|issue|user|ref|meth|func|class|attr|mod|doc|data|exc|obj|pep|rfc):`([^`]*)`"
)
_REF_ROLE_RE = re.compile(r"\s*:(?:pr|issue|issues|user|ghuser|gh):`[^`]*`[.,]?")
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_RE = re.compile(r"\s*\(?\[?#\d+\]?(?:\([^)]*\))?(?:,\s*\[?#\d+\]?(?:\([^)]*\))?)*\)?\s*$")

_SECTION_GROUPS = {
    "added": "feature", "new": "feature", "features": "feature", "feature": "feature",
    "new features": "feature", "enhancements": "feature", "improvements": "feature",
    "removed": "breaking", "removals": "breaking", "deprecated": "breaking",
    "deprecations": "breaking", "deprecation": "breaking", "breaking changes": "breaking",
    "backwards-incompatible changes": "breaking", "backward incompatible changes": "breaking",
    "breaking": "breaking", "removal": "breaking",
    "fixed": "other", "fixes": "other", "bug fixes": "other", "bugfixes": "other",
    "bugfix": "other", "security": "other", "changed": "other", "changes": "other",
    "documentation": "other", "documented": "other", "doc": "other", "docs": "other",
    "internal changes": "other", "misc": "other", "dependencies": "other", "trivial": "other",
}  # fmt: skip
_BREAKING_WORDS = re.compile(
    r"(?i)\*?\bbreaking\b|\bdrop(?:ped|s)? support\b|\bno longer supports?\b"
    r"|\b(?:is|are|was|were|has been|have been)\s+(?:now\s+)?(?:removed|deprecated|renamed)\b"
    r"|^\W*(?:remove[sd]?|deprecate[sd]?|rename[sd]?|drop(?:ped|s)?)\b"
    r"|\brequires? (?:python|node(?:\.js)?|go|rust) "
)
_PLATFORM_RE = re.compile(
    r"(?i)\b(python|node(\.js)?|go|rust|msrv|\.net|jdk|java)\s*v?\d|drop(ped|s)? support|requires? "
)
_FEATURE_WORDS = re.compile(
    r"(?i)^\W*(?:add(?:ed|s)?|new|support(?:s|ed)?|allow(?:s|ed)?|introduce[sd]?|implement(?:s|ed)?|provide[sd]?|expose[sd]?)\b"
    r"|\bcan now\b|\bnow (?:supports?|accepts?|allows?)\b"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One changelog entry the change added: its text, group and the section it is under."""

    text: str
    group: str  # breaking, feature, other
    section: str
    deprecation: bool = False


def is_changelog(path: str) -> bool:
    return bool(_CHANGELOG_RE.search(path) or _FRAGMENT_RE.search(path))


_LONGEST_ENTRY = 2000  # longer "entries" are data; cut first so every pattern stays linear


def clean(text: str) -> str:
    """An entry's words without markup noise: roles, link targets, trailing issue refs."""
    text = text[:_LONGEST_ENTRY]
    text = _ROLE_RE.sub(lambda m: f"`{m.group(1)}`", text)
    text = _MD_LINK_RE.sub(lambda m: m.group(1), text)
    text = text.replace("``", "`")
    text = " ".join(text.split())
    return _REF_RE.sub("", text).strip()


def _group(section: str, text: str) -> tuple[str, bool]:
    deprecation = bool(re.search(r"(?i)deprecat", text)) and not re.search(
        r"(?i)remove[sd]?\b.*deprecated|deprecated.*\bremoved\b", text
    )
    heading = section.lower().strip(" :*_")
    deprecation = deprecation or heading.startswith("deprecat")
    if _BREAKING_WORDS.search(text):
        return "breaking", deprecation
    if heading in _SECTION_GROUPS:
        group = _SECTION_GROUPS[heading]
        return group, deprecation and group == "breaking"
    if _FEATURE_WORDS.search(text):
        return "feature", False
    return "other", False


def _headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    """Line index -> (level, title) for every heading; setext levels by underline order."""
    found: dict[int, tuple[int, str]] = {}
    underline_levels: list[str] = []
    for i, line in enumerate(lines):
        atx = _ATX_RE.match(line)
        if atx:
            found[i] = (len(atx.group(1)), atx.group(2))
            continue
        under = _UNDERLINE_RE.match(line)
        if under and i > 0 and lines[i - 1].strip() and not _ITEM_RE.match(lines[i - 1]):
            if len(line.rstrip()) >= len(lines[i - 1].rstrip()) * 0.6 and i - 1 not in found:
                char = under.group(1)
                if char not in underline_levels:
                    underline_levels.append(char)
                found[i - 1] = (underline_levels.index(char) + 1, lines[i - 1].strip())
            continue
        bold = _BOLD_RE.match(line)
        if bold:
            found[i] = (7, bold.group(1).strip())
    return found


def entries(text: str, added_lines: set[int] | None) -> list[Entry]:
    """Entries of a changelog whose first line was added (``added_lines``, 1-based) or, when
    ``text`` is only the added lines themselves, every entry in it (``added_lines`` None).

    A nested item is an entry of its own; it inherits a breaking parent's group ("Remove
    previously deprecated code:" then the list of what went).
    """
    lines = text.splitlines()
    headings = _headings(lines)
    stack: list[tuple[int, str]] = []
    items: list[tuple[int, list[str], int, str]] = []  # start, lines, indent, section
    for i, line in enumerate(lines):
        if i in headings:
            level, title = headings[i]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, clean(title)))
            items.append((-1, [], 0, ""))  # a heading ends the open item
            continue
        if i - 1 in headings and _UNDERLINE_RE.match(line):
            continue
        item = _ITEM_RE.match(line)
        section = stack[-1][1] if stack else ""
        if item:
            items.append((i, [item.group(2)], len(item.group(1)), section))
        elif items and items[-1][0] >= 0 and line.strip() and line[:1] in (" ", "\t"):
            items[-1][1].append(line.strip())
        elif line.strip():
            items.append((-1, [], 0, ""))  # a paragraph ends the open item
    found: list[Entry] = []
    parents: list[tuple[int, int]] = []  # (indent, item index) of open outer items
    groups: dict[int, tuple[str, bool]] = {}

    def group_of(index: int) -> tuple[str, bool]:
        if index not in groups:  # judged only for entries taken and their parents
            _, words_list, _, section = items[index]
            groups[index] = _group(section, clean(_REF_ROLE_RE.sub("", " ".join(words_list))))
        return groups[index]

    for index, (start, words_list, indent, section) in enumerate(items):
        if start < 0:
            parents = []
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        outer = [i for _, i in parents]
        parents.append((indent, index))
        if added_lines is not None and start + 1 not in added_lines:
            continue
        words = clean(_REF_ROLE_RE.sub("", " ".join(words_list)))
        if not words:
            continue
        group, deprecation = group_of(index)
        if outer and group_of(outer[-1])[0] == "breaking" and group != "feature":
            group = "breaking"
        found.append(Entry(words, group, section, deprecation))
    return found


def fragment_entry(path: str, text: str) -> Entry | None:
    """A towncrier-style fragment file: one entry, typed by its file name."""
    match = _FRAGMENT_RE.search(path)
    if not match:
        return None
    kind = match.group("type").lower()
    group = {
        "feature": "feature",
        "added": "feature",
        "removal": "breaking",
        "breaking": "breaking",
        "deprecation": "breaking",
    }.get(kind, "other")
    words = clean(" ".join(line.strip() for line in text.splitlines() if line.strip()))
    if not words:
        return None
    return Entry(words, group, kind, kind == "deprecation")


_ENTRY_LIMIT = 240


def facts(entries: list[Entry]) -> list[Fact]:
    """One fact per entry, quoted and trimmed, in the group its section and words say."""
    out: list[Fact] = []
    for entry in entries:
        quote = shorten(entry.text, _ENTRY_LIMIT)
        text = f"Changelog: “{quote}”"
        specific = "`" in entry.text  # names something: worth more than "Various fixes"
        if entry.group == "breaking":
            platform = bool(_PLATFORM_RE.search(entry.text))
            tier = "deprecation" if entry.deprecation else ("platform" if platform else "break")
            weight = 7 if specific or platform else 4
        elif entry.group == "feature":
            tier, weight = "api", 7 if specific else 5
        else:
            tier, weight = "behaviour", 3 if specific else 2
        out.append(Fact(text, entry.group, weight, "changelog", tier=tier, subject=entry.text))  # type: ignore[arg-type]
    return out
