"""Edits inside a page's sections: alerts, list items, paragraphs and code samples.

The changed blocks of the old and the new side are paired within each section by kind and by
their words; a pair whose text differs by a few words is a value change (old -> new), a pair
that differs more is an edit, and what is left over was added or removed. Quotes are cut to a
sentence, and a block's markup (links, emphasis) is taken off before quoting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.summarize.heuristic.docblocks import Block, Side
from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import clip, code, listing
from bot.summarize.heuristic.prose import (
    PLAIN_LIMIT,
    pair_by_words,
    plain,
    similarity,
    value_changes,
    words,
)
from bot.summarize.heuristic.sections import SectionChanges, blocks_by_section

_GROUPS = {"para": "prose", "quote": "prose", "item": "item", "alert": "alert", "code": "code"}
_PAIR_SIMILARITY = 0.4
_LIMIT = 4
_NEAREST = 12  # blocks compared with one alert, so pages of many alerts stay linear
_SENTENCE_RE = re.compile(r"^(.{12,}?[.!?])(?:\s|$)")
_ALERT_WEIGHT = {"NOTE": 4, "TIP": 4, "IMPORTANT": 5, "WARNING": 5, "CAUTION": 5}


@dataclass
class _Edits:
    values: list[str] = field(default_factory=list)
    alerts: list[Fact] = field(default_factory=list)
    items_added: dict[str, list[str]] = field(default_factory=dict)
    items_removed: dict[str, list[str]] = field(default_factory=dict)
    paragraphs_added: list[str] = field(default_factory=list)
    paragraphs_removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    code_changes: list[str] = field(default_factory=list)
    code_added: list[str] = field(default_factory=list)
    code_removed: list[str] = field(default_factory=list)
    code_edited: list[str] = field(default_factory=list)


def first_sentence(text: str, limit: int = 150) -> str:
    text = plain(text)
    match = _SENTENCE_RE.match(text)
    return clip(match.group(1) if match else text, limit)


def _alert_lines(block: Block) -> tuple[list[str], list[str]]:
    """An alert's prose lines and the code lines of a sample inside it, markers taken off."""
    prose: list[str] = []
    sample: list[str] = []
    in_code = False
    for line in block.lines:
        text = re.sub(r"^\s*(?:>\s?)+", "", line.text)
        if re.match(r"^\s*(```|~~~)", text):
            in_code = not in_code
        elif in_code:
            sample.append(text.strip())
        else:
            prose.append(text)
    return prose, [line for line in sample if line]


def _alert_text(block: Block) -> str:
    prose, _ = _alert_lines(block)
    text = re.sub(r"^\s*\[![A-Za-z]+\]\s*", "", plain(" ".join(prose)))
    return re.sub(r'^(?:!!!|\?\?\?\+?)\s+\w+(?:\s+"[^"]*")?\s*', "", text)


def _sample_note(block: Block, codes: list[Block]) -> str:
    """How the code sample inside an alert differs from the nearest sample of the page."""
    _, sample = _alert_lines(block)
    if not sample:
        return ""
    mine = " ".join(sample)
    near = sorted(codes, key=lambda c: abs(c.number - block.number))[:_NEAREST]
    scored = [(similarity(words(mine), words(" ".join(_code_lines(c, False)))), c) for c in near]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best[1] is not None and best[0] >= 0.5:
        found = value_changes(" ".join(_code_lines(best[1], False)), mine)
        if found:
            return " (its sample: " + "; ".join(f"{code(a)} -> {code(b)}" for a, b in found) + ")"
    return f" (with a sample: {code(clip(sample[0], 60))})"


def _code_lines(block: Block, changed_only: bool) -> list[str]:
    lines = [line.text.strip() for line in block.lines if not changed_only or line.changed]
    return [line for line in lines if line and not line.startswith(("```", "~~~", "----"))]


def _where(section: str) -> str:
    return f' under "{clip(plain(section), 60)}"' if section else ""


def _place(section: str, block: Block) -> str:
    """Where an edit is: its section, or (when the diff shows no heading above it) the first
    words of the block itself."""
    if section:
        return f'under "{clip(plain(section), 60)}"'
    lines = _code_lines(block, False) if block.kind == "code" else [block.shown]
    return f"in {code(clip(lines[0], 50))}" if lines and lines[0] else "in the page"


def _pair(
    olds: list[Block], news: list[Block]
) -> tuple[list[tuple[Block, Block]], list[Block], list[Block]]:
    """Pair blocks of the same kind by shared words; the rest were added or removed."""
    return pair_by_words(
        [old for old in olds if old.kind in _GROUPS],
        [new for new in news if new.kind in _GROUPS],
        lambda block: block.word_counts,
        _PAIR_SIMILARITY,
        lambda old, new: _GROUPS[old.kind] == _GROUPS[new.kind],
    )


