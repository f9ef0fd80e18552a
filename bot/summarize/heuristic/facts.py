"""Facts: short sentences about one file's change, each tagged with how much it matters.

A :class:`Fact` is a ``str`` (so ``file_facts`` can hand plain sentences to the LLM prompt)
that also carries its ``kind`` (the highlight group), a ``weight`` and optionally a ``tier``
(what it means to a user; see :mod:`bot.summarize.heuristic.ranking`, which ranks every fact).
Extractors produce facts; the heuristic summarizer only ranks and arranges them.
"""

from __future__ import annotations

from typing import Literal

FactKind = Literal["breaking", "feature", "other"]
KINDS: tuple[FactKind, ...] = ("breaking", "feature", "other")

# How a plain sentence (one that lost its kind, e.g. after a JSON round trip) is ranked.
_BREAKING_STARTS = ("Removed public", "Signature of", "Renamed module", "Deleted module")
_FEATURE_STARTS = ("Added public", "New file", "New section", "Sections added")


class Fact(str):
    """A sentence with a ``kind`` (breaking/feature/other) and a ranking ``weight``."""

    kind: FactKind
    weight: int
    topic: str
    tier: str | None
    subject: str  # the API names (one a line) or entry text it is about, for merging
    key: str  # facts of one key in several files merge into one highlight ("" never)

    def __new__(
        cls,
        text: str,
        kind: FactKind = "other",
        weight: int = 1,
        topic: str = "text",
        tier: str | None = None,
        subject: str = "",
        key: str = "",
    ):
        fact = super().__new__(cls, text)
        fact.kind = kind
        fact.weight = weight
        fact.topic = topic
        fact.tier = tier
        fact.subject = subject
        fact.key = key
        return fact


def kind_of(sentence: str) -> FactKind:
    """The kind of a fact, also for a plain ``str`` that came back without one."""
    kind = getattr(sentence, "kind", None)
    if kind in KINDS:
        return kind
    if sentence.startswith(_BREAKING_STARTS):
        return "breaking"
    if sentence.startswith(_FEATURE_STARTS):
        return "feature"
    return "other"


def weight_of(sentence: str) -> int:
    return int(getattr(sentence, "weight", 1))


def topic_of(sentence: str) -> str:
    return str(getattr(sentence, "topic", "text"))
