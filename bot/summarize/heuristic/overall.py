"""Report-level text from per-file facts: ranked highlights, insights and a short summary.

Everything here must read well for one file and for three hundred, so every list is capped
and ends with "and N more"; repeated kinds of fact (new files, deleted files) are grouped.
"""

from __future__ import annotations

import posixpath
from collections import Counter

from bot.diff import Change
from bot.report import FileSummary, Highlights, ReportSummary
from bot.summarize.heuristic.commits import commit_facts
from bot.summarize.heuristic.facts import Fact, kind_of, topic_of
from bot.summarize.heuristic.merging import merge
from bot.summarize.heuristic.patchwalk import clip, listing
from bot.summarize.heuristic.ranking import group_of, shorten, tooling_area, worth

HIGHLIGHT_LIMIT = 8
_PER_FILE = 3
_GROUPED = {"new file": "New files", "deleted file": "Deleted files", "renamed": "Renamed files"}
_FAMILIES = {
    ".md": "Markdown", ".markdown": "Markdown", ".mdx": "Markdown", ".rst": "reStructuredText",
    ".py": "Python", ".js": "JavaScript", ".jsx": "JavaScript", ".mjs": "JavaScript",
    ".ts": "TypeScript", ".tsx": "TypeScript", ".go": "Go", ".java": "Java", ".kt": "Kotlin",
    ".cs": "C#", ".rs": "Rust", ".rb": "Ruby", ".c": "C", ".h": "C", ".cpp": "C++",
    ".json": "JSON", ".yml": "YAML", ".yaml": "YAML", ".toml": "TOML", ".txt": "text",
    ".html": "HTML", ".css": "CSS", ".sh": "shell", ".png": "image", ".svg": "image",
    ".jpg": "image", ".gif": "image",
}  # fmt: skip


def display_names(paths: list[str]) -> dict[str, str]:
    """Each path's shortest tail that no other changed path shares (``a/__init__.py``)."""
    names: dict[str, str] = {}
    pending = list(dict.fromkeys(paths))
    depth = 1
    while pending:
        tails = {p: "/".join(p.split("/")[-depth:]) for p in pending}
        counts = Counter(tails.values())
        pending = [p for p in pending if counts[tails[p]] > 1 and tails[p] != p]
        names.update({p: f"`{t}`" for p, t in tails.items() if p not in pending})
        depth += 1
    return names


_GROUP_STARTS = tuple(f"{label[:-1]}" for label in _GROUPED.values())


def _family(filename: str) -> str:
    base = filename.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return _FAMILIES.get(base[dot:].lower(), "other") if dot > 0 else "other"


def _ranked(
    change: Change, facts: list[list[str]], names: dict[str, str], extra: list[Fact]
) -> dict[str, list[tuple[int, int, str]]]:
    """Per group: (worth, file index, text) of every fact, best first.

    Repeated file events (new, deleted, renamed files) become one line per kind, and every
    tooling file (CI, dependabot, lint settings, fixtures, generated, vendored) one line per
    area, ranked last: "CI: 4 files updated (`a.yml`, ...)".
    """
    items: dict[str, list[tuple[int, int, str]]] = {"breaking": [], "feature": [], "other": []}
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    areas: dict[str, list[tuple[int, str]]] = {}
    merged = merge(facts, [names[f.filename] for f in change.files], extra)
    for kind, value, text in merged.items:
        items[kind].append((value, -1, text))
    for index, (f, file_facts) in enumerate(zip(change.files, facts, strict=False)):
        area = tooling_area(f.filename)
        if area is not None:
            areas.setdefault(area, []).append((index, names[f.filename]))
            continue
        for position, fact in enumerate(file_facts):
            if (index, position) in merged.used:
                continue
            kind, topic = group_of(fact, f.filename), topic_of(fact)
            if kind not in items:
                kind = kind_of(fact)
            if topic in _GROUPED and kind != "breaking":
                groups.setdefault((kind, topic), []).append((index, names[f.filename]))
                continue
            text = shorten(f"{names[f.filename]}: {fact}")
            items[kind].append((worth(fact, f.filename), index, text))
    tooling_commits: list[str] = []
    for position, fact in enumerate(extra):
        if (-1, position) in merged.used:
            continue
        if getattr(fact, "tier", None) == "tooling":
            tooling_commits.append(str(fact))
            continue
        items[kind_of(fact)].append((worth(fact), -1, shorten(str(fact))))
    if tooling_commits:
        text = f"Tooling commits ({len(tooling_commits)}): {listing(tooling_commits, 2)}."
        items["other"].append((100, -1, shorten(text)))
    for (group_kind, topic), members in groups.items():
        label = _GROUPED[topic]
        tier_worth = 200 if group_kind == "feature" else 300  # new files rank as docs; moves
        if len(members) == 1:  # one file: its own item, so the summary names it only once
            text = f"{label[:-1]}: {members[0][1]}."
            items[group_kind].append((tier_worth + 4, members[0][0], text))
        else:
            listed = listing([name for _, name in members], 8)
            items[group_kind].append((tier_worth + 8, -1, f"{label} ({len(members)}): {listed}."))
    for area, members in areas.items():
        count = len(members)
        listed = listing([name for _, name in members], 4)
        text = f"{area}: {count} file{'s' if count != 1 else ''} updated ({listed})."
        items["other"].append((100 + min(count, 50), -1 if count > 1 else members[0][0], text))
    for values in items.values():
        values.sort(key=lambda item: (-item[0], item[1]))
    return items


