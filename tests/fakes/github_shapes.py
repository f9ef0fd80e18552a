"""GitHub REST JSON shapes (repository, commit, file, comparison, pull request) for FakeGitHub.

Field names and nesting follow the recorded real responses in ``tests/data/github-api/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.github_git import CommitInfo, FileDiff

DOCS = "https://docs.github.com/rest"


@dataclass
class FakeRepo:
    owner: str
    name: str
    path: Path
    private: bool
    id: int
    default_branch: str = "main"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class FakePull:
    number: int
    base_ref: str
    head_ref: str
    title: str
    body: str = ""
    state: str = "open"
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    base_sha: str | None = None
    """Pinned when the pull request is merged: GitHub keeps the SHAs it was merged with."""
    head_sha: str | None = None
    created_at: str = "2025-06-12T10:00:00Z"
    updated_at: str | None = None
    """Last activity; a merge or a close updates it (None: the merge time, else created_at)."""
    author: str | None = None
    """The opener's login (None: the repository's owner)."""


class Urls:
    """Builds API and web URLs the way GitHub writes them in responses."""

    def __init__(self, api: str, web: str) -> None:
        self.api = api
        self.web = web

    def repo_api(self, repo: FakeRepo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def repo_web(self, repo: FakeRepo) -> str:
        return f"{self.web}/{repo.full_name}"


def user(login: str, urls: Urls) -> dict[str, Any]:
    number = int(hashlib.sha1(login.encode()).hexdigest()[:6], 16)
    return {
        "login": login,
        "id": number,
        "node_id": f"U_{number}",
        "url": f"{urls.api}/users/{login}",
        "html_url": f"{urls.web}/{login}",
        "type": "User",
        "site_admin": False,
    }


def repository(repo: FakeRepo, urls: Urls) -> dict[str, Any]:
    api = urls.repo_api(repo)
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": user(repo.owner, urls),
        "html_url": urls.repo_web(repo),
        "url": api,
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "default_branch": repo.default_branch,
        "fork": False,
    }


def person(who: tuple[str, str, str]) -> dict[str, str]:
    """A commit's author or committer as GitHub writes it."""
    return {"name": who[0], "email": who[1], "date": who[2]}


def commit(repo: FakeRepo, info: CommitInfo, urls: Urls) -> dict[str, Any]:
    api = urls.repo_api(repo)
    web = urls.repo_web(repo)

    return {
        "sha": info.sha,
        "node_id": f"C_{info.sha[:12]}",
        "commit": {
            "author": person(info.author),
            "committer": person(info.committer),
            "message": info.message,
            "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
            "url": f"{api}/git/commits/{info.sha}",
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None},
        },
        "url": f"{api}/commits/{info.sha}",
        "html_url": f"{web}/commit/{info.sha}",
        "comments_url": f"{api}/commits/{info.sha}/comments",
        "author": None,
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in info.parents
        ],
    }


def file_entry(
    repo: FakeRepo,
    head_sha: str,
    f: FileDiff,
    urls: Urls,
    patch_max_lines: int,
    patch_max_bytes: int,
) -> dict[str, Any]:
    """One entry of ``files``; ``patch`` is left out for binary and for very large diffs."""
    api = urls.repo_api(repo)
    web = urls.repo_web(repo)
    entry: dict[str, Any] = {
        "sha": f.blob_sha,
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.changes,
        "blob_url": f"{web}/blob/{head_sha}/{f.filename}",
        "raw_url": f"{web}/raw/{head_sha}/{f.filename}",
        "contents_url": f"{api}/contents/{f.filename}?ref={head_sha}",
    }
    if f.patch is not None and not _too_big(f.patch, patch_max_lines, patch_max_bytes):
        entry["patch"] = f.patch
    if f.previous_filename is not None:
        entry["previous_filename"] = f.previous_filename
    return entry


def _too_big(patch: str, max_lines: int, max_bytes: int) -> bool:
    return patch.count("\n") + 1 > max_lines or len(patch.encode()) > max_bytes


def pull_simple(
    repo: FakeRepo, pr: FakePull, base_sha: str, head_sha: str, urls: Urls
) -> dict[str, Any]:
    """The "pull request simple" shape that lists of pull requests carry."""
    api = urls.repo_api(repo)
    web = urls.repo_web(repo)

    def part(ref: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": user(repo.owner, urls),
            "repo": repository(repo, urls),
        }

    return {
        "url": f"{api}/pulls/{pr.number}",
        "id": 1000 + pr.number,
        "node_id": f"PR_{pr.number}",
        "html_url": f"{web}/pull/{pr.number}",
        "diff_url": f"{web}/pull/{pr.number}.diff",
        "patch_url": f"{web}/pull/{pr.number}.patch",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(pr.author or repo.owner, urls),
        "body": pr.body,
        "created_at": pr.created_at,
        "updated_at": pr.updated_at or pr.merged_at or pr.created_at,
        "closed_at": pr.merged_at,
        "merged_at": pr.merged_at,
        "merge_commit_sha": pr.merge_commit_sha,
        "draft": False,
        "head": part(pr.head_ref, head_sha),
        "base": part(pr.base_ref, base_sha),
        "author_association": "OWNER",
    }


def pull(
    repo: FakeRepo,
    pr: FakePull,
    base_sha: str,
    head_sha: str,
    files: list[FileDiff],
    commit_count: int,
    urls: Urls,
) -> dict[str, Any]:
    return {
        **pull_simple(repo, pr, base_sha, head_sha, urls),
        "merged": pr.merged_at is not None,
        "commits": commit_count,
        "additions": sum(f.additions for f in files),
        "deletions": sum(f.deletions for f in files),
        "changed_files": len(files),
    }


def git_commit(repo: FakeRepo, info: CommitInfo, urls: Urls) -> dict[str, Any]:
    """``GET /repos/{owner}/{repo}/git/commits/{sha}``: the commit object, no files or stats."""
    api = urls.repo_api(repo)
    web = urls.repo_web(repo)

    return {
        "sha": info.sha,
        "node_id": f"C_{info.sha[:12]}",
        "url": f"{api}/git/commits/{info.sha}",
        "html_url": f"{web}/commit/{info.sha}",
        "author": person(info.author),
        "committer": person(info.committer),
        "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
        "message": info.message,
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in info.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def not_found() -> dict[str, str]:
    return {"message": "Not Found", "documentation_url": DOCS, "status": "404"}


def too_large(kind: str, limit: int, resource: str) -> dict[str, Any]:
    """GitHub's 406 body for a diff over its file or line cap (seen in real responses)."""
    return {
        "message": f"Sorry, the diff exceeded the maximum number of {kind} ({limit}). Consider "
        "using 'List pull requests files' API or locally cloning the repository instead.",
        "errors": [{"resource": resource, "field": "diff", "code": "too_large"}],
        "documentation_url": f"{DOCS}/pulls/pulls#list-pull-requests-files",
        "status": "406",
    }
