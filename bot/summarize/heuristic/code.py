"""Facts about a source-code change: definitions added, removed or changed in signature.

Definitions are found line by line with one pattern per language (Python, JavaScript and
TypeScript, Go, Java/Kotlin/C#, Rust). A name whose definition line was removed and added
again with other parameters changed its signature; a name only removed is gone; a name only
added is new. Public names (by each language's convention) rank as breaking or new features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.summarize.heuristic.facts import Fact
from bot.summarize.heuristic.patchwalk import clip, iter_runs, listing

_LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".js": "js", ".jsx": "js", ".mjs": "js", ".cjs": "js", ".ts": "js", ".tsx": "js",
    ".go": "go",
    ".java": "java", ".kt": "java", ".cs": "java", ".scala": "java",
    ".rs": "rust",
}  # fmt: skip

_JS_ID = r"([A-Za-z_$][\w$]*)"
_JS_EXPORT = r"(?:export\s+)?(?:default\s+)?"
_JAVA_MODS = r"(?:public|private|protected|internal|static|final|abstract|sealed|open|data)"
_JAVA_METHOD_MODS = (
    r"(?:public|private|protected|internal|static|final|abstract|synchronized|override|virtual)"
)
_RUST_PUB = r"(?:pub(?:\([^)]*\))?\s+)?"


def _c(*parts: str) -> re.Pattern[str]:
    return re.compile("".join(parts))


_PATTERNS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "python": [
        ("class", _c(r"^(\s*)class\s+([A-Za-z_]\w*)\s*(\([^)]*\))?\s*:")),
        ("function", _c(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*(\(.*)$")),
    ],
    "js": [
        ("class", _c(r"^(\s*)", _JS_EXPORT, r"(?:abstract\s+)?(?:class|interface)\s+", _JS_ID,
                     r"(.*)$")),
        ("function", _c(r"^(\s*)", _JS_EXPORT, r"(?:async\s+)?function\s*\*?\s*", _JS_ID,
                        r"\s*(\(.*)$")),
        ("function", _c(r"^(\s*)(?:export\s+)?(?:const|let|var)\s+", _JS_ID,
                        r"\s*(?::[^=]+)?=\s*(?:async\s+)?(\([^)]*\)|[A-Za-z_$][\w$]*)",
                        r"\s*(?::[^=]+)?=>")),
        ("method", _c(r"^(\s+)(?:(?:public|private|protected|static|async|readonly|get|set)\s+)*",
                      r"(#?[A-Za-z_$][\w$]*)\s*(\([^;]*\))\s*(?::[^{]+)?\{\s*$")),
    ],
    "go": [
        ("type", _c(r"^()type\s+([A-Za-z_]\w*)\s+(struct|interface|func)\b(.*)$")),
        ("function", _c(r"^()func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*(\(.*)$")),
    ],
    "java": [
        ("class", _c(r"^(\s*)(?:", _JAVA_MODS, r"\s+)*(?:class|interface|enum|record|object)\s+",
                     r"([A-Za-z_]\w*)(.*)$")),
        # A constructor: an access modifier, then the capitalised class name, no return type.
        ("constructor", _c(r"^(\s*)(?:public|protected|private|internal)\s+([A-Z]\w*)\s*(\(.*)$")),
        ("method", _c(r"^(\s*)((?:", _JAVA_METHOD_MODS, r"\s+)+[\w<>\[\],.? ]+?\s+",
                      r"([A-Za-z_]\w*)\s*\(.*)$")),
        ("function", _c(r"^(\s*)(?:(?:public|private|protected|internal|override|suspend)\s+)*",
                        r"fun\s+([A-Za-z_]\w*)\s*(\(.*)$")),
    ],
    "rust": [
        ("type", _c(r"^(\s*)", _RUST_PUB, r"(?:struct|enum|trait)\s+([A-Za-z_]\w*)(.*)$")),
        ("function", _c(r"^(\s*)", _RUST_PUB, r"(?:async\s+)?(?:unsafe\s+)?fn\s+([A-Za-z_]\w*)",
                        r"\s*(.*)$")),
    ],
}  # fmt: skip

_LONGEST_DEFINITION = 400
_SIGNATURE_LINES = 12
_GO_RECEIVER_RE = re.compile(r"^func\s*\(\s*(?:[A-Za-z_]\w*\s+)?\*?\s*([A-Za-z_]\w*)")
_JS_KEYWORDS = frozenset("if for while switch catch return function else do with typeof".split())
_TEST_RE = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec)/|(^|/)test_[^/]*$|_test\.\w+$|\.(test|spec)\.\w+$"
)
# Code nobody imports: tooling, examples, docs and CI scripts.
_TOOLING_RE = re.compile(
    r"(^|/)(scripts?|tools?|examples?|docs?|benchmarks?|bench|\.github|ci|\.ci)/"
    r"|(^|/)(setup|conftest|noxfile|tasks|fabfile|manage)\.py$"
)


def language_of(filename: str) -> str | None:
    dot = filename.rfind(".")
    return _LANGUAGES.get(filename[dot:].lower()) if dot >= 0 else None


def is_test_path(filename: str) -> bool:
    return bool(_TEST_RE.search(filename))


def is_internal_path(filename: str) -> bool:
    """Tests and tooling: their names are nobody's API, so their removal breaks no one."""
    return bool(_TEST_RE.search(filename) or _TOOLING_RE.search(filename))


