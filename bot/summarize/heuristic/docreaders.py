"""reStructuredText and AsciiDoc pages read into the same blocks as Markdown.

reStructuredText: titles underlined (and maybe overlined) by punctuation, admonition
directives (``.. note::``, ``.. warning::``...) and code directives with their indented body,
``::`` literal blocks, lists. AsciiDoc: ``==`` titles, admonition paragraphs (``TIP: ...``)
and ``[NOTE]`` blocks, ``[source,lang]`` listings between ``----``, lists, attributes skipped.
"""

from __future__ import annotations

import re

from bot.summarize.heuristic.docblocks import (
    ALERT_KINDS,
    ITEM_RE,
    Block,
    Builder,
    Line,
    section_from_header,
    tidy,
)

_VERSION_NOTES = {
    "deprecated": "Deprecation", "versionadded": "Version-added note",
    "versionchanged": "Version-changed note", "versionremoved": "Removal note",
}  # fmt: skip
_RST_ALERTS = {
    "note": "NOTE", "tip": "TIP", "hint": "TIP", "important": "IMPORTANT", "warning": "WARNING",
    "caution": "CAUTION", "danger": "CAUTION", "attention": "IMPORTANT", "error": "CAUTION",
    "seealso": "NOTE",
}  # fmt: skip
_RST_UNDERLINE_RE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")
_RST_DIRECTIVE_RE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_TOCTREE_LINE_RE = re.compile(r"^[ \t]{2,}(?:[^<\n]{1,200}<[\w./-]{1,300}>|[\w./-]{1,300})[ \t]*$")
_ADOC_HEADING_RE = re.compile(r"^(={1,6})[ \t]+(\S.{0,300})$")
_ADOC_ALERT_RE = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+(.*)$")
_ADOC_BLOCK_ATTR_RE = re.compile(
    r"^\[(NOTE|TIP|IMPORTANT|WARNING|CAUTION|source(?:,\s*([\w+#.-]+))?)"
)
_ADOC_DELIM_RE = re.compile(r"^(-{4,}|={4,}|\.{4,}|\*{4,}|_{4,})\s*$")


