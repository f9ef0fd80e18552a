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
from bot.summarize.heuristic.prose import plain, similarity, value_changes, words
from bot.summarize.heuristic.sections import SectionChanges, blocks_by_section, key

_GROUPS = {"para": "prose", "quote": "prose", "item": "item", "alert": "alert", "code": "code"}
_PAIR_SIMILARITY = 0.4
_LIMIT = 4
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
    scored = [(similarity(words(mine), words(" ".join(_code_lines(c, False)))), c) for c in codes]
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


def _pair(
    olds: list[Block], news: list[Block]
) -> tuple[list[tuple[Block, Block]], list[Block], list[Block]]:
    """Pair blocks of the same kind by shared words; the rest were added or removed."""
    pairs: list[tuple[Block, Block]] = []
    left = list(olds)
    added: list[Block] = []
    olds = [old for old in olds if old.kind in _GROUPS]
    for new in [new for new in news if new.kind in _GROUPS]:
        group = _GROUPS.get(new.kind)
        candidates = [old for old in left if _GROUPS.get(old.kind) == group]
        new_words = words(plain(new.text))
        scored = [(similarity(words(plain(old.text)), new_words), old) for old in candidates]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        if best[1] is not None and best[0] >= _PAIR_SIMILARITY:
            pairs.append((best[1], new))
            left.remove(best[1])
        elif group:
            added.append(new)
    removed = [old for old in left if old.kind in _GROUPS]
    return pairs, added, removed


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
        else:
            edits.code_edited.append(f'"{clip(plain(section), 60)}"' if section else "the top")
        return
    old_text, new_text = plain(old.text), plain(new.text)
    if old_text == new_text:
        return
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
        edits.edited.append(f'"{clip(plain(section), 60)}"' if section else "the top")


def _lone(block: Block, section: str, sign: str, edits: _Edits, codes: list[Block]) -> None:
    verb = "added" if sign == "+" else "removed"
    if block.kind == "alert":
        weight = _ALERT_WEIGHT.get(block.label, 4) + (0 if sign == "+" else -1)
        text = f'{block.label} {verb}{_where(section)}: "{first_sentence(_alert_text(block))}"'
        text += _sample_note(block, codes)
        edits.alerts.append(Fact(text, "other", weight, "alerts"))
    elif block.kind == "item":
        items = edits.items_added if sign == "+" else edits.items_removed
        items.setdefault(section, []).append(f'"{clip(plain(block.text), 60)}"')
    elif block.kind == "code":
        lines = _code_lines(block, False)
        if lines:
            lang = f" ({block.label})" if block.label else ""
            samples = edits.code_added if sign == "+" else edits.code_removed
            samples.append(f"{lang}{_where(section)}: {code(clip(lines[0], 70))}")
    elif block.whole:
        target = edits.paragraphs_added if sign == "+" else edits.paragraphs_removed
        target.append(f'{_where(section).strip()}: "{first_sentence(block.text, 100)}"')
    else:
        edits.edited.append(f'"{clip(plain(section), 60)}"' if section else "the top")


def _wrapped(
    added: list[Block], removed: list[Block], section: str, edits: _Edits
) -> tuple[list[Block], list[Block]]:
    """A paragraph that came back as an alert is one fact: "turned into a WARNING"."""
    for alert in [b for b in added if b.kind == "alert"]:
        text = words(_alert_text(alert))
        twin = next(
            (
                b
                for b in removed
                if b.kind in ("para", "quote") and similarity(words(plain(b.text)), text) >= 0.8
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


def _collect(old_side: Side, new_side: Side, sections: SectionChanges) -> _Edits:
    edits = _Edits()
    fresh = {key(s.text) for s in [*sections.added, *sections.removed, *sections.moved_away]}
    fresh |= sections.covered
    old_by, new_by = blocks_by_section(old_side), blocks_by_section(new_side)
    renamed = {key(new.text): key(old.text) for old, new in sections.renamed}
    for section_key in dict.fromkeys([*new_by, *old_by]):
        news = new_by.get(section_key, [])
        olds = (
            old_by.get(renamed.get(section_key, section_key), []) if section_key in new_by else []
        )
        if section_key not in new_by:
            olds = old_by.get(section_key, [])
            if section_key in renamed.values():
                continue  # read with its new name
        title = (news or olds)[0].section
        codes = [b for b in (new_side if news else old_side).blocks if b.kind == "code"]
        pairs, added, removed = _pair(olds, news)
        added, removed = _wrapped(added, removed, title, edits)
        for old, new in pairs:
            _paired(old, new, title, edits)
        for block, sign in [*((b, "+") for b in added), *((b, "-") for b in removed)]:
            if section_key in fresh and block.kind != "alert":
                continue  # a new or removed section is told as one
            _lone(block, title, sign, edits, codes)
    return edits


def edit_facts(old_side: Side, new_side: Side, sections: SectionChanges) -> list[Fact]:
    """Facts about the edits inside the page's sections, most telling first."""
    edits = _collect(old_side, new_side, sections)
    facts: list[Fact] = list(edits.alerts)
    for value in dict.fromkeys(edits.values[:_LIMIT]):
        facts.append(Fact(f"Changed {value}.", "other", 4, "values"))
    if len(edits.values) > _LIMIT:
        facts.append(
            Fact(f"{len(edits.values) - _LIMIT} more values changed.", "other", 2, "values")
        )
    facts.extend(Fact(text, "other", 4, "code") for text in edits.code_changes[:_LIMIT])
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
    for found, verb in ((edits.paragraphs_added, "added"), (edits.paragraphs_removed, "removed")):
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            facts.append(
                Fact(
                    f"Paragraph {verb} {found[0].lstrip()}{more}.",
                    "other",
                    3 if verb == "added" else 2,
                    "text",
                )
            )
    edited = list(dict.fromkeys(edits.edited))
    if edited:
        facts.append(Fact(f"Text edited under {listing(edited, _LIMIT)}.", "other", 1, "text"))
    code_edited = list(dict.fromkeys(edits.code_edited))
    if code_edited:
        facts.append(
            Fact(f"Code samples edited under {listing(code_edited, _LIMIT)}.", "other", 1, "text")
        )
    return facts
