"""The endpoints FakeGitHub answers, each following GitHub's documented behaviour and caps."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from tests.fakes import github_git as git
from tests.fakes import github_shapes as shapes
from tests.fakes.github_shapes import FakeRepo, Urls

if TYPE_CHECKING:
    from tests.fakes.github import FakeGitHub, Reader

DIFF_MEDIA = "application/vnd.github.diff"
SHA_MEDIA = "application/vnd.github.sha"
COMMIT_DOCS = f"{shapes.DOCS}/commits/commits#get-a-commit"


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] | None = None
    page: int = 1
    last_page: int = 1
    link_base: str = ""

    def payload(self) -> bytes:
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")

    def link_header(self) -> str | None:
        """RFC 5988 ``Link`` with next/last (and prev/first) as GitHub sends for paged lists."""
        if self.query is None or self.last_page <= 1:
            return None
        links = []
        if self.page < self.last_page:
            links += [(self.page + 1, "next"), (self.last_page, "last")]
        if self.page > 1:
            links += [(self.page - 1, "prev"), (1, "first")]
        return ", ".join(f'<{self._url(page)}>; rel="{rel}"' for page, rel in links)

    def _url(self, page: int) -> str:
        params = {k: v[-1] for k, v in (self.query or {}).items()}
        params["page"] = str(page)
        return f"{self.link_base}?{urlencode(params)}"


def text(body: str, media: str) -> Answer:
    return Answer(200, body, content_type=f"{media}; charset=utf-8")


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return max(int(query[name][-1]), 1)
    except (KeyError, ValueError):
        return default


def paginate(
    items: list[Any], query: dict[str, list[str]], default: int, maximum: int
) -> tuple[list[Any], int, int]:
    per_page = min(_int(query, "per_page", default), maximum)
    page = _int(query, "page", 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    return items[(page - 1) * per_page : page * per_page], page, last


_ROUTES = [
    ("repo", re.compile(r"^/repos/([^/]+)/([^/]+)$")),
    ("commits", re.compile(r"^/repos/([^/]+)/([^/]+)/commits$")),
    ("pulls", re.compile(r"^/repos/([^/]+)/([^/]+)/pulls$")),
    ("commit_pulls", re.compile(r"^/repos/([^/]+)/([^/]+)/commits/([^/]+)/pulls$")),
    ("commit", re.compile(r"^/repos/([^/]+)/([^/]+)/commits/(.+)$")),
    ("git_commit", re.compile(r"^/repos/([^/]+)/([^/]+)/git/commits/([^/]+)$")),
    ("compare", re.compile(r"^/repos/([^/]+)/([^/]+)/compare/(.+)$")),
    ("pull", re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/(\d+)$")),
    ("pull_files", re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/(\d+)/files$")),
    ("contents", re.compile(r"^/repos/([^/]+)/([^/]+)/contents/(.*)$")),
]
RAW_MEDIA = "application/vnd.github.raw"
CONTENTS_DOCS = f"{shapes.DOCS}/repos/contents#get-repository-content"
CONTENT_OBJECT_MAX = 1_000_000  # larger files: "content" is empty, "encoding" is "none"


class Routes:
    def __init__(self, fake: FakeGitHub, urls: Urls, *, reader: Reader) -> None:
        self.fake = fake
        self.urls = urls
        self.reader = reader

    def dispatch(self, path: str, query: dict[str, list[str]], accept: str) -> Answer:
        for name, pattern in _ROUTES:
            match = pattern.match(path)
            if not match:
                continue
            owner, repo_name, *rest = (unquote(g) for g in match.groups())
            repo = self.fake.find_repo(owner, repo_name, self.reader)
            if repo is None:
                return Answer(404, shapes.not_found())
            handler = getattr(self, f"_{name}")
            return handler(repo, *rest, query=query, accept=accept)
        return Answer(404, shapes.not_found())

    # --- GET /repos/{owner}/{repo} -------------------------------------------------------
    def _repo(self, repo: FakeRepo, *, query: dict[str, list[str]], accept: str) -> Answer:
        return Answer(200, shapes.repository(repo, self.urls))

    # --- GET /repos/{owner}/{repo}/commits?sha&since&until ---------------------------------
    def _commits(self, repo: FakeRepo, *, query: dict[str, list[str]], accept: str) -> Answer:
        """The commit listing: from ``sha`` (a SHA or branch; default the default branch),
        newest first as ``git log``, ``since``/``until`` by committer date (ISO 8601), 30 a
        page by default and at most 100; an unknown ``sha`` is 404, a bad time 422."""
        ref = (query.get("sha") or [repo.default_branch])[-1]
        sha = git.resolve(repo.path, ref)
        if sha is None:
            return Answer(404, shapes.not_found())
        bounds: dict[str, str | None] = {}
        for name in ("since", "until"):
            raw = (query.get(name) or [None])[-1]
            if raw is not None and not _iso_time(raw):
                body = {
                    "message": f"Invalid value for {name}: {raw}",
                    "documentation_url": f"{shapes.DOCS}/commits/commits#list-commits",
                    "status": "422",
                }
                return Answer(422, body)
            bounds[name] = raw
        shas = git.listed_commits(repo.path, sha, bounds["since"], bounds["until"])
        listed, page, last = paginate(shas, query, 30, 100)
        infos = git.commit_infos(repo.path, listed)
        body = [shapes.commit(repo, info, self.urls) for info in infos]
        return Answer(200, body, query=query, page=page, last_page=last)

    # --- GET /repos/{owner}/{repo}/pulls?state&base&sort&direction -------------------------
    def _pulls(self, repo: FakeRepo, *, query: dict[str, list[str]], accept: str) -> Answer:
        """Pull requests of the repository: ``state`` open (default), closed or all; ``base``
        a branch name; ``sort`` created (default), updated, popularity or long-running;
        ``direction`` desc by default for created, asc otherwise (as GitHub documents)."""
        state = (query.get("state") or ["open"])[-1]
        base = (query.get("base") or [None])[-1]
        sort = (query.get("sort") or ["created"])[-1]
        default_direction = "desc" if sort == "created" else "asc"
        direction = (query.get("direction") or [default_direction])[-1]
        if state not in ("open", "closed", "all") or direction not in ("asc", "desc"):
            return Answer(422, {"message": "Validation Failed", "status": "422"})
        chosen = [
            pr
            for (repo_id, _), pr in self.fake.pulls.items()
            if repo_id == repo.id
            and (state == "all" or pr.state == state)
            and (base is None or pr.base_ref == base)
        ]

        def when(pr: shapes.FakePull) -> str:
            if sort == "updated":
                return pr.updated_at or pr.merged_at or pr.created_at
            return pr.created_at

        chosen.sort(key=lambda pr: (when(pr), pr.number), reverse=direction == "desc")
        listed, page, last = paginate(chosen, query, 30, 100)
        body = []
        for pr in listed:  # only the page's pulls are resolved: each costs git calls
            base_sha = pr.base_sha or git.resolve(repo.path, pr.base_ref) or ""
            head_sha = pr.head_sha or git.resolve(repo.path, pr.head_ref) or ""
            body.append(shapes.pull_simple(repo, pr, base_sha, head_sha, self.urls))
        return Answer(200, body, query=query, page=page, last_page=last)

    # --- GET /repos/{owner}/{repo}/commits/{ref} -----------------------------------------
    def _commit(
        self, repo: FakeRepo, ref: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        sha = git.resolve(repo.path, ref)
        if sha is None:
            body = {
                "message": f"No commit found for SHA: {ref}",
                "documentation_url": COMMIT_DOCS,
                "status": "422",
            }
            return Answer(422, body)
        if SHA_MEDIA in accept:
            return text(sha, SHA_MEDIA)
        info = git.commit_info(repo.path, sha)
        start = info.parents[0] if info.parents else None
        if DIFF_MEDIA in accept:
            return self._diff(repo, start, sha, "Commit")
        files = git.file_diffs(repo.path, start, sha)[: self.fake.pull_files_max]
        page_files, page, last = paginate(files, query, 300, 300)
        body = shapes.commit(repo, info, self.urls)
        additions = sum(f.additions for f in files)
        deletions = sum(f.deletions for f in files)
        body["stats"] = {
            "total": additions + deletions,
            "additions": additions,
            "deletions": deletions,
        }
        body["files"] = [self._file(repo, sha, f) for f in page_files]
        return Answer(200, body, query=query, page=page, last_page=last)

    # --- GET /repos/{owner}/{repo}/git/commits/{sha} ------------------------------------
    def _git_commit(
        self, repo: FakeRepo, sha: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        """The git data API takes a full SHA only; anything else is Not Found."""
        if not re.fullmatch(r"[0-9a-f]{40}", sha) or git.resolve(repo.path, sha) != sha:
            return Answer(404, shapes.not_found())
        return Answer(200, shapes.git_commit(repo, git.commit_info(repo.path, sha), self.urls))

    # --- GET /repos/{owner}/{repo}/commits/{sha}/pulls -----------------------------------
    def _commit_pulls(
        self, repo: FakeRepo, ref: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        """Pull requests associated with a commit, as GitHub documents them: on the default
        branch, the merged pull request that brought the commit in (its merge commit or one of
        its commits); elsewhere, the open pull requests containing it."""
        sha = git.resolve(repo.path, ref)
        if sha is None:
            body = {"message": f"No commit found for SHA: {ref}", "documentation_url": COMMIT_DOCS}
            return Answer(422, {**body, "status": "422"})
        default = git.resolve(repo.path, repo.default_branch)
        on_default = default is not None and git.is_ancestor(repo.path, sha, default)
        found = []
        for (repo_id, _), pr in sorted(self.fake.pulls.items()):
            state = self._pull_state(repo, str(pr.number)) if repo_id == repo.id else None
            if state is None:
                continue
            _, base_sha, head_sha, _ = state
            merged = pr.merged_at is not None
            if merged != on_default:
                continue
            contains = sha in git.commits_between(repo.path, base_sha, head_sha)
            if contains or (merged and pr.merge_commit_sha == sha):
                found.append(shapes.pull_simple(repo, pr, base_sha, head_sha, self.urls))
        listed, page, last = paginate(found, query, 30, 100)
        return Answer(200, listed, query=query, page=page, last_page=last)

    # --- GET /repos/{owner}/{repo}/compare/{base}...{head} -------------------------------
    def _compare(
        self, repo: FakeRepo, basehead: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        if "..." not in basehead:
            return Answer(404, shapes.not_found())
        base_spec, head_spec = basehead.split("...", 1)
        sides = [self._side(repo, base_spec), self._side(repo, head_spec)]
        if sides[0] is None or sides[1] is None:
            return Answer(404, shapes.not_found())
        (base_repo, base_sha), (head_repo, head_sha) = sides[0], sides[1]
        network = [base_repo.path, head_repo.path]
        mb = git.merge_base(repo.path, base_sha, head_sha, network)
        if mb is None:
            message = f"No common ancestor between {base_spec} and {head_spec}."
            return Answer(
                404, {"message": message, "documentation_url": shapes.DOCS, "status": "404"}
            )
        if DIFF_MEDIA in accept:
            return self._diff(repo, mb, head_sha, "Comparison", network)
        commits = git.commits_between(repo.path, base_sha, head_sha, network)
        behind = git.count_between(repo.path, head_sha, base_sha, network)
        paged = "page" in query or "per_page" in query
        page, last = 1, 1
        if paged:
            listed, page, last = paginate(commits, query, 250, 1000)
        else:
            listed = commits[-250:]  # "the last commit in the list is the most recent"
        body = {
            "url": f"{self.urls.repo_api(repo)}/compare/{basehead}",
            "html_url": f"{self.urls.repo_web(repo)}/compare/{basehead}",
            "permalink_url": f"{self.urls.repo_web(repo)}/compare/{base_repo.owner}:{base_sha[:7]}"
            f"...{head_repo.owner}:{head_sha[:7]}",
            "diff_url": f"{self.urls.repo_web(repo)}/compare/{basehead}.diff",
            "patch_url": f"{self.urls.repo_web(repo)}/compare/{basehead}.patch",
            "base_commit": self._commit_json(repo, base_sha, network),
            "merge_base_commit": self._commit_json(repo, mb, network),
            "status": _status(len(commits), behind),
            "ahead_by": len(commits),
            "behind_by": behind,
            "total_commits": len(commits),
            "commits": [self._commit_json(repo, c, network) for c in listed],
        }
        if page == 1:
            files = git.file_diffs(repo.path, mb, head_sha, network)[: self.fake.compare_max_files]
            body["files"] = [self._file(repo, head_sha, f) for f in files]
        return Answer(200, body, query=query if paged else None, page=page, last_page=last)

    def _side(self, repo: FakeRepo, spec: str) -> tuple[FakeRepo, str] | None:
        """Resolve ``REF``, ``OWNER:REF`` or ``OWNER:REPO:REF`` within the repository network."""
        parts = spec.split(":")
        if len(parts) > 3:
            return None
        target = repo
        if len(parts) >= 2:
            name = parts[1] if len(parts) == 3 else repo.name
            found = self.fake.find_repo(parts[0], name, self.reader)
            if found is None:
                return None
            target = found
        sha = git.resolve(target.path, parts[-1])
        return (target, sha) if sha else None

    # --- GET /repos/{owner}/{repo}/pulls/{n} and /files ----------------------------------
    def _pull_state(self, repo: FakeRepo, number: str) -> tuple[Any, str, str, str] | None:
        pr = self.fake.pulls.get((repo.id, int(number)))
        if pr is None:
            return None
        base_sha = pr.base_sha or git.resolve(repo.path, pr.base_ref)
        head_sha = pr.head_sha or git.resolve(repo.path, pr.head_ref)
        if base_sha is None or head_sha is None:
            return None
        mb = git.merge_base(repo.path, base_sha, head_sha) or base_sha
        return pr, base_sha, head_sha, mb

    def _pull(
        self, repo: FakeRepo, number: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        state = self._pull_state(repo, number)
        if state is None:
            return Answer(404, shapes.not_found())
        pr, base_sha, head_sha, mb = state
        if DIFF_MEDIA in accept:
            return self._diff(repo, mb, head_sha, "PullRequest")
        files = git.file_diffs(repo.path, mb, head_sha)
        count = len(git.commits_between(repo.path, base_sha, head_sha))
        return Answer(200, shapes.pull(repo, pr, base_sha, head_sha, files, count, self.urls))

    def _pull_files(
        self, repo: FakeRepo, number: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        state = self._pull_state(repo, number)
        if state is None:
            return Answer(404, shapes.not_found())
        _, _, head_sha, mb = state
        files = git.file_diffs(repo.path, mb, head_sha)[: self.fake.pull_files_max]
        listed, page, last = paginate(files, query, 30, 100)
        return Answer(
            200,
            [self._file(repo, head_sha, f) for f in listed],
            query=query,
            page=page,
            last_page=last,
        )

    # --- GET /repos/{owner}/{repo}/contents/{path}?ref= ------------------------------------
    def _contents(
        self, repo: FakeRepo, path: str, *, query: dict[str, list[str]], accept: str
    ) -> Answer:
        """A file (raw with the ``raw`` media type, else base64 in a JSON object, empty over
        1 MB) or a directory listing; 404 for a ref or path that is not there."""
        ref = (query.get("ref") or [repo.default_branch])[-1]
        sha = git.resolve(repo.path, ref)
        if sha is None:
            return Answer(
                404,
                {
                    "message": f"No commit found for the ref {ref}",
                    "documentation_url": CONTENTS_DOCS,
                    "status": "404",
                },
            )
        try:
            kind = git.run_git(repo.path, "cat-file", "-t", f"{sha}:{path}").strip()
        except git.GitFailed:
            return Answer(404, shapes.not_found())
        url = f"{self.urls.repo_api(repo)}/contents/{path}?ref={ref}"
        if kind == "tree":
            listing = git.run_git(repo.path, "ls-tree", f"{sha}:{path}").splitlines()
            entries = []
            for line in listing:
                meta, name = line.split("\t", 1)
                _, typ, blob = meta.split()
                entries.append(
                    {
                        "type": "dir" if typ == "tree" else "file",
                        "name": name,
                        "path": f"{path}/{name}".lstrip("/"),
                        "sha": blob,
                    }
                )
            return Answer(200, entries)
        data = git.blob_bytes(repo.path, f"{sha}:{path}")
        if RAW_MEDIA in accept:
            return Answer(
                200,
                data.decode("utf-8", "replace"),
                content_type=f"{RAW_MEDIA}+json; charset=utf-8",
            )
        blob = git.run_git(repo.path, "rev-parse", f"{sha}:{path}").strip()
        small = len(data) <= CONTENT_OBJECT_MAX
        return Answer(
            200,
            {
                "type": "file",
                "encoding": "base64" if small else "none",
                "size": len(data),
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "sha": blob,
                "url": url,
                "content": base64.encodebytes(data).decode() if small else "",
            },
        )

    # --- shared pieces --------------------------------------------------------------------
    def _diff(
        self,
        repo: FakeRepo,
        start: str | None,
        end: str,
        resource: str,
        network: list[Any] | None = None,
    ) -> Answer:
        """The diff media type, refused with 406 ``too_large`` over GitHub's file or line cap."""
        files = git.file_diffs(repo.path, start, end, network or [])
        if len(files) > self.fake.diff_max_files:
            return Answer(406, shapes.too_large("files", self.fake.diff_max_files, resource))
        if sum(f.changes for f in files) > self.fake.diff_max_lines:
            return Answer(406, shapes.too_large("lines", self.fake.diff_max_lines, resource))
        return text(git.raw_diff(repo.path, start, end, network or []), DIFF_MEDIA)

    def _commit_json(self, repo: FakeRepo, sha: str, network: list[Any]) -> dict[str, Any]:
        return shapes.commit(repo, git.commit_info(repo.path, sha, network), self.urls)

    def _file(self, repo: FakeRepo, head_sha: str, f: git.FileDiff) -> dict[str, Any]:
        return shapes.file_entry(
            repo, head_sha, f, self.urls, self.fake.patch_max_lines, self.fake.patch_max_bytes
        )


_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


def _iso_time(text: str) -> bool:
    """GitHub takes ISO 8601 (``YYYY-MM-DDTHH:MM:SSZ``) for ``since`` and ``until``."""
    return _ISO_TIME.fullmatch(text) is not None


def _status(ahead: int, behind: int) -> str:
    if ahead == 0 and behind == 0:
        return "identical"
    if behind == 0:
        return "ahead"
    if ahead == 0:
        return "behind"
    return "diverged"
