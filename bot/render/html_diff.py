"""A unified diff as an HTML table with old and new line numbers.

GitHub's ``patch`` field (and our local reader's) holds only hunks, so the line numbers come
from the ``@@ -OLD,N +NEW,M @@`` headers. Every character of diff text is HTML-escaped: a
diff is repository content and may hold anything, including markup meant for this page.
"""

from __future__ import annotations

import re
from html import escape

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _row(kind: str, old: str, new: str, text: str) -> str:
    return (
        f'<tr class="{kind}"><td class="ln">{old}</td><td class="ln">{new}</td>'
        f'<td class="code">{escape(text, quote=False)}</td></tr>'
    )


def diff_rows(patch: str) -> list[str]:
    """One ``<tr>`` per diff line: hunk headers, context, additions, removals and notes.

    Lines before the first hunk header (a full ``diff --git`` preamble) and lines that fit
    no pattern are shown as plain notes without numbers, so nothing is dropped silently.
    """
    rows: list[str] = []
    old = new = 0
    in_hunk = False
    for line in patch.rstrip("\n").split("\n"):
        if line.startswith("@@"):
            match = _HUNK_RE.match(line)
            if match:
                old, new = int(match.group(1)), int(match.group(2))
                in_hunk = True
            rows.append(_row("hunk", "", "", line))
        elif not in_hunk:
            if line:
                rows.append(_row("meta", "", "", line))
        elif line.startswith("+"):
            rows.append(_row("add", "", str(new), line))
            new += 1
        elif line.startswith("-"):
            rows.append(_row("del", str(old), "", line))
            old += 1
        elif line.startswith("\\"):
            rows.append(_row("meta", "", "", line))
        elif line.startswith(" ") or line == "":
            rows.append(_row("ctx", str(old), str(new), line))
            old += 1
            new += 1
        else:
            rows.append(_row("meta", "", "", line))
    return rows


def diff_table(patch: str) -> str:
    """The whole table; ``aria`` labels name the number columns for screen readers."""
    return (
        '<div class="diffwrap"><table class="diff">'
        '<colgroup><col class="lnc"><col class="lnc"><col></colgroup>'
        '<thead><tr><th scope="col">Old</th><th scope="col">New</th>'
        '<th scope="col"><span class="visually-hidden">Line</span></th></tr></thead>'
        "<tbody>" + "".join(diff_rows(patch)) + "</tbody></table></div>"
    )
