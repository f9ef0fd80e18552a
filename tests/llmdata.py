"""Changes and configurations for the LLM summarizer's tests and benchmark."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.config import Config, load_config
from bot.diff import Change, FileChange, RefInfo
from bot.summarize.llm.budget import estimate_request
from bot.summarize.llm.schema import files_schema
from tests.fakes.openai import FakeOpenAI, Recorded
from tests.support import DATA

FILE_BLOCK_RE = re.compile(r'<<<DATA (\w+) FILE (F\d+) path="([^"]+)".*?<<<END DATA \1>>>', re.S)
EXAMPLE_FILES = (
    "articles/ai-services/openai/concepts/fine-tuning-considerations.md",
    "articles/ai-services/openai/concepts/model-retirements.md",
)


def llm_config(fake: FakeOpenAI | Any, base: Config | None = None, **overrides: Any) -> Config:
    """A configuration pointing at ``fake`` (anything with ``api_key`` and ``base_url``), with
    short timeouts so failures are fast."""
    config = base or load_config({})
    values: dict[str, Any] = {
        "openai_api_key": fake.api_key,
        "openai_base_url": fake.base_url,
        "summarizer": "openai",
        "llm_timeout_seconds": 5.0,
        "llm_deadline_seconds": 20.0,
        "llm_max_retries": 2,
    }
    values.update(overrides)
    return replace(config, **values)


def doc_patch(index: int, lines: int = 6, hunks: int = 1, salt: str = "") -> str:
    """A Markdown patch with ``hunks`` hunks of ``lines`` changed lines and some context."""
    parts = []
    for h in range(hunks):
        start = 1 + h * 40
        body = [" Some unchanged context line that frames the change."] * 3
        body += [f"-Old sentence {k} of section {h} in document {index}." for k in range(lines)]
        body += [
            f"+New sentence {k} of section {h} in document {index}{salt}." for k in range(lines)
        ]
        body += [" Another unchanged context line after the change."] * 3
        parts.append(
            f"@@ -{start},{lines + 6} +{start},{lines + 6} @@ ## Section {h}\n" + "\n".join(body)
        )
    return "\n".join(parts)


def doc_file(index: int, lines: int = 6, hunks: int = 1, salt: str = "", **kw: Any) -> FileChange:
    return FileChange(
        filename=f"docs/guide-{index:02d}.md",
        status=kw.pop("status", "modified"),
        additions=lines * hunks,
        deletions=lines * hunks,
        patch=doc_patch(index, lines, hunks, salt),
        **kw,
    )


def make_change(files: list[FileChange], head: str = "main") -> Change:
    return Change(
        repository="octo/docs",
        host="github.com",
        base=RefInfo("v1", "a" * 40),
        head=RefInfo(head, "b" * 40),
        permalink="https://github.com/octo/docs/compare/v1...main",
        files=files,
        date="2025-06-12",
    )


def example_change() -> Change:
    """The two files of the example report, with their real patches."""
    text = (DATA / "example-report.md").read_text(encoding="utf-8")
    patches = re.findall(r"````diff\n(.*?)\n````", text, re.S)
    counts = [(34, 57), (2, 2)]
    files = [
        FileChange(name, "modified", a, d, patch)
        for name, patch, (a, d) in zip(EXAMPLE_FILES, patches, counts, strict=True)
    ]
    return make_change(files)


def request_estimate(record: Recorded) -> int:
    """Our own estimate of a recorded request, to check budgets against what was really sent."""
    body = record.body
    schema = body["response_format"]["json_schema"]["schema"]
    return estimate_request(body["messages"], schema)


def file_block_paths(record: Recorded) -> list[str]:
    """The paths of the FILE data blocks in a recorded request (what the model was sent)."""
    return re.findall(r"<<<DATA \w+ FILE F\d+ path=\"([^\"]+)\"", record.text("user"))


def alone_estimates(record: Recorded) -> dict[str, int]:
    """For each FILE block of a recorded batch call, by path: our estimate of the same call
    with that file alone in it, which the per-file budget bounds."""
    system, user = record.messages[0]["content"], record.messages[1]["content"]
    blocks = list(FILE_BLOCK_RE.finditer(user))
    found = {}
    for block in blocks:
        alone = user
        for other in blocks:
            if other is not block:
                alone = alone.replace("\n\n" + other.group(0), "")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": alone}]
        found[block.group(3)] = estimate_request(messages, files_schema([block.group(2)]))
    return found