def _paired(old: Block, new: Block, section: str, edits: _Edits) -> None:
    if new.kind == "code":
        before, after = _code_lines(old, True), _code_lines(new, True)
        if before == after:
            return
        found = value_changes(" ".join(before), " ".join(after)) if before and after else None
        lang = f" ({new.label})" if new.label else ""
        if found:
            shown = "; ".join(f"{code(a)} -> {code(b)}" for a, b in found)
            edits.code_changes.append(f"Code sample{lang} changed{_where(section)}: {shown}.")
        elif after and not before:
            edits.code_changes.append(
                f"Code sample{lang} extended{_where(section)}: {code(after[0])}."
            )
        elif len(before) == 1 and len(after) == 1:  # one command replaced by another
            shown = f"{code(clip(before[0], 70))} -> {code(clip(after[0], 70))}"
            edits.code_changes.append(f"Code sample{lang} changed{_where(section)}: {shown}.")
        else:
            edits.code_edited.append(_place(section, new))
        return
    old_text, new_text = old.shown, new.shown
    if old_text == new_text:
        if old.text != new.text and len(new.text) > PLAIN_LIMIT:
            edits.edited.append(_place(section, new))  # changed past what is read closely
        return  # else only markup changed (a link's address: the links facts say it)
    found = value_changes(old_text, new_text)
    if found:
        shown = "; ".join(f"{code(a)} -> {code(b)}" for a, b in found)
        edits.values.append(f"{shown}{_where(section)} ({code(first_sentence(new_text, 90))})")
    elif new.kind == "alert":
        edits.alerts.append(
            Fact(
                f'{new.label} edited{_where(section)}: "{first_sentence(_alert_text(new))}"',
                "other",
                3,
                "alerts",
            )
        )
    else:
        edits.edited.append(_place(section, new))


def _lone(block: Block, section: str, sign: str, edits: _Edits, codes: list[Block]) -> None:
    verb = "added" if sign == "+" else "removed"
    if block.kind == "alert":
        weight = _ALERT_WEIGHT.get(block.label, 4) + (0 if sign == "+" else -1)
        text = f'{block.label} {verb}{_where(section)}: "{first_sentence(_alert_text(block))}"'
        text += _sample_note(block, codes)
        edits.alerts.append(Fact(text, "other", weight, "alerts"))
    elif block.kind == "item":
        items = edits.items_added if sign == "+" else edits.items_removed
        items.setdefault(section, []).append(f'"{clip(block.shown, 60)}"')
    elif block.kind == "code":
        lines = _code_lines(block, False)
        if lines:
            lang = f" ({block.label})" if block.label else ""
            samples = edits.code_added if sign == "+" else edits.code_removed
            samples.append(f"{lang}{_where(section)}: {code(clip(lines[0], 70))}")
    elif block.whole:
        target = edits.paragraphs_added if sign == "+" else edits.paragraphs_removed
        target.append(f'{_where(section)}: "{first_sentence(block.text, 100)}"')
    else:
        edits.edited.append(_place(section, block))


def _wrapped(
    added: list[Block], removed: list[Block], section: str, edits: _Edits
) -> tuple[list[Block], list[Block]]:
    """A paragraph that came back as an alert is one fact: "turned into a WARNING"."""
    for alert in [b for b in added if b.kind == "alert"][:_NEAREST]:
        text = words(_alert_text(alert))
        twin = next(
            (
                b
                for b in removed[:_NEAREST]
                if b.kind in ("para", "quote") and similarity(b.word_counts, text) >= 0.8
            ),
            None,
        )
        if twin is not None:
            said = f'"{first_sentence(_alert_text(alert))}"'
            edits.alerts.append(
                Fact(
                    f"Paragraph made a {alert.label}{_where(section)}: {said}",
                    "other",
                    _ALERT_WEIGHT.get(alert.label, 4),
                    "alerts",
                )
            )
            added = [b for b in added if b is not alert]
            removed = [b for b in removed if b is not twin]
    return added, removed


def _samples_replaced(
    pairs: list[tuple[Block, Block]], added: list[Block], removed: list[Block]
) -> tuple[list[tuple[Block, Block]], list[Block], list[Block]]:
    """A code sample removed and one of the same language added in the same section were
    replaced, however few words they share (a new URL or command is most of a one-liner)."""
    for new in [b for b in added if b.kind == "code"]:
        old = next((b for b in removed if b.kind == "code" and b.label == new.label), None)
        if old is not None:
            pairs = [*pairs, (old, new)]
            added = [b for b in added if b is not new]
            removed = [b for b in removed if b is not old]
    return pairs, added, removed


