"""Whole files from GitHub: contents at both SHAs, fetched concurrently, cached in Redis.

The contents endpoint's JSON object carries a file's bytes (base64) up to 1 MB and only its
size above that, which is this module's per-file limit too: a 100 MB file is never
downloaded to be thrown away, as it would be with the raw media type.

A file at a commit SHA never changes, so each text is cached by (repository, path, SHA) and a
second report over the same files reads none of them again. Requests run at most
:data:`CONCURRENCY` at a time, within the report's :class:`~bot.reading.contents.Budget`;
a file GitHub will not send (rate limit, error, over 1 MB) is analysed from its hunks only,
and the report's notes name it and say why. A failed read never fails the report.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import posixpath
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from github import Github
from github.Repository import Repository

from bot import messages
from bot.config import Config
from bot.diff import FileChange
from bot.errors import RateLimitedError, SourceReadError
from bot.reading.contents import MAX_FILE_BYTES, Budget, sides
from bot.reading.github_client import github_errors, translate
from bot.store import keys
from bot.store.connection import REDIS_DOWN, running_redis

log = logging.getLogger(__name__)

CONTENTS_MEDIA_TYPE = "application/vnd.github+json"
CONCURRENCY = 8
MAX_REQUESTS = 300  # contents requests per report: 6% of a token's 5,000 an hour
RATE_RESERVE = 500  # requests left for the reports and webhooks after this one
CACHE_TTL_SECONDS = 3 * 24 * 3600  # long enough for a busy PR; Redis does not evict
_ABSENT = b"\x00absent"  # cached answer "no such file at this SHA" (a 404)

# (path, sha) -> text, None when GitHub has no such file there; raises SourceReadError
Fetch = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class Wanted:
    side: str  # "old" or "new"
    path: str
    sha: str


class TextCache:
    """Texts by (repository, path, SHA) in Redis; every failure is a miss, never an error."""

    def __init__(self, config: Config, repository: str) -> None:
        self.config = config
        self.repository = repository.lower()

    def _key(self, path: str, sha: str) -> str:
        digest = hashlib.sha256(path.encode("utf-8", "replace")).hexdigest()[:32]
        return keys.file_text(self.config.redis_prefix, self.repository, sha, digest)

    def get(self, wanted: list[Wanted]) -> dict[Wanted, bytes]:
        if not wanted:
            return {}
        try:
            client = running_redis(self.config)  # a saving, not a need: never start one
            if client is None:
                return {}
            values = client.mget([self._key(w.path, w.sha) for w in wanted])
        except REDIS_DOWN:
            log.warning("file text cache unavailable", extra={"repository": self.repository})
            return {}
        return {w: bytes(v) for w, v in zip(wanted, values, strict=True) if isinstance(v, bytes)}

    def put(self, found: dict[Wanted, bytes]) -> None:
        if not found:
            return
        try:
            client = running_redis(self.config)
            if client is None:
                return
            pipe = client.pipeline(transaction=False)
            for w, value in found.items():
                pipe.set(self._key(w.path, w.sha), value, ex=CACHE_TTL_SECONDS)
            pipe.execute()
        except REDIS_DOWN:
            log.warning("file text cache unavailable", extra={"repository": self.repository})


def _init_files(paths: list[str]) -> list[str]:
    """``__init__.py`` of every folder above the changed Python files: a package's
    re-exports tell its public names (GitHub gives no tree listing for free)."""
    found: list[str] = []
    for path in paths:
        if not path.endswith((".py", ".pyi")):
            continue
        folder = posixpath.dirname(path)
        while folder:
            init = f"{folder}/__init__.py"
            if init not in found and init not in paths:
                found.append(init)
            folder = posixpath.dirname(folder)
    return found


def read_github_texts(
    fetch: Fetch,
    cache: TextCache,
    old_sha: str,
    new_sha: str,
    files: list[FileChange],
    *,
    requests_allowed: int = MAX_REQUESTS,
    refusal: str = "",
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Old and new whole texts of what analysis needs, and notes for what was left out.

    At most ``requests_allowed`` texts are asked of GitHub (cached ones are free); the rest
    are left to their hunks, noted with ``refusal`` (why the allowance is what it is).
    """
    old_paths, new_paths = sides(files)
    plan = [Wanted("old", p, old_sha) for p in old_paths]
    plan += [Wanted("new", p, new_sha) for p in new_paths]
    plan += [Wanted("old", p, old_sha) for p in _init_files(old_paths)]
    plan += [Wanted("new", p, new_sha) for p in _init_files(new_paths)]
    if not plan:
        return {}, {}, []
    budget = Budget()
    plan = [w for w in plan if budget.take(w.path, 0)]
    cached = cache.get(plan)
    texts: dict[Wanted, bytes] = dict(cached)
    missing = [w for w in plan if w not in cached]
    for w in missing[max(requests_allowed, 0) :]:
        budget.skipped.setdefault(w.path, refusal or "report budget reached")
    fetched, failures = _fetch_all(fetch, missing[: max(requests_allowed, 0)])
    texts.update(fetched)
    cache.put(fetched)
    for w, reason in failures.items():
        budget.skipped.setdefault(w.path, reason)
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for w, value in texts.items():
        if value == _ABSENT:
            continue
        if len(value) > MAX_FILE_BYTES or budget.size < len(value):
            budget.skipped.setdefault(
                w.path,
                "larger than 1 MB" if len(value) > MAX_FILE_BYTES else "report budget reached",
            )
            continue
        budget.size -= len(value)
        (old if w.side == "old" else new)[w.path] = value.decode("utf-8", "replace")
    return old, new, budget.notes()