def _diverse(values: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The ranked items with no file taking more than ``_PER_FILE`` of the shown places
    while another file still has something to show (a long article's sixth fact is worth
    less than a second file's first)."""
    shown: list[tuple[int, int, str]] = []
    later: list[tuple[int, int, str]] = []
    per_file: Counter[int] = Counter()
    for item in values:
        if item[1] >= 0 and per_file[item[1]] >= _PER_FILE:
            later.append(item)
            continue
        per_file[item[1]] += 1
        shown.append(item)
    head = shown[:HIGHLIGHT_LIMIT]
    return [*head, *sorted([*shown[HIGHLIGHT_LIMIT:], *later], key=lambda i: (-i[0], i[1]))]


def _capped(values: list[tuple[int, int, str]], label: str) -> list[str]:
    """The best ``HIGHLIGHT_LIMIT`` items, the best of each tier among them first chosen (so
    API breaks do not crowd out a dropped platform or a deprecation), shown in rank order;
    no file takes more than ``_PER_FILE`` places while another still has one to show."""
    values = _diverse(values)
    best: dict[int, int] = {}
    for position, (value, _, _) in enumerate(values):
        best.setdefault(value // 100, position)
    chosen = set(list(best.values())[:HIGHLIGHT_LIMIT])
    for position in range(len(values)):
        if len(chosen) >= HIGHLIGHT_LIMIT:
            break
        chosen.add(position)
    shown = [shorten(values[i][2]) for i in sorted(chosen)]
    rest = [v for i, v in enumerate(values) if i not in chosen]
    if rest:
        files = len({index for _, index, _ in rest})
        in_files = f" in {files} file{'s' if files != 1 else ''}" if files else ""
        label = label if len(rest) != 1 else label.removesuffix("s")
        shown.append(f"And {len(rest)} more {label}{in_files}; see the files below.")
    return shown


def _scope(change: Change) -> str:
    statuses = Counter(f.status for f in change.files)
    parts = [f"{n} {status}" for status, n in statuses.most_common()]
    families = Counter(_family(f.filename) for f in change.files)
    named = [(family, n) for family, n in families.most_common() if family != "other"]
    shown = [f"{n} {family}" for family, n in named[:4]]
    rest = families["other"] + sum(n for _, n in named[4:])
    if rest:
        shown.append(f"{rest} other")
    n = len(change.files)
    return (
        f"This change touches {n} file{'s' if n != 1 else ''} in `{change.repository}` "
        f"({listing(parts, 6)}), adding {change.additions} lines and removing "
        f"{change.deletions}. By kind: {listing(shown, 5)} file{'s' if n != 1 else ''}."
    )


def _folder(filename: str) -> str:
    parts = filename.split("/")[:-1][:2]
    return "/".join(parts) + "/" if parts else "the top folder"


def _where(change: Change) -> str:
    """Where in the tree the change lies, by changed lines per top folder."""
    lines: Counter[str] = Counter()
    files: Counter[str] = Counter()
    for f in change.files:
        folder = _folder(f.filename)
        lines[folder] += max(f.changes, 1)
        files[folder] += 1
    if len(files) == 1:
        common = posixpath.commonpath([posixpath.dirname(f.filename) for f in change.files])
        where = f"`{common}/`" if common else "the top folder"
        n = len(change.files)
        subject = (
            "The file is" if n == 1 else ("Both files are" if n == 2 else f"All {n} files are")
        )
        return f"{subject} under {where}."
    top = [
        (f"`{folder}`" if folder.endswith("/") else folder)
        + f" ({files[folder]} file{'s' if files[folder] != 1 else ''}, {n} lines)"
        for folder, n in lines.most_common(3)
    ]
    return f"Most of it is under {listing(top, 3)}."


def _largest(change: Change, files: list[FileSummary], names: dict[str, str]) -> str:
    order = sorted(range(len(change.files)), key=lambda i: -change.files[i].changes)[:3]
    if len(change.files) < 2 or not order:
        return ""
    described = [
        f"{names[f.filename]} ({f.changes} lines, {files[i].modification_type})"
        for i, f in ((i, change.files[i]) for i in order)
    ]
    return f"The largest changes are in {listing(described)}."


def _risk(breaking: list[tuple[int, int, str]]) -> str:
    if not breaking:
        return (
            "No public names were removed, renamed or changed in signature, so nothing found "
            "here should break existing users."
        )
    first = listing([text.rstrip(".") for _, _, text in breaking[:2]], 2)
    more = f" ({len(breaking)} in all)" if len(breaking) > 2 else ""
    return f"Review the possible breaking changes before relying on this change{more}: {first}."


def _gaps(change: Change, names: dict[str, str]) -> str:
    blind = [f for f in change.files if f.binary or f.missing_reason or f.submodule]
    if not blind:
        return ""
    n = len(blind)
    their = "their names and status are" if n != 1 else "its name and status are"
    return (
        f"{n} file{'s have' if n != 1 else ' has'} no readable text diff (binary, submodule, "
        f"too large or unavailable): {listing([names[f.filename] for f in blind], 5)}; "
        f"only {their} described."
    )


def _notable(items: dict[str, list[tuple[int, int, str]]]) -> list[str]:
    """The two weightiest facts, from two different files, each cut to a sentence's length."""
    ranked = sorted(
        (item for kind in ("breaking", "feature", "other") for item in items[kind]),
        key=lambda item: -item[0],
    )
    chosen: list[str] = []
    seen: set[int] = set()
    for _, index, text in ranked:
        if index in seen and index >= 0:
            continue
        seen.add(index)
        name, _, fact = text.partition(": ")
        if index < 0 or text.startswith(_GROUP_STARTS):  # "New file: `a.md`", no "in a.md, "
            phrase = f"{text[:1].lower()}{text[1:]}"
        else:
            phrase = f"in {name}, {fact[:1].lower()}{fact[1:]}"
        chosen.append(clip(phrase.rstrip("."), 160))
        if len(chosen) == 2:
            break
    return chosen


def _mix(change: Change) -> str:
    """``, mostly Python files`` only when one or two kinds really make up most of it."""
    n = len(change.files)
    ranked = [
        (family, count)
        for family, count in Counter(_family(f.filename) for f in change.files).most_common()
        if family != "other"
    ]
    if not ranked:
        return ""
    (top, first), rest = ranked[0], ranked[1:]
    second = rest[0] if rest else None
    if first == n:
        return f", all {top}" if n > 2 else f", both {top}"
    if first * 2 > n:
        if second and second[1] * 4 >= n:
            return f", mostly {top} and {second[0]} files"
        return f", mostly {top} files"
    if second and (first + second[1]) * 3 >= n * 2:
        return f", mostly {top} and {second[0]} files"
    names = [family for family, _ in ranked]
    if len(names) <= 3:
        return f", in {listing(names)} files"
    return f", in {', '.join(names[:3])} and {len(names) - 3} more kinds of files"


def _summary(
    change: Change,
    items: dict[str, list[tuple[int, int, str]]],
    names: dict[str, str],
    counted: int,
) -> str:
    n = len(change.files)
    if not n:
        return "This change has no file differences to describe."
    counts = f"(+{change.additions}/-{change.deletions} lines)"
    first = f"This change updates {n} files in `{change.repository}` {counts}{_mix(change)}."
    if n == 1:
        only = change.files[0]
        first = f"This change updates {names[only.filename]} in `{change.repository}` {counts}."
    notable = _notable(items)
    sentences = [first]
    if notable:
        sentences.append(f"Most notable: {'; '.join(notable)}.")
    breaking = counted
    sentences.append(
        f"It contains {breaking} possible breaking change{'s' if breaking != 1 else ''}."
        if breaking
        else "No breaking changes were detected."
    )
    return " ".join(sentences)


def _breaking_count(change: Change, facts: list[list[str]]) -> int:
    """Breaking facts before they merge into highlights: one per file and kind of change."""
    return sum(
        1
        for f, file_facts in zip(change.files, facts, strict=False)
        for fact in file_facts
        if group_of(fact, f.filename) == "breaking"
    )


def build_overall(
    change: Change, files: list[FileSummary], facts: list[list[str]]
) -> ReportSummary:
    """Highlights, insights and summary for a whole change, from its files' facts."""
    names = display_names([f.filename for f in change.files])
    items = _ranked(change, facts, names, commit_facts(change.commits))
    highlights = Highlights(
        new_features=_capped(items["feature"], "new features"),
        breaking_changes=_capped(items["breaking"], "possible breaking changes"),
        other_updates=_capped(items["other"], "updates"),
    )
    if change.files:
        scope = f"{_scope(change)} {_where(change)}"
        paragraphs = [scope, _largest(change, files, names), _risk(items["breaking"])]
        paragraphs.append(_gaps(change, names))
    else:
        identical = any("identical" in note for note in change.notes)
        paragraphs = [
            "There is nothing to compare: the two sides of this change are identical."
            if identical
            else "No file differences are left to describe; the notes below say why."
        ]
    insights = "\n\n".join(p for p in paragraphs if p)
    return ReportSummary(
        summary=_summary(change, items, names, _breaking_count(change, facts)),
        highlights=highlights,
        insights=insights,
    )