def _collect(old_side: Side, new_side: Side, sections: SectionChanges) -> _Edits:
    edits = _Edits()
    fresh = {s.key for s in [*sections.added, *sections.removed, *sections.moved_away]}
    fresh |= sections.covered
    dropped = {s.key for s in [*sections.removed, *sections.moved_away]}
    old_by, new_by = blocks_by_section(old_side), blocks_by_section(new_side)
    old_steady = blocks_by_section(old_side, changed=False)
    old_codes = [b for b in old_side.blocks if b.kind == "code"]
    new_codes = [b for b in new_side.blocks if b.kind == "code"]
    new_steady = blocks_by_section(new_side, changed=False)
    renamed = {new.key: old.key for old, new in sections.renamed}
    renamed_from = set(renamed.values())
    for section_key in dict.fromkeys([*new_by, *old_by]):
        news = new_by.get(section_key, [])
        olds = (
            old_by.get(renamed.get(section_key, section_key), []) if section_key in new_by else []
        )
        if section_key not in new_by:
            olds = old_by.get(section_key, [])
            if section_key in renamed_from:
                continue  # read with its new name
        title = (news or olds)[0].section
        codes = new_codes if news else old_codes
        pairs, added, removed = _pair(olds, news)
        pairs, added, removed = _samples_replaced(pairs, added, removed)
        added, removed = _wrapped(added, removed, title, edits)
        steady_old = old_steady.get(renamed.get(section_key, section_key), [])
        more, added, _ = _pair(steady_old, added)  # a block that only gained lines
        gone, removed, _ = _pair(new_steady.get(section_key, []), removed)
        pairs += more + [(old, new) for new, old in gone]  # ...or only lost some
        for old, new in pairs:
            _paired(old, new, title, edits)
        for block, sign in [*((b, "+") for b in added), *((b, "-") for b in removed)]:
            if section_key in fresh and (block.kind != "alert" or section_key in dropped):
                continue  # a new or removed section is told as one (a new one's alerts too)
            _lone(block, title, sign, edits, codes)
    return edits


def edit_facts(old_side: Side, new_side: Side, sections: SectionChanges) -> list[Fact]:
    """Facts about the edits inside the page's sections, most telling first."""
    edits = _collect(old_side, new_side, sections)
    alerts = list(dict.fromkeys(edits.alerts))  # the same note twice is said once
    facts: list[Fact] = alerts[: _LIMIT * 2]
    if len(alerts) > _LIMIT * 2:
        extra = len(alerts) - _LIMIT * 2
        facts.append(
            Fact(f"{extra} more notes and warnings added or removed.", "other", 2, "alerts")
        )
    for value in dict.fromkeys(edits.values[:_LIMIT]):
        facts.append(Fact(f"Changed {value}.", "other", 4, "values"))
    if len(edits.values) > _LIMIT:
        facts.append(
            Fact(f"{len(edits.values) - _LIMIT} more values changed.", "other", 2, "values")
        )
    facts.extend(Fact(text, "other", 4, "code") for text in edits.code_changes[:_LIMIT])
    if len(edits.code_changes) > _LIMIT:
        extra = len(edits.code_changes) - _LIMIT
        facts.append(Fact(f"{extra} more code samples changed.", "other", 2, "code"))
    for found, verb in ((edits.code_added, "added"), (edits.code_removed, "removed")):
        if found:
            facts.append(
                Fact(
                    f"Code sample {verb}{found[0]}"
                    + (f" (and {len(found) - 1} more)." if len(found) > 1 else "."),
                    "other",
                    3,
                    "code",
                )
            )
    for by_section, verb in ((edits.items_added, "added"), (edits.items_removed, "removed")):
        for section, items in list(by_section.items())[:_LIMIT]:
            text = f"List items {verb}{_where(section)}: {listing(items, 3)}."
            if len(items) == 1:
                text = f"List item {verb}{_where(section)}: {items[0]}."
            facts.append(Fact(text, "other", 3, "lists"))
        if len(by_section) > _LIMIT:
            extra = sum(len(items) for items in list(by_section.values())[_LIMIT:])
            text = f"{extra} more list items {verb} in {len(by_section) - _LIMIT} more sections."
            facts.append(Fact(text, "other", 2, "lists"))
    for found, verb in ((edits.paragraphs_added, "added"), (edits.paragraphs_removed, "removed")):
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            facts.append(
                Fact(
                    f"Paragraph {verb}{found[0]}{more}.",
                    "other",
                    3 if verb == "added" else 2,
                    "text",
                )
            )
    edited = list(dict.fromkeys(edits.edited))
    if edited:
        facts.append(Fact(f"Text edited {listing(edited, _LIMIT)}.", "other", 1, "text"))
    code_edited = list(dict.fromkeys(edits.code_edited))
    if code_edited:
        facts.append(
            Fact(f"Code samples edited {listing(code_edited, _LIMIT)}.", "other", 1, "text")
        )
    return facts
