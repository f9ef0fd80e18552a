"""Reports for the web, unfurl and browser tests: one small hostile report, one large one.

The hostile strings are what repository and LLM text can contain in real life: markup,
Slack control sequences, Markdown links with script URLs.
"""

from __future__ import annotations

from bot.diff import RefInfo
from bot.report import FileReport, Highlights, Report

HOSTILE = "<script>alert('x')</script> <!channel> <@U123|boss> & *bold* <img src=x onerror=y>"

PATCH = (
    "@@ -3,4 +3,5 @@ def main():\n"
    " unchanged line three\n"
    "-removed line four\n"
    "+added line four <b>not bold</b>\n"
    "+added line five\n"
    " unchanged line five\n"
    "@@ -20,2 +21,2 @@\n"
    " context twenty\n"
    "-old twenty-one\n"
    "+new twenty-two\n"
    "\\ No newline at end of file"
)


def small_report(permalink: str = "https://github.com/octo/repo/compare/v1...v2") -> Report:
    """Three files (one hostile, one binary, one renamed), with hostile prose everywhere."""
    files = [
        FileReport(
            filename="src/app.py",
            status="modified",
            modification_type="minor update",
            modification_title="Entry point " + HOSTILE,
            additions=3,
            deletions=2,
            explanation="The **main** function changed. [click](javascript:alert(1)) " + HOSTILE,
            patch=PATCH,
        ),
        FileReport(
            filename="assets/logo.png",
            status="added",
            modification_type="new feature",
            modification_title="A logo",
            additions=0,
            deletions=0,
            explanation="A binary file was added.",
            patch=None,
        ),
        FileReport(
            filename="docs/guide.md",
            status="renamed",
            previous_filename="docs/old-guide.md",
            modification_type="minor update",
            modification_title="Guide moved",
            additions=1,
            deletions=1,
            explanation="Renamed, with one line changed. ![tracker](https://evil.example/t.png)",
            patch="@@ -1 +1 @@\n-# Old guide\n+# Guide",
        ),
    ]
    return Report(
        title="[en_US] Diff Insight Report - octo",
        date="2025-06-12",
        permalink=permalink,
        summary="Summary of the change. " + HOSTILE,
        language="en_US",
        repository="octo/repo",
        base=RefInfo(ref="v1", sha="1111111aaaaaaa"),
        head=RefInfo(ref="v2", sha="2222222bbbbbbb"),
        highlights=Highlights(
            new_features=["A logo is shipped. " + HOSTILE],
            breaking_changes=[],
            other_updates=["The guide moved to `docs/guide.md`.", "Entry point tidied."],
        ),
        insights="Paragraph one about <b>the</b> change.\n\nParagraph two.",
        files=files,
        notes=["One file was left out <because> it was too large."],
    )


def large_report(n_files: int = 300, lines_per_hunk: int = 40) -> Report:
    """``n_files`` files, each with two hunks of ``lines_per_hunk`` lines (about GitHub's cap)."""
    files = []
    for i in range(n_files):
        body = []
        for j in range(lines_per_hunk):
            prefix = "+-  "[j % 4]
            body.append(f"{prefix}line {j} of file {i} with some <text> & more text to render")
        patch = (
            f"@@ -{i + 1},30 +{i + 1},30 @@ section {i}\n"
            + "\n".join(body)
            + f"\n@@ -{i + 200},30 +{i + 200},30 @@\n"
            + "\n".join(body)
        )
        files.append(
            FileReport(
                filename=f"pkg/module_{i:03d}/file_{i:03d}.py",
                status="modified",
                modification_type="minor update",
                modification_title=f"Module {i} updated",
                additions=lines_per_hunk // 2,
                deletions=lines_per_hunk // 4 * 2,
                explanation=(
                    f"Module **{i}** changes `func_{i}` and its callers.\n\n"
                    "- one point\n- another point with a [link](https://example.com/x)\n"
                ),
                patch=patch,
            )
        )
    report = small_report()
    report.files = files
    return report