def _dunder(name: str) -> bool:
    short = name.rsplit(".", 1)[-1]
    return short.startswith("__") and short.endswith("__")


@dataclass(frozen=True, slots=True)
class Definition:
    kind: str
    name: str
    signature: str
    public: bool


def _public(language: str, name: str, line: str) -> bool:
    short = name.rsplit(".", 1)[-1]
    if language == "python":  # of the dunders, only those that shape calls are API
        return not short.startswith("_") or short in ("__init__", "__call__", "__new__")
    if language == "go":
        return short[:1].isupper()
    if language == "java":
        return not re.search(r"\bprivate\b|\binternal\b", line)
    if language == "rust":
        return line.lstrip().startswith("pub")
    if short.startswith(("_", "#")):
        return False
    return "export " in line or "." in name


def _definition(language: str, line: str, owner: str) -> tuple[Definition, int] | None:
    if len(line) > _LONGEST_DEFINITION:
        return None  # minified or generated code: no definition line, and no slow matching
    for kind, pattern in _PATTERNS[language]:
        match = pattern.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        name = match.group(3) if language == "java" and kind == "method" else match.group(2)
        if language == "js" and name in _JS_KEYWORDS:
            return None
        if kind in ("method", "function") and indent:
            kind, name = "method", f"{owner}.{name}" if owner else name
        receiver = _GO_RECEIVER_RE.match(line) if language == "go" else None
        if receiver:  # func (s *Server) Start(): a method of Server, public by its own name
            kind, name = "method", f"{receiver.group(1)}.{name}"
        signature = " ".join(line.strip().rstrip("{:").split())
        return Definition(kind, name, clip(signature, 100), _public(language, name, line)), indent
    return None


def _balanced(signature: str) -> bool:
    return signature.count("(") <= signature.count(")")


def _continued(definition: Definition, following: list[str]) -> Definition:
    """Join a signature spread over several lines (``def f(\n    a,\n) -> T:``)."""
    parts = [definition.signature]
    for line in following:
        parts.append(line.strip())
        if _balanced(" ".join(parts)):
            signature = " ".join(" ".join(parts).rstrip("{:").split()).replace("( ", "(")
            signature = signature.replace(", )", ")").replace(",)", ")").replace(" )", ")")
            return replace(definition, signature=clip(signature, 100))
    return definition


def definitions(language: str, lines: list[str], owner: str = "") -> dict[str, Definition]:
    """Definitions found in ``lines``, methods qualified by the class seen above them."""
    found: dict[str, Definition] = {}
    for i, line in enumerate(lines):
        hit = _definition(language, line, owner)
        if hit is None:
            first = line[:1]
            if (language == "python" and first not in (" ", "\t", "", "#", "@")) or first == "}":
                owner = ""  # a top-level statement or a closing brace ends the class
            continue
        definition, indent = hit
        if not _balanced(definition.signature):
            definition = _continued(definition, lines[i + 1 : i + 1 + _SIGNATURE_LINES])
        if definition.kind in ("class", "type") and indent == 0:
            owner = definition.name
        found.setdefault(definition.name, definition)
    return found


def _owner_from_section(language: str, section: str) -> str:
    hit = _definition(language, section, "") if section else None
    return hit[0].name if hit and hit[0].kind in ("class", "type") else ""