def _fetch_all(fetch: Fetch, wanted: list[Wanted]) -> tuple[dict[Wanted, bytes], dict[Wanted, str]]:
    """Fetch concurrently; after a rate limit the rest is not asked for."""
    found: dict[Wanted, bytes] = {}
    failures: dict[Wanted, str] = {}
    stopped: list[str] = []

    def one(w: Wanted) -> None:
        if stopped:
            failures[w] = stopped[0]
            return
        try:
            text = fetch(w.path, w.sha)
        except TooLarge:
            failures[w] = "larger than 1 MB"
            return
        except RateLimitedError:
            stopped.append(messages.HUNKS_ONLY_RATE_LIMITED)
            failures[w] = messages.HUNKS_ONLY_RATE_LIMITED
            return
        except SourceReadError as exc:
            reason = str(exc).split(". ", 1)[0].rstrip(".")  # its first sentence, whole
            failures[w] = messages.HUNKS_ONLY_GITHUB_ERROR.format(reason=reason[:200])
            return
        found[w] = _ABSENT if text is None else text.encode("utf-8", "replace")

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(one, wanted))
    return found, failures


class TooLarge(SourceReadError):
    """GitHub sends only the size of a file over 1 MB."""


def contents_fetcher(
    requester_call: Callable[[str], tuple[int, dict, str]], repo_url: str
) -> Fetch:
    """A :data:`Fetch` over ``GET {repo}/contents/{path}?ref={sha}`` (the JSON object);
    ``requester_call(url)`` returns (status, headers, body) and raises on network failures.
    A directory, submodule or symlink at the path is no file: ``None``, as for a 404."""

    def fetch(path: str, sha: str) -> str | None:
        url = f"{repo_url}/contents/{quote(path)}?ref={sha}"
        status, _, body = requester_call(url)
        if status == 404:
            return None
        if status >= 400:
            raise SourceReadError(f"HTTP {status}")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SourceReadError("an answer that is not JSON") from exc
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        if data.get("encoding") != "base64":
            raise TooLarge(f"{data.get('size', 'over 1 MB')} bytes")
        try:
            raw = base64.b64decode(str(data.get("content", "")), validate=False)
        except ValueError as exc:
            raise SourceReadError("content that is not base64") from exc
        return raw.decode("utf-8", "replace")

    return fetch


def fetch_texts(
    client: Github,
    config: Config,
    repo: Repository,
    old_sha: str | None,
    new_sha: str,
    files: list[FileChange],
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Whole texts of ``files`` at both SHAs through ``client``, within the allowance."""
    if not files:
        return {}, {}, []
    repository = repo.full_name or ""

    def call(url: str) -> tuple[int, dict, str]:
        with github_errors(config, repository):
            status, headers, body = client.requester.requestJson(
                "GET", url, headers={"Accept": CONTENTS_MEDIA_TYPE}
            )
        if status in (403, 429):
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            raise translate(status, data, headers, config, repository)
        return status, headers, body

    allowed, refusal = _allowance(client, config)
    # A missing old SHA (a root commit): every file is new, so only the new side is read.
    return read_github_texts(
        contents_fetcher(call, repo.url),
        TextCache(config, repository),
        old_sha or "",
        new_sha,
        files,
        requests_allowed=allowed,
        refusal=refusal,
    )


def _allowance(client: Github, config: Config) -> tuple[int, str]:
    """How many contents requests a report may spend: none anonymously (60 an hour are for
    the reports themselves), else up to MAX_REQUESTS while the rate limit keeps RATE_RESERVE
    for what comes next. Authenticated is the client's own credential (GITHUB_TOKEN or the
    App's installation token), not whether GITHUB_TOKEN is set."""
    if client.requester.auth is None:
        return 0, messages.HUNKS_ONLY_ANONYMOUS
    remaining, _ = client.requester.rate_limiting
    if remaining < 0:  # not known yet: GitHub has not told us
        return MAX_REQUESTS, messages.HUNKS_ONLY_RATE_RESERVE
    return max(0, min(MAX_REQUESTS, remaining - RATE_RESERVE)), messages.HUNKS_ONLY_RATE_RESERVE
