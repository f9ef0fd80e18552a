"""Read a change from GitHub (or GitHub Enterprise) with PyGithub.

Base and head are always resolved to commit SHAs first: the cache key depends on them, and a
comparison pinned to SHAs cannot shift under us while a branch moves. Compare links go through
GitHub's compare endpoint (cross-fork ``OWNER:REF`` spelling kept), pull requests through their
file list, commits against their first parent; missing pieces come from the raw diff
(:mod:`bot.reading.github_files`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from github import Github
from github.Commit import Commit
from github.File import File
from github.PullRequest import PullRequest
from github.Repository import Repository

from bot import messages
from bot.config import Config
from bot.diff import (
    Change,
    CommitMessage,
    FileChange,
    RefInfo,
    ResolvedChange,
    named,
    reversed_file,
)
from bot.errors import AppTokenRefusedError, NetworkError, NotFoundError, UnknownRefError
from bot.reading.github_client import (
    DIFF_MEDIA_TYPE,
    TIMEOUT_SECONDS,
    Access,
    fetch_repository,
    github_errors,
    open_access,
    refused_tokens,
    translate,
    with_access,
)
from bot.reading.github_commits import compare_messages, pull_history
from bot.reading.github_contents import fetch_texts
from bot.reading.github_files import DiffRefused, complete_files, file_from_api, refusal_detail
from bot.request import ProgressFn
from bot.sources import Source, split_ref

log = logging.getLogger(__name__)

COMPARE_FILES_CAP = 300
LISTED_FILES_CAP = 3000
STAGE = "reading"
SHA_MEDIA_TYPE = "application/vnd.github.sha"
FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")


def read_github(source: Source, config: Config, progress: ProgressFn | None = None) -> Change:
    """Read the compare, pull request or commit ``source`` names into a :class:`Change`."""
    with resolve_github(source, config, progress) as resolved:
        return resolved.read()


@contextmanager
def resolve_github(
    source: Source, config: Config, progress: ProgressFn | None = None
) -> Iterator[ResolvedChange]:
    """Check access and pin base and head to SHAs with cheap calls; read the files on demand.

    The client stays open inside the block, so :meth:`ResolvedChange.read` can follow.
    """
    access = open_access(config, source.repository)
    try:
        try:
            resolved = _Reader(access, config, source, progress).resolve()
        except AppTokenRefusedError:  # the refused token was dropped: one more try, anew
            access.close()
            access = open_access(config, source.repository)
            resolved = _Reader(access, config, source, progress).resolve()
        yield resolved
    finally:
        access.close()


@dataclass(frozen=True)
class MergedPull:
    number: int
    title: str | None


def merged_pull_for(config: Config, repository: str, sha: str) -> MergedPull | None:
    """The merged pull request whose merge commit is ``sha``, or None.

    A merge into the default branch often arrives as a ``push`` before its ``pull_request``
    event; asking GitHub which pull request brought the pushed commit in lets the worker
    report the pull request (with its title) whichever event comes first.
    """
    url = f"{config.github_api_url}/repos/{repository}/commits/{sha}/pulls"

    def ask(access: Access) -> Any:
        with refused_tokens(access), github_errors(config, repository, ref=sha):
            return access.client.requester.requestJsonAndCheck("GET", url)[1]

    pulls = with_access(config, repository, ask)
    for pr in pulls if isinstance(pulls, list) else []:
        if isinstance(pr, dict) and pr.get("merged_at") and pr.get("merge_commit_sha") == sha:
            title = str(pr.get("title") or "").strip()[:300] or None
            return MergedPull(int(pr["number"]), title)
    return None


class _Reader:
    """One read of one source: resolve (cheap calls) first, then read the files on demand."""

    repo: Repository
    base: RefInfo
    head: RefInfo

    def __init__(
        self, access: Access, config: Config, source: Source, progress: ProgressFn | None
    ) -> None:
        self.access = access
        self.client = access.client
        self.config = config
        self.source = source
        self.progress = progress
        self.web = f"{config.github_web_url}/{source.owner}/{source.repo}"
        self.head_repo: Repository | None = None
        self.unverified: list[tuple[Repository, str, str]] = []
        self.pull: PullRequest | None = None
        self.parents: list[str] = []

    def resolve(self) -> ResolvedChange:
        log.info("resolving github change", extra={"kind": self.source.kind})
        self._report(0, 1)
        with refused_tokens(self.access):
            self.repo = fetch_repository(
                self.access, self.config, self.source.owner, self.source.repo
            )
            if self.source.kind == "pull":
                self._resolve_pull()
            elif self.source.kind == "commit":
                self._resolve_commit()
            else:
                self._resolve_compare()
        return ResolvedChange(
            repository=self.source.repository,
            host=self.source.host,
            base=self.base,
            head=self.head,
            reader=self.read,
        )

    def read(self) -> Change:
        log.info("reading github change", extra={"kind": self.source.kind})
        with refused_tokens(self.access):
            if self.source.kind == "pull":
                change = self._read_pull()
            elif self.source.kind == "commit":
                change = self._read_commit()
            else:
                change = self._read_compare()
        self._report(len(change.files), len(change.files))
        return change

    # --- compare ------------------------------------------------------------------------
    def _resolve_compare(self) -> None:
        base_text, head_text = self.source.base or "", self.source.head or ""
        _, base_sha = self._sha(base_text)
        self.head_repo, head_sha = self._sha(head_text)
        self.base, self.head = RefInfo(base_text, base_sha), RefInfo(head_text, head_sha)

    def _sha(self, text: str) -> tuple[Repository, str]:
        """Resolve ``REF``, ``OWNER:REF`` or ``OWNER:REPO:REF`` to its repository and SHA.

        A full SHA costs no call here (it is checked before the files are read); any other
        ref is one ``application/vnd.github.sha`` request, which answers the SHA alone.
        """
        spec = split_ref(text)
        repo = self.repo
        repository = self.source.repository
        if spec.owner is not None:
            name = spec.repo or self.source.repo
            repository = f"{spec.owner}/{name}"
            if repository.lower() != self.source.repository.lower():
                repo = fetch_repository(self.access, self.config, spec.owner, name)
        if FULL_SHA.fullmatch(spec.ref):
            self.unverified.append((repo, spec.ref, spec.ref.lower()))
            return repo, spec.ref.lower()
        return repo, self._sha_of(repo, spec.ref)

    def _sha_of(self, repo: Repository, ref: str) -> str:
        return sha_of(self.client, self.config, repo, ref)

    def _read_compare(self) -> Change:
        source = self.source
        base_text, head_text = self.base.ref, self.head.ref
        for repo, ref, _ in self.unverified:  # full SHAs: is each really a commit there?
            if repo is not self.head_repo or ref != split_ref(head_text).ref:
                self._sha_of(repo, ref)
        head = self._commit(self.head_repo or self.repo, head_text, self.head.sha)
        permalink = f"{self.web}/compare/{base_text}{'.' * source.dots}{head_text}"
        if self.base.sha == self.head.sha:
            note = messages.NOTE_IDENTICAL.format(sha=self.head.sha[:12])
            return self._change(permalink, [], head, notes=[note])
        pinned_base = _pinned(base_text, self.base.sha)
        pinned_head = _pinned(head_text, self.head.sha)
        with github_errors(self.config, self.source.repository):
            comparison = self.repo.compare(pinned_base, pinned_head)
            files = [file_from_api(f) for f in comparison.files]
            merge_base = comparison.merge_base_commit.sha
            commits = compare_messages(comparison.raw_data.get("commits"))
        notes: list[str] = []
        if not files and comparison.ahead_by == 0 and comparison.behind_by > 0:
            notes.append(
                messages.NOTE_SIDES_SWAPPED.format(
                    base=base_text, head=head_text, count=comparison.behind_by
                )
            )
        if source.dots == 2 and merge_base == self.head.sha != self.base.sha:
            # A rewind: head is an ancestor of base, so the direct base..head difference is
            # the compare head...base undone (from the merge base it would be empty).
            with github_errors(self.config, self.source.repository):
                lost = self.repo.compare(pinned_head, pinned_base)
                files = [reversed_file(file_from_api(f)) for f in lost.files]
                count = lost.ahead_by
            notes.append(messages.NOTE_REWOUND.format(base=base_text, head=head_text, count=count))
        elif source.dots == 2 and merge_base != self.base.sha:
            notes.append(
                messages.NOTE_TWO_DOT.format(
                    base=base_text, head=head_text, merge_base=merge_base[:12]
                )
            )
            notes += self._lost_since(merge_base, pinned_base, base_text, head_text)
        url = f"{self.repo.url}/compare/{quote(pinned_base)}...{quote(pinned_head)}"
        if merge_base == self.head.sha != self.base.sha and source.dots == 2:
            return self._change(permalink, files, head, notes=notes)  # already whole, undone
        files, more = complete_files(
            files, lambda: self._diff(url), listed_cap=COMPARE_FILES_CAP, what="comparison"
        )
        start = merge_base if source.dots == 3 else self.base.sha
        return self._change(
            permalink, files, head, notes=notes + more, old_sha=start, commits=commits
        )

    def _lost_since(
        self, merge_base: str, pinned_base: str, base_text: str, head_text: str
    ) -> list[str]:
        """What ``base`` had beyond the merge base (a rewritten branch lost it): a note."""
        with github_errors(self.config, self.source.repository):
            lost = self.repo.compare(merge_base, pinned_base)
            names = [f.filename for f in lost.files]
            count = lost.ahead_by
        if not count:
            return []
        return [
            messages.NOTE_REWRITTEN.format(
                base=base_text,
                head=head_text,
                count=count,
                files=named(names, 5) if names else "no files",
            )
        ]

    def _commit(self, repo: Repository, text: str, sha: str) -> Commit:
        """The head commit (for the report's date); a full SHA that is no commit fails here."""
        with github_errors(self.config, repo.full_name, ref=split_ref(text).ref):
            commit = repo.get_commit(sha, commit_files_per_page=1)
            _ = commit.commit  # PyGithub reads lazily: fetch now, inside the error handler
        return commit

    # --- pull request -------------------------------------------------------------------
    def _resolve_pull(self) -> None:
        number = self.source.number or 0
        with github_errors(self.config, self.source.repository, pull=number):
            self.pull = self.repo.get_pull(number)
            self.base = RefInfo(self.pull.base.ref, self.pull.base.sha)
            self.head = RefInfo(self.pull.head.ref, self.pull.head.sha)

    def _read_pull(self) -> Change:
        assert self.pull is not None
        pr, number = self.pull, self.source.number or 0
        repository = self.source.repository
        title, total = pr.title, pr.changed_files
        with github_errors(self.config, repository, pull=number):
            files = self._listed(pr.get_files(), total)
        head = self._commit(self.repo, self.head.sha, self.head.sha)
        permalink = f"{self.web}/pull/{number}"
        notes: list[str] = []
        if self.head.sha == self.base.sha:
            notes.append(messages.NOTE_IDENTICAL.format(sha=self.head.sha[:12]))
        url = f"{self.repo.url}/pulls/{number}"
        files, more = complete_files(
            files,
            lambda: self._diff(url),
            listed_cap=LISTED_FILES_CAP,
            what="pull request",
            total=total,
        )
        start, commits = self._pull_history(pr, number)
        return self._change(
            permalink, files, head, notes + more, title=title, old_sha=start, commits=commits
        )

    def _pull_history(self, pr: PullRequest, number: int) -> tuple[str, list[CommitMessage]]:
        own = CommitMessage(self.head.sha, f"{pr.title or ''}\n\n{pr.body or ''}".strip(), number)
        start, commits = pull_history(
            self.client, self.config, self.repo.url, self.source.repository,
            (self.base.sha, self.head.sha), number,
        )  # fmt: skip
        return start, [own, *commits]

    # --- commit -------------------------------------------------------------------------
    def _resolve_commit(self) -> None:
        """The commit and its parents from the git data API, which sends no files."""
        ref = self.source.head or ""
        sha = ref.lower() if FULL_SHA.fullmatch(ref) else self._sha_of(self.repo, ref)
        try:
            with github_errors(self.config, self.source.repository, ref=ref):
                self.parents = [p.sha for p in self.repo.get_git_commit(sha).parents]
        except NotFoundError as exc:  # the repository was just read: it is the commit
            raise UnknownRefError(
                messages.GITHUB_UNKNOWN_REF.format(repository=self.source.repository, ref=ref)
            ) from exc
        self.base = RefInfo(f"{ref}^", self.parents[0] if self.parents else "")
        self.head = RefInfo(ref, sha)

    def _read_commit(self) -> Change:
        ref, sha, parents = self.head.ref, self.head.sha, self.parents
        with github_errors(self.config, self.source.repository, ref=ref):
            commit = self.repo.get_commit(sha)
            title = commit.commit.message.splitlines()[0] if commit.commit.message else None
            files = self._listed(commit.files, None)
        notes: list[str] = []
        if not parents:
            notes.append(messages.NOTE_ROOT_COMMIT.format(sha=sha[:12]))
        elif len(parents) > 1:
            notes.append(messages.NOTE_MERGE_COMMIT.format(sha=sha[:12], parent=parents[0][:12]))
        url = f"{self.repo.url}/commits/{sha}"
        files, more = complete_files(
            files, lambda: self._diff(url), listed_cap=LISTED_FILES_CAP, what="commit"
        )
        permalink = f"{self.web}/commit/{ref}"
        message = [CommitMessage(sha, commit.commit.message or "")] if commit.commit.message else []
        return self._change(
            permalink,
            files,
            commit,
            notes + more,
            title=title,
            old_sha=parents[0] if parents else None,
            commits=message,
        )

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
                return DiffRefused(0, messages.GITHUB_NO_ANSWER.format(seconds=TIMEOUT_SECONDS))
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
        permalink: str,
        files: list[FileChange],
        head_commit: Commit,
        notes: list[str],
        *,
        title: str | None = None,
        old_sha: str | None = None,
        commits: list[CommitMessage] | None = None,
    ) -> Change:
        old_texts, new_texts, hunk_notes = self._texts(files, old_sha)
        return Change(
            repository=self.source.repository,
            host=self.source.host,
            base=self.base,
            head=self.head,
            permalink=permalink,
            files=tuple(files),
            date=_date(head_commit),
            title=title,
            notes=tuple(notes + hunk_notes),
            web_url=self.web,
            old_texts=old_texts,
            new_texts=new_texts,
            commits=tuple(commits or ()),
            private=bool(self.repo.private),
        )

    def _texts(
        self, files: list[FileChange], old_sha: str | None
    ) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """Whole texts of the files analysis needs (see :mod:`bot.reading.github_contents`)."""
        repo = self.head_repo or self.repo
        return fetch_texts(self.client, self.config, repo, old_sha, self.head.sha, files)

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(STAGE, done, max(total, done))


def sha_of(client: Github, config: Config, repo: Repository, ref: str) -> str:
    """The commit SHA ``ref`` names in ``repo`` (UnknownRefError when there is none).

    One ``application/vnd.github.sha`` request, which answers the SHA alone.
    """
    url = f"{repo.url}/commits/{quote(ref, safe='')}"
    with github_errors(config, repo.full_name, ref=ref):
        status, headers, body = client.requester.requestJson(
            "GET", url, headers={"Accept": SHA_MEDIA_TYPE}
        )
    if status >= 400:
        raise translate(status, _json(body), headers, config, repo.full_name, ref=ref)
    return body.strip()


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
