"""A unified diff as an HTML table with old and new line numbers.

GitHub's ``patch`` field (and our local reader's) holds only hunks, so the line numbers come
from the ``@@ -OLD,N +NEW,M @@`` headers. Every character of diff text is HTML-escaped: a
diff is repository content and may hold anything, including markup meant for this page.
"""

from __future__ import annotations

import re
from html import escape

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


_HUNK_ROW = '<tr class="hunk"><td></td><td></td><td>'
_META_ROW = '<tr class="meta"><td></td><td></td><td>'
_END = "</td></tr>"


def diff_rows(patch: str) -> list[str]:
    """One ``<tr>`` per diff line: hunk headers, context, additions, removals and notes.

    The patch is escaped once as a whole (escaping never touches the ``+ - @ \\`` prefixes
    or line breaks), which keeps a 300-file page well inside its time budget. Lines before
    the first hunk header (a ``diff --git`` preamble) and lines that fit no pattern are shown
    as notes without numbers, so nothing is dropped silently.
    """
    rows: list[str] = []
    append = rows.append
    old = new = 0
    in_hunk = False
    for line in escape(patch.rstrip("\n"), quote=False).split("\n"):
        first = line[:1]
        if first == "@" and line.startswith("@@"):
            match = _HUNK_RE.match(line)
            if match:
                old, new = int(match.group(1)), int(match.group(2))
                in_hunk = True
            append(_HUNK_ROW + line + _END)
        elif not in_hunk:
            if line:
                append(_META_ROW + line + _END)
        elif first == "+":
            append(f'<tr class="add"><td></td><td>{new}</td><td>{line}</td></tr>')
            new += 1
        elif first == "-":
            append(f'<tr class="del"><td>{old}</td><td></td><td>{line}</td></tr>')
            old += 1
        elif first == " " or not line:
            append(f'<tr class="ctx"><td>{old}</td><td>{new}</td><td>{line}</td></tr>')
            old += 1
            new += 1
        else:  # "\\ No newline at end of file" and anything unexpected
            append(_META_ROW + line + _END)
    return rows


def diff_table(patch: str) -> str:
    """The whole table; ``aria`` labels name the number columns for screen readers."""
    return (
        '<div class="diffwrap"><table class="diff">'
        '<thead><tr><th scope="col">Old</th><th scope="col">New</th>'
        '<th scope="col"><span class="visually-hidden">Line</span></th></tr></thead>'
        "<tbody>" + "".join(diff_rows(patch)) + "</tbody></table></div>"
    )
