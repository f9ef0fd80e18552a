"""The sentences that tell API changes: one per kind of change in a file, names listed.

A release that removes ten attributes of a class reads as one bullet, not ten; names are
spelled as a reader looks for them (``Flask.env``, ``Path()`` for a constructor).
"""

from __future__ import annotations

from bot.summarize.heuristic.api_changes import ApiChange
from bot.summarize.heuristic.facts import Fact, FactKind
from bot.summarize.heuristic.patchwalk import code, listing

_NAMES_SHOWN = 8


# what -> (kind, tier, weight, sentence with {names}, per-name template)
_WORDS: dict[str, tuple[FactKind, str, int, str]] = {
    "removed": ("breaking", "break", 9, "Removed public {names}."),
    "removed-deprecated": ("breaking", "break", 9, "Removed deprecated {names} (they warned)."),
    "deprecated": ("breaking", "deprecation", 8, "Deprecated {names} (still works)."),
    "deprecated-param": ("breaking", "deprecation", 7, "Deprecated (still work): {names}."),
    "param-removed": ("breaking", "break", 8, "Parameters removed: {names}."),
    "param-required": ("breaking", "break", 8, "New required parameters: {names}."),
    "param-now-required": ("breaking", "break", 7, "Parameters now required: {names}."),
    "param-moved": ("breaking", "break", 6, "Positional parameters moved: {names}."),
    "param-kind": ("breaking", "break", 6, "Parameters changed kind: {names}."),
    "param-default": ("breaking", "break", 4, "Parameter defaults changed: {names}."),
    "base-removed": ("breaking", "break", 6, "Base classes removed: {names}."),
    "kind-changed": ("breaking", "break", 6, "Changed kind: {names}."),
    "signature": ("breaking", "break", 8, "Signatures changed: {names}."),
    "added": ("feature", "api", 8, "Added public {names}."),
    "overload-added": ("feature", "api", 6, "New overloads: {names}."),
    "overload-removed": ("breaking", "break", 8, "Overloads removed: {names}."),
    "param-optional": ("feature", "api", 6, "New optional parameters: {names}."),
    "types": ("other", "behaviour", 2, "Type annotations changed (callers unaffected): {names}."),
}  # fmt: skip


def _callable(name: str) -> str:
    """A name as a reader looks for it: ``Flask.env``, not ``flask.Flask.env`` (a package's
    own prefix is dropped from names three parts deep), ``Path()`` for a constructor."""
    if name.count(".") >= 2 and "::" not in name:
        name = name.split(".", 1)[1]
    return f"{name.removesuffix('.__init__')}()" if name.endswith(".__init__") else name


def _item(change: ApiChange) -> str:
    """One change's words inside a listing: ``function `f` ``, ``p` of `f()` ``."""
    if change.what in ("removed", "added", "deprecated", "removed-deprecated"):
        kind = (
            "" if change.kind in ("name", "attribute", "property", "field") else f"{change.kind} "
        )
        return f"{kind}`{_callable(change.name)}`"
    if change.what == "signature":
        old, _, new = change.detail.partition(" -> ")
        return f"`{_callable(change.name)}`: {code(old)} -> {code(new)}"
    if change.what == "param-default":
        return f"`{_callable(change.name)}` {code(change.detail)}"
    if change.what.startswith("overload-"):
        return f"`{_callable(change.name)}{change.detail}`"
    if change.what == "types":
        return f"`{_callable(change.name)}`"
    return f"`{change.detail}` of `{_callable(change.name)}()`".replace("()()", "()")


def _words(what: str, items: list[ApiChange]) -> list[str]:
    """The listed words of one kind of change; parameters grouped by their function."""
    if not what.startswith(("param-", "deprecated-param")) or what == "param-default":
        return list(dict.fromkeys(_item(c) for c in items))
    by_function: dict[str, list[str]] = {}
    for c in items:
        by_function.setdefault(c.name, []).append(f"`{c.detail}`")
    return [
        f"{listing(list(dict.fromkeys(params)), 4)} of `{_callable(name).removesuffix('()')}()`"
        for name, params in by_function.items()
    ]


def api_facts(changes: list[ApiChange]) -> list[Fact]:
    """One fact per kind of change, names listed (breaking first)."""
    by_what: dict[str, list[ApiChange]] = {}
    for c in changes:
        what = "removed-deprecated" if c.what == "removed" and c.detail == "deprecated" else c.what
        by_what.setdefault(what, []).append(c)
    facts: list[Fact] = []
    for what, items in by_what.items():
        if what not in _WORDS:
            continue
        kind, tier, weight, sentence = _WORDS[what]
        words = _words(what, items)
        text = sentence.format(names=listing(words, _NAMES_SHOWN))  # one line per item
        subject = "\n".join(words)
        facts.append(Fact(text, kind, weight, "code", tier=tier, subject=subject, key=what))
    facts.sort(key=lambda f: -f.weight)
    return facts