def read_rst(lines: list[Line], in_fence: bool, header: str) -> list[Block]:
    """reStructuredText: underlined titles, admonition and code directives, lists, paragraphs."""
    build = Builder("")
    indent_block = -1  # indentation of the directive whose body is being read, or -1
    for index, line in enumerate(lines):
        text = line.text
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        stripped = text.strip()
        indent = len(text) - len(text.lstrip())
        if indent_block >= 0:
            if not stripped or indent > indent_block:
                if build.current is not None:
                    build.current.lines.append(line)
                continue
            indent_block = -1
            build.close()
        if (
            _RST_UNDERLINE_RE.match(text)
            and build.blocks
            and build.blocks[-1].kind == "heading"
            and build.current is None
        ):
            continue
        if _RST_UNDERLINE_RE.match(text) and _RST_UNDERLINE_RE.match(
            lines[index + 2].text if index + 2 < len(lines) else ""
        ):
            continue  # an overline
        if (
            stripped
            and not _RST_UNDERLINE_RE.match(text)
            and _RST_UNDERLINE_RE.match(following)
            and len(following.rstrip()) >= len(text.rstrip())
            and indent == 0
        ):
            heading = build.start("heading", line, stripped, _rst_level(following[0]))
            heading.exact = False
            continue
        directive = _RST_DIRECTIVE_RE.match(text)
        if directive:
            name, argument = directive.group(2).lower(), directive.group(3).strip()
            indent_block = len(directive.group(1))
            if name in _VERSION_NOTES:  # ".. deprecated:: 2.4" + why: a note about that version
                version = f" ({argument.split()[0]})" if argument else ""
                block = build.start("alert", line, f"{_VERSION_NOTES[name]}{version}")
                rest = argument.split(None, 1)[1] if len(argument.split()) > 1 else ""
                block.lines[0] = Line(rest, line.changed, line.number)
            elif name in _RST_ALERTS:
                block = build.start("alert", line, _RST_ALERTS[name])
                block.lines[0] = Line(argument, line.changed, line.number) if argument else line
                if not argument:
                    block.lines.clear()
                    block.lines.append(Line("", line.changed, line.number))
            elif name in ("code-block", "code", "sourcecode", "literalinclude", "prompt"):
                build.start(
                    "code",
                    line,
                    argument.split()[0].lower()
                    if name != "literalinclude" and argument
                    else "text",
                )
            elif name == "admonition":
                build.start("alert", line, "NOTE")
            elif name == "toctree":
                build.start("toctree", line)
            else:
                build.start("directive", line, name)
            continue
        if text.startswith(".. ") or text.startswith("..\t"):
            build.close()
            indent_block = 0  # a comment or link target, with its indented continuation
            build.start("target", line)
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            build.add(line)
            build.close()
            build.start("code", Line("", line.changed, line.number), "text")
            build.current.lines.clear()  # type: ignore[union-attr]
            indent_block = indent
            continue
        item = ITEM_RE.match(text)
        if item:
            build.start("item", line, depth=len(item.group(1)) // 2)
        elif not stripped:
            build.close()
        else:
            build.add(line)
    build.close()
    blocks = [_toctree_body(tidy(block)) for block in build.blocks]
    return [_strip_directive_body(b) for b in blocks if b.kind != "target"]


def _toctree_body(block: Block) -> Block:
    """A hunk that starts inside a ``.. toctree::`` shows only its indented entries: an
    indented paragraph of two or more lines that are each one document path is one."""
    if (
        block.kind == "para"
        and len(block.lines) >= 2
        and all(_TOCTREE_LINE_RE.match(line.text) for line in block.lines)
    ):
        block.kind = "toctree"
    return block


def _strip_directive_body(block: Block) -> Block:
    """An admonition's text without the blank first line its directive leaves."""
    if block.kind == "alert":
        block.lines = [line for line in block.lines if line.text.strip() or line is block.lines[0]]
        if block.lines and not block.lines[0].text.strip():
            block.lines = block.lines[1:] or block.lines
    if block.kind == "code" and block.lines and block.lines[0].text.lstrip().startswith(".."):
        block.lines = [
            line for line in block.lines[1:] if not line.text.strip().startswith(":")
        ] or block.lines
    return block


def _rst_level(char: str) -> int:
    return {"#": 1, "*": 1, "=": 2, "-": 3, "~": 4, "^": 5}.get(char, 4)


def read_asciidoc(lines: list[Line], in_fence: bool, header: str) -> list[Block]:
    """AsciiDoc: ``==`` titles, admonition paragraphs and blocks, source listings, lists."""
    build = Builder(section_from_header(header, _ADOC_HEADING_RE))
    delimiter = ""
    if in_fence and lines:
        opening = next(
            (line.text.strip() for line in lines if _ADOC_DELIM_RE.match(line.text)), "----"
        )
        build.start("code", lines[0], "")
        build.current.lines.clear()  # type: ignore[union-attr]
        delimiter = opening
    pending = ""  # a block attribute line waiting for its block: NOTE, TIP... or source,lang
    for line in lines:
        text = line.text
        if delimiter:
            if text.strip() == delimiter:
                delimiter = ""
                build.close()
            elif build.current is not None:
                build.current.lines.append(line)
            continue
        attribute = _ADOC_BLOCK_ATTR_RE.match(text)
        if attribute:
            pending = attribute.group(1)
            build.close()
            continue
        delim = _ADOC_DELIM_RE.match(text)
        if delim:
            delimiter = delim.group(1)
            if pending.upper() in ALERT_KINDS:
                build.start("alert", line, pending.upper())
            elif delimiter.startswith(("-", ".")) or pending.startswith("source"):
                lang = pending.split(",", 1)[1].strip().lower() if "," in pending else ""
                build.start("code", line, lang)
            else:
                build.start("quote", line)
            build.current.lines.clear()  # type: ignore[union-attr]
            pending = ""
            continue
        heading = _ADOC_HEADING_RE.match(text)
        alert = _ADOC_ALERT_RE.match(text)
        item = re.match(r"^(\*{1,5}|\.{1,5}|-)\s+(\S.*)$", text)
        if heading:
            build.start("heading", line, heading.group(2).strip(), len(heading.group(1)))
        elif alert:
            build.start("alert", Line(alert.group(2), line.changed, line.number), alert.group(1))
        elif pending.upper() in ALERT_KINDS and text.strip():
            build.start("alert", line, pending.upper())
        elif item:
            build.start("item", line, depth=len(item.group(1)) - 1)
        elif not text.strip():
            build.close()
        elif re.match(r"^:[\w-]+:", text) or text.startswith("//"):
            build.close()  # a document attribute or a comment
        else:
            build.add(line)
        pending = ""
    build.close()
    return [tidy(block) for block in build.blocks]