def _enclosing(language: str, lines: list[str], current: str, owner: str) -> str:
    """The definition whose body follows ``lines``, starting from ``current``."""
    for line in lines:
        hit = _definition(language, line, owner)
        if hit is not None:
            current = hit[0].name
        elif line[:1] == "}" or (
            language == "python" and line[:1] not in (" ", "\t", "", "#", "@", ")")
        ):
            current = ""  # a closing brace or a top-level statement ends the definition
    return current


def _leads_with_definition(language: str, lines: list[str], owner: str) -> bool:
    """Whether the first changed line (decorators aside) is itself a definition."""
    for line in lines:
        if not line.strip() or line.lstrip().startswith("@"):
            continue
        return _definition(language, line, owner) is not None
    return True


def _collect(language: str, patch: str | None) -> tuple[dict, dict, list[str]]:
    removed: dict[str, Definition] = {}
    added: dict[str, Definition] = {}
    touched: list[str] = []
    owner = current = ""
    for run in iter_runs(patch):
        if run.hunk_start:
            owner = _owner_from_section(language, run.section)
            hit = _definition(language, run.section, "") if run.section else None
            current = hit[0].name if hit else ""
        current = _enclosing(language, run.before, current, owner)
        context = definitions(language, run.before, owner)
        for d in context.values():
            if d.kind in ("class", "type"):
                owner = d.name
        body_edit = not all(
            _leads_with_definition(language, lines, owner) for lines in (run.removed, run.added)
        )
        if current and body_edit and current not in touched:
            touched.append(current)
        for name, d in definitions(language, run.removed, owner).items():
            removed.setdefault(name, d)
        for name, d in definitions(language, run.added, owner).items():
            added.setdefault(name, d)
        current = _enclosing(language, run.added, current, owner)
    return removed, added, touched


def _label(d: Definition) -> str:
    return f"{d.kind} `{d.name}`"


def code_facts(filename: str, patch: str | None, status: str) -> list[Fact]:
    """Definitions added, removed and changed in signature, public ones ranked first."""
    language = language_of(filename)
    if language is None:
        return []
    removed, added, touched = _collect(language, patch)
    api = not is_internal_path(filename)
    facts: list[Fact] = []
    changed = [
        n
        for n in removed
        if n in added
        and removed[n].signature != added[n].signature
        and _balanced(removed[n].signature)  # a signature cut off by the hunk is not compared
        and _balanced(added[n].signature)
    ]
    for name in changed[:6]:
        old, new = removed[name], added[name]
        # A class's header (its bases) changing rarely breaks callers; a function's does.
        callable_ = new.kind in ("function", "method", "constructor")
        breaking = api and old.public and status != "added" and callable_
        what = "Signature" if callable_ else "Declaration"
        text = f"{what} of {_label(new)} changed: `{old.signature}` -> `{new.signature}`."
        facts.append(Fact(text, "breaking" if breaking else "other", 8 if breaking else 2, "code"))
    gone = [removed[n] for n in removed if n not in added]
    new = [added[n] for n in added if n not in removed]
    public_gone = [d for d in gone if d.public and api]
    if public_gone and status != "removed":
        text = f"Removed public {listing([_label(d) for d in public_gone])}."
        facts.append(Fact(text, "breaking", 9, "code"))
    public_new = [d for d in new if d.public and api and not _dunder(d.name)]
    if public_new:
        text = f"Added public {listing([_label(d) for d in public_new])}."
        facts.append(Fact(text, "feature", 6, "code"))
    other_new = [d for d in new if d not in public_new]
    if other_new:
        text = f"Added {listing([_label(d) for d in other_new])}."
        facts.append(Fact(text, "other", 2, "code"))
    other_gone = [d for d in gone if d not in public_gone]
    if other_gone and status != "removed":
        text = f"Removed {listing([_label(d) for d in other_gone])}."
        facts.append(Fact(text, "other", 2, "code"))
    seen = set(changed) | {d.name for d in gone} | {d.name for d in new}
    owners = {name.rsplit(".", 1)[0] for name in seen if "." in name}
    bodies = [f"`{n}`" for n in touched if n not in seen and n not in owners]
    if bodies:
        facts.append(Fact(f"Code changed inside {listing(bodies)}.", "other", 1, "code"))
    return facts
