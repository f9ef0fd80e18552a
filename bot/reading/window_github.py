"""A digest's window on GitHub: the first-parent walk over the commits API, and the pulls merged.

GitHub has no first-parent listing, so the walk pages through
``GET /repos/{o}/{r}/commits?sha=TIP&since=SINCE`` (every commit reachable from the tip with a
committer time from ``since`` on, newest first, 100 a page) only as far as it needs, following
each commit's first parent. The base is older than ``since``, so it is not in that listing: it
costs one call of the git data API. The pull requests come from
``GET /pulls?state=closed&base=BRANCH&sort=updated&direction=desc``, read until one was last
updated before ``since`` (a merge updates a pull request, so none merged later can follow).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from github.Commit import Commit
from github.PaginatedList import PaginatedList
from github.PullRequest import PullRequest
from github.Repository import Repository

from bot import messages
from bot.config import Config
from bot.errors import SourceReadError
from bot.reading.github import sha_of
from bot.reading.github_client import (
    Access,
    fetch_repository,
    github_errors,
    refused_tokens,
    with_access,
)
from bot.reading.window import LineCommit, Window, as_merged, root_note, walk_line
from bot.report import MergedItem
from bot.request import iso_utc

log = logging.getLogger(__name__)

MAX_LINE_COMMITS = 5000
"""Most commits one window may page through (50 pages); a longer one is refused, not cut."""
MAX_PULL_PAGES = 30
PER_PAGE = 100


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.fromtimestamp(0, UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _from_listing(commit: Commit) -> LineCommit:
    """A listed commit, from the fields the listing carries (no lazy call for more)."""
    git = commit.commit
    author = commit.author.login if commit.author is not None else None
    return LineCommit(
        sha=commit.sha,
        when=_aware(git.committer.date if git.committer else None),
        parents=tuple(p.sha for p in commit.parents),
        author=author or (git.author.name if git.author else "") or "",
        subject=(git.message or "").split("\n", 1)[0],
        url=commit.html_url,
    )


class _Line:
    """The first-parent line from ``tip``, read lazily from the paginated commit listing."""

    def __init__(
        self, config: Config, repo: Repository, tip: str, since: datetime, branch: str
    ) -> None:
        self.config = config
        self.repo = repo
        self.tip = tip
        self.since = since
        self.branch = branch
        self.known: dict[str, LineCommit] = {}
        self.listed = 0
        self._pages: Iterator[Commit] = iter(repo.get_commits(sha=tip, since=since))
        self._exhausted = False

    def _more(self) -> bool:
        """Read one more listed commit into ``known``; False when the listing is done."""
        if self._exhausted:
            return False
        with github_errors(self.config, self.repo.full_name, ref=self.tip):
            commit = next(self._pages, None)
        if commit is None:
            self._exhausted = True
            return False
        self.listed += 1
        if self.listed > MAX_LINE_COMMITS:
            raise self._too_long()
        self.known[commit.sha] = _from_listing(commit)
        return True

    def _too_long(self) -> SourceReadError:
        """The line from the tip back to ``since`` is longer than a digest reads."""
        return SourceReadError(
            messages.DIGEST_WINDOW_TOO_LONG.format(
                repository=self.repo.full_name,
                limit=MAX_LINE_COMMITS,
                branch=self.branch,
                since=iso_utc(self.since),
            )
        )

    def _alone(self, sha: str) -> LineCommit:
        """A commit the listing does not hold (older than ``since``): the git data API."""
        with github_errors(self.config, self.repo.full_name, ref=sha):
            git = self.repo.get_git_commit(sha)
            found = LineCommit(
                sha=git.sha,
                when=_aware(git.committer.date if git.committer else None),
                parents=tuple(p.sha for p in git.parents),
                author=(git.author.name if git.author else "") or "",
                subject=(git.message or "").split("\n", 1)[0],
                url=git.html_url,
            )
        self.known[sha] = found
        return found

    def get(self, sha: str) -> LineCommit:
        while sha not in self.known and self._more():
            pass
        return self.known.get(sha) or self._alone(sha)

    def __iter__(self) -> Iterator[LineCommit]:
        sha: str | None = self.tip
        steps = 0
        while sha is not None:
            commit = self.get(sha)
            yield commit
            steps += 1
            if steps > MAX_LINE_COMMITS:
                raise self._too_long()
            sha = commit.parents[0] if commit.parents else None


def merged_pulls(
    config: Config, repo: Repository, branch: str, since: datetime, until: datetime
) -> tuple[list[PullRequest], bool]:
    """Pull requests merged into ``branch`` with ``since <= merged_at <= until``, oldest first,
    and whether the listing was cut at MAX_PULL_PAGES pages (a note then says so)."""
    pulls: PaginatedList[PullRequest] = repo.get_pulls(
        state="closed", base=branch, sort="updated", direction="desc"
    )
    found: list[PullRequest] = []
    seen = 0
    cut = False
    with github_errors(config, repo.full_name):
        for pr in pulls:
            seen += 1
            if seen > MAX_PULL_PAGES * PER_PAGE:
                cut = True
                break
            if _aware(pr.updated_at) < since:
                break
            merged_at = pr.merged_at
            if merged_at is not None and since <= _aware(merged_at) <= until:
                found.append(pr)
    return sorted(found, key=lambda p: (_aware(p.merged_at), p.number)), cut


def _merged_list(
    pulls: list[PullRequest], landed: tuple[LineCommit, ...]
) -> tuple[MergedItem, ...]:
    """The pulls, plus each landed commit no pull request merged (a direct push), by time."""
    items = [
        MergedItem(
            title=pr.title or "",
            sha=pr.merge_commit_sha or "",
            author=pr.user.login if pr.user else "",
            date=iso_utc(_aware(pr.merged_at)),
            number=pr.number,
            url=pr.html_url,
        )
        for pr in pulls
    ]
    accounted = {pr.merge_commit_sha for pr in pulls if pr.merge_commit_sha}
    items += [as_merged(c) for c in landed if c.sha not in accounted]
    return tuple(sorted(items, key=lambda m: m.date))


def github_window(
    config: Config, repository: str, branch: str | None, since: datetime, until: datetime
) -> Window:
    """The window on ``branch`` (None: the default branch) of ``repository`` on GitHub.

    Read with the GitHub App's installation token where the App is installed (a refused
    token is renewed once), else with ``GITHUB_TOKEN`` or anonymously, as reports are.
    """
    owner, name = repository.split("/", 1)

    def read(access: Access) -> Window:
        with refused_tokens(access):
            return _window(access, config, owner, name, branch, since, until)

    return with_access(config, repository, read)


def _window(
    access: Access,
    config: Config,
    owner: str,
    name: str,
    branch: str | None,
    since: datetime,
    until: datetime,
) -> Window:
    repository = f"{owner}/{name}"
    repo = fetch_repository(access, config, owner, name)  # access and allowance first
    branch = branch or repo.default_branch
    tip = sha_of(access.client, config, repo, branch)
    line = _Line(config, repo, tip, since, branch)
    head, landed, base = walk_line(line, since, until)
    oldest_first = tuple(reversed(landed))
    pulls, cut = merged_pulls(config, repo, branch, since, until) if landed else ([], False)
    notes = root_note(branch, since, landed) if head is not None and base is None else ()
    if cut:
        limit = MAX_PULL_PAGES * PER_PAGE
        notes += (messages.NOTE_PULLS_CUT.format(limit=limit, branch=branch),)
    log.info(
        "github window resolved",
        extra={"commits": len(landed), "listed": line.listed, "pulls": len(pulls)},
    )
    return Window(
        repository=repo.full_name or repository,
        branch=branch,
        since=since,
        until=until,
        base=base.sha if base else None,
        head=head.sha if head else None,
        landed=oldest_first,
        merged=_merged_list(pulls, oldest_first),
        notes=notes,
    )


def check_branch(config: Config, owner: str, name: str, branch: str) -> str:
    """The branch's tip SHA, after the repository's access check (UnknownRefError if none)."""

    def check(access: Access) -> str:
        with refused_tokens(access):
            repo = fetch_repository(access, config, owner, name)
            return sha_of(access.client, config, repo, branch)

    return with_access(config, f"{owner}/{name}", check)
