"""Read a change from GitHub (or GitHub Enterprise) with PyGithub.

Base and head are always resolved to commit SHAs first: the cache key depends on them, and a
comparison pinned to SHAs cannot shift under us while a branch moves. Compare links go through
GitHub's compare endpoint (cross-fork ``OWNER:REF`` spelling kept), pull requests through their
file list, commits against their first parent; missing pieces come from the raw diff
(:mod:`bot.github_files`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from github import Github
from github.Commit import Commit
from github.File import File
from github.Repository import Repository

from bot import messages
from bot.config import Config
from bot.diff import Change, FileChange, RefInfo
from bot.errors import NetworkError
from bot.github_client import (
    DIFF_MEDIA_TYPE,
    TIMEOUT_SECONDS,
    fetch_repository,
    github_errors,
    make_client,
    translate,
)
from bot.github_files import DiffRefused, complete_files, file_from_api, refusal_detail
from bot.sources import Source, split_ref
from bot.summarize import ProgressFn

log = logging.getLogger(__name__)

COMPARE_FILES_CAP = 300
LISTED_FILES_CAP = 3000
STAGE = "reading"


def read_github(source: Source, config: Config, progress: ProgressFn | None = None) -> Change:
    """Read the compare, pull request or commit ``source`` names into a :class:`Change`."""
    client = make_client(config)
    try:
        return _Reader(client, config, source, progress).read()
    finally:
        client.close()


class _Reader:
    """One read of one source: holds the client, the repository and the progress callback."""

    repo: Repository

    def __init__(
        self, client: Github, config: Config, source: Source, progress: ProgressFn | None
    ) -> None:
        self.client = client
        self.config = config
        self.source = source
        self.progress = progress
        self.web = f"{config.github_web_url}/{source.owner}/{source.repo}"

    def read(self) -> Change:
        log.info("reading github change", extra={"kind": self.source.kind})
        self._report(0, 1)
        self.repo = fetch_repository(self.client, self.config, self.source.owner, self.source.repo)
        if self.source.kind == "pull":
            change = self._read_pull()
        elif self.source.kind == "commit":
            change = self._read_commit()
        else:
            change = self._read_compare()
        self._report(len(change.files), len(change.files))
        return change

    # --- compare ------------------------------------------------------------------------
    def _read_compare(self) -> Change:
        source = self.source
        base_text, head_text = source.base or "", source.head or ""
        base = self._commit(base_text)
        head = self._commit(head_text)
        base_ref, head_ref = RefInfo(base_text, base.sha), RefInfo(head_text, head.sha)
        permalink = f"{self.web}/compare/{base_text}{'.' * source.dots}{head_text}"
        if base.sha == head.sha:
            note = messages.NOTE_IDENTICAL.format(sha=head.sha[:12])
            return self._change(base_ref, head_ref, permalink, [], head, notes=[note])
        pinned_base, pinned_head = _pinned(base_text, base.sha), _pinned(head_text, head.sha)
        with github_errors(self.config, self.source.repository):
            comparison = self.repo.compare(pinned_base, pinned_head)
            files = [file_from_api(f) for f in comparison.files]
            merge_base = comparison.merge_base_commit.sha
        notes: list[str] = []
        if source.dots == 2 and merge_base != base.sha:
            notes.append(
                messages.NOTE_TWO_DOT.format(
                    base=base_text, head=head_text, merge_base=merge_base[:12]
                )
            )
        url = f"{self.repo.url}/compare/{quote(pinned_base)}...{quote(pinned_head)}"
        files, more = complete_files(
            files, lambda: self._diff(url), listed_cap=COMPARE_FILES_CAP, what="comparison"
        )
        return self._change(base_ref, head_ref, permalink, files, head, notes=notes + more)

    def _commit(self, text: str) -> Commit:
        """Resolve ``REF``, ``OWNER:REF`` or ``OWNER:REPO:REF`` to its commit."""
        spec = split_ref(text)
        repo = self.repo
        repository = self.source.repository
        if spec.owner is not None:
            name = spec.repo or self.source.repo
            repository = f"{spec.owner}/{name}"
            if repository.lower() != self.source.repository.lower():
                repo = fetch_repository(self.client, self.config, spec.owner, name)
        with github_errors(self.config, repository, ref=spec.ref):
            return repo.get_commit(spec.ref, commit_files_per_page=1)

    # --- pull request -------------------------------------------------------------------
    def _read_pull(self) -> Change:
        number = self.source.number or 0
        repository = self.source.repository
        with github_errors(self.config, repository, pull=number):
            pr = self.repo.get_pull(number)
            base_ref = RefInfo(pr.base.ref, pr.base.sha)
            head_ref = RefInfo(pr.head.ref, pr.head.sha)
            title, total = pr.title, pr.changed_files
        with github_errors(self.config, repository, pull=number):
            files = self._listed(pr.get_files(), total)
        with github_errors(self.config, repository, ref=head_ref.sha):
            head = self.repo.get_commit(head_ref.sha, commit_files_per_page=1)
        permalink = f"{self.web}/pull/{number}"
        notes: list[str] = []
        if head_ref.sha == base_ref.sha:
            notes.append(messages.NOTE_IDENTICAL.format(sha=head_ref.sha[:12]))
        url = f"{self.repo.url}/pulls/{number}"
        files, more = complete_files(
            files,
            lambda: self._diff(url),
            listed_cap=LISTED_FILES_CAP,
            what="pull request",
            total=total,
        )
        return self._change(base_ref, head_ref, permalink, files, head, notes + more, title=title)

    # --- commit -------------------------------------------------------------------------
    def _read_commit(self) -> Change:
        sha = self.source.head or ""
        with github_errors(self.config, self.source.repository, ref=sha):
            commit = self.repo.get_commit(sha)
            parents = [p.sha for p in commit.parents]
            title = commit.commit.message.splitlines()[0] if commit.commit.message else None
            files = self._listed(commit.files, None)
        notes: list[str] = []
        if not parents:
            notes.append(messages.NOTE_ROOT_COMMIT.format(sha=commit.sha[:12]))
        elif len(parents) > 1:
            notes.append(
                messages.NOTE_MERGE_COMMIT.format(sha=commit.sha[:12], parent=parents[0][:12])
            )
        base_ref = RefInfo(f"{sha}^", parents[0] if parents else "")
        head_ref = RefInfo(sha, commit.sha)
        url = f"{self.repo.url}/commits/{commit.sha}"
        files, more = complete_files(
            files, lambda: self._diff(url), listed_cap=LISTED_FILES_CAP, what="commit"
        )
        permalink = f"{self.web}/commit/{sha}"
        return self._change(base_ref, head_ref, permalink, files, commit, notes + more, title=title)

    # --- shared -------------------------------------------------------------------------
    def _listed(self, pages: Iterable[File], total: int | None) -> list[FileChange]:
        """Walk a paginated file list up to GitHub's 3000-file cap, reporting progress."""
        files: list[FileChange] = []
        for f in pages:
            files.append(file_from_api(f))
            if len(files) % 100 == 0:
                self._report(len(files), total or len(files))
            if len(files) >= LISTED_FILES_CAP:
                break
        return files

    def _diff(self, url: str) -> str | DiffRefused:
        """The whole diff (``application/vnd.github.diff``), or GitHub's refusal."""
        repository = self.source.repository
        try:
            with github_errors(self.config, repository):
                status, headers, body = self.client.requester.requestJson(
                    "GET", url, headers={"Accept": DIFF_MEDIA_TYPE}
                )
        except NetworkError as exc:
            # GitHub just answered the file list: a diff that times out is one too large to
            # build in time, so the report says what is missing instead of failing for good.
            if isinstance(exc.__cause__, requests.exceptions.Timeout):
                return DiffRefused(0, f"no answer within {TIMEOUT_SECONDS} seconds")
            raise
        if status < 400:
            return body
        refused = DiffRefused(status, refusal_detail(status, body))
        if status >= 500:  # GitHub's answer to a diff it cannot build (after our retries)
            log.info("github could not build the full diff", extra={"status": status})
            return refused
        error = translate(status, _json(body), headers, self.config, repository)
        if error.transient:
            raise error
        log.info("github refused the full diff", extra={"status": status})
        return refused

    def _change(
        self,
        base: RefInfo,
        head: RefInfo,
        permalink: str,
        files: list[FileChange],
        head_commit: Commit,
        notes: list[str],
        *,
        title: str | None = None,
    ) -> Change:
        return Change(
            repository=self.source.repository,
            host=self.source.host,
            base=base,
            head=head,
            permalink=permalink,
            files=files,
            date=_date(head_commit),
            title=title,
            notes=notes,
            web_url=self.web,
        )

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(STAGE, done, max(total, done))


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _pinned(text: str, sha: str) -> str:
    """Keep the cross-fork ``OWNER:`` / ``OWNER:REPO:`` prefix, but name the resolved SHA."""
    spec = split_ref(text)
    prefix = ":".join(p for p in (spec.owner, spec.repo) if p is not None)
    return f"{prefix}:{sha}" if prefix else sha


def _date(commit: Commit) -> str:
    when = commit.commit.committer.date if commit.commit.committer else None
    if when is None:
        return datetime.now(UTC).date().isoformat()
    return when.astimezone(UTC).date().isoformat()
