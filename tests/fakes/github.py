"""FakeGitHub: a real HTTP server on 127.0.0.1 answering GitHub's REST API from local git repos.

It serves what diffinsight reads (repository, commit, compare, pull request and its files, the
commit listing with ``sha``/``since``/``until``, closed pull requests by ``base``) in
GitHub's JSON shapes and media types, enforces the documented caps (300 files in a comparison,
3000 pull request files, 100 per page, the 406 ``too_large`` diff refusal), hides private
repositories from callers without a valid token, sends rate-limit headers on every answer and
records every request so tests can assert on what the client really sent.

    with FakeGitHub() as gh:
        gh.add_repo("octo", "docs", path)
        config = replace(config, github_api_url=gh.api_url)
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import github_git as git
from tests.fakes.faults import Answer as FaultAnswer
from tests.fakes.faults import Faults
from tests.fakes.github_app import NOT_DECODED, AppRoutes, FakeApp, FakeInstallation, is_app_route
from tests.fakes.github_rates import RateLimits
from tests.fakes.github_routes import Answer, Routes
from tests.fakes.github_shapes import DOCS, FakePull, FakeRepo, Urls

API_PREFIX = "/api/v3"
Reader = str | FakeInstallation | None
"""A personal token, an App installation (by its token), or None for anonymous."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


@dataclass
class Failure:
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    accept: str | None = None


class FakeGitHub(RateLimits):
    """GitHub (Enterprise-shaped: API under ``/api/v3``) served from local repositories.

    Knobs, all plain attributes: ``rate_limit_remaining`` (``None``: count from the real
    limits, 60 anonymous / 5000 with a token; ``0``: every request is refused),
    ``rate_limit_status`` (403 or 429), ``rate_limit_reset`` (epoch seconds),
    ``diff_max_files`` / ``diff_max_lines`` (the 406 ``too_large`` caps of the diff media
    type), ``patch_max_lines`` / ``patch_max_bytes`` (beyond these a file's ``patch`` is left
    out, as GitHub does for large diffs; GitHub does not document its threshold, the defaults
    are its web view's 20,000 lines and 1 MB), ``compare_max_files`` (300),
    ``pull_files_max`` (3000); :meth:`fail` answers chosen paths with an error.
    """

    def __init__(
        self, *, tokens: tuple[str, ...] = ("test-token",), app: FakeApp | None = None
    ) -> None:
        self.tokens = set(tokens)
        self.app = app
        self.faults = Faults()
        """Slow, refusing, truncated or dropped answers (see tests/fakes/faults.py)."""
        self.repos: dict[tuple[str, str], FakeRepo] = {}
        self.pulls: dict[tuple[int, int], FakePull] = {}
        self.requests: list[RecordedRequest] = []
        self.rate_limit_remaining: int | None = None
        self.rate_limit_status = 403
        self.rate_limit_reset = int(time.time()) + 3600
        self.diff_max_files = 300
        self.diff_max_lines = 20000
        self.patch_max_lines = 20000
        self.patch_max_bytes = 1_000_000
        self.compare_max_files = 300
        self.pull_files_max = 3000
        self._used: dict[str, int] = {}
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- setup -------------------------------------------------------------------------
    def add_repo(
        self,
        owner: str,
        name: str,
        path: Path,
        *,
        private: bool = False,
        default_branch: str = "main",
    ) -> FakeRepo:
        repo = FakeRepo(
            owner, name, Path(path), private, id=len(self.repos) + 1, default_branch=default_branch
        )
        self.repos[(owner.lower(), name.lower())] = repo
        return repo

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        base_ref: str,
        head_ref: str,
        *,
        title: str = "A change",
        body: str = "",
    ) -> FakePull:
        found = self.repos[(owner.lower(), repo.lower())]
        pr = FakePull(number, base_ref, head_ref, title, body)
        self.pulls[(found.id, number)] = pr
        return pr

    def merge_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        merge_commit_sha: str,
        *,
        base_sha: str,
        merged_at: str = "2025-06-12T12:00:00Z",
        updated_at: str | None = None,
    ) -> FakePull:
        """Mark a pull request merged as ``merge_commit_sha``; like GitHub, it keeps the base
        (the branch's commit before the merge) and head SHAs it was merged with. The merge
        updates it (``updated_at``, unless a later comment or label is given)."""
        found = self.repos[(owner.lower(), repo.lower())]
        pr = self.pulls[(found.id, number)]
        head_sha = git.resolve(found.path, pr.head_ref)
        pr.state, pr.merged_at, pr.merge_commit_sha = "closed", merged_at, merge_commit_sha
        pr.updated_at = updated_at or merged_at
        pr.base_sha, pr.head_sha = base_sha, head_sha
        return pr

    def fail(
        self,
        path_pattern: str,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        times: int | None = None,
        accept: str | None = None,
    ) -> None:
        """Answer requests whose path matches ``path_pattern`` with ``status`` (``times`` times),
        only those asking for the ``accept`` media type when it is given (say, the raw diff)."""
        body = {"message": message, "documentation_url": DOCS, "status": str(status)}
        failure = Failure(re.compile(path_pattern), status, body, headers or {}, times, accept)
        self._failures.append(failure)

    # --- addresses ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "use FakeGitHub as a context manager"
        return self._server.server_address[1]

    @property
    def web_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}"

    @property
    def api_url(self) -> str:
        return f"{self.web_url}{API_PREFIX}"

    def requests_to(self, fragment: str) -> list[RecordedRequest]:
        return [r for r in self.requests if fragment in r.path]

    # --- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- request handling --------------------------------------------------------------
    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes = b""
    ) -> Answer:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        with self._lock:
            self.requests.append(RecordedRequest(method, parts.path, query, headers))
        token = _token(headers.get("authorization"))
        path = parts.path[len(API_PREFIX) :] if parts.path.startswith(API_PREFIX + "/") else None
        if path is not None and is_app_route(path):
            return self._app_answer(method, path, token, headers, body)
        reader = self._reader(token)
        if reader is False:
            body_401 = {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
            return self._with_rate(Answer(401, body_401), token)
        limited = self._take_rate(token)
        if limited is not None:
            return limited
        failure = self._failure_for(parts.path, headers.get("accept", ""))
        if failure is not None:
            return self._with_rate(
                Answer(failure.status, failure.body, headers=failure.headers), token
            )
        if method != "GET" or path is None:
            return self._with_rate(
                Answer(404, {"message": "Not Found", "documentation_url": DOCS}), token
            )
        routes = Routes(self, Urls(self.api_url, self.web_url), reader=reader)
        answer = routes.dispatch(path, query, headers.get("accept", ""))
        answer.link_base = f"{self.web_url}{parts.path}"
        return self._with_rate(answer, token)

    def _reader(self, token: str | None) -> Reader | bool:
        """Who is asking: None (anonymous), a personal token, an App installation; False
        for a credential GitHub would refuse (unknown, or an expired installation token)."""
        if token is None:
            return None
        if token in self.tokens:
            return token
        found = self.app.installation_for_token(token) if self.app is not None else None
        return False if found is None else found

    def _app_answer(
        self, method: str, path: str, token: str | None, headers: dict[str, str], body: bytes
    ) -> Answer:
        failure = self._failure_for(API_PREFIX + path, headers.get("accept", ""))
        if failure is not None:
            return Answer(failure.status, failure.body, headers=failure.headers)
        if self.app is None:
            return Answer(401, {"message": NOT_DECODED, "documentation_url": DOCS})
        urls = Urls(self.api_url, self.web_url)
        return AppRoutes(self.app, self.repos, urls).dispatch(method, path, token, body)

    def find_repo(self, owner: str, name: str, reader: Reader) -> FakeRepo | None:
        """The repository when ``reader`` may see it: public ones for everyone, private ones
        with a personal token or an installation granted that repository."""
        repo = self.repos.get((owner.lower(), name.lower()))
        if repo is None or not repo.private:
            return repo
        if isinstance(reader, str):
            return repo
        if isinstance(reader, FakeInstallation) and repo.full_name.lower() in reader.repositories:
            return repo
        return None

    def _failure_for(self, path: str, accept: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                wanted = failure.accept is None or failure.accept in accept
                if wanted and failure.pattern.search(path) and failure.times != 0:
                    if failure.times is not None:
                        failure.times -= 1
                    return failure
        return None


def _token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else authorization


def _server_error(status: int) -> FaultAnswer:
    body = json.dumps({"message": "Server Error"}).encode()
    return status, {"Content-Type": "application/json; charset=utf-8"}, body


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length") or 0)
        self._serve("POST", self.rfile.read(length))

    def _serve(self, method: str, body: bytes = b"") -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}

        def work() -> FaultAnswer:
            answer = self.fake.answer(method, self.path, headers, body)
            sent = {"Content-Type": answer.content_type, **answer.headers}
            link = answer.link_header()
            if link:
                sent["Link"] = link
            return answer.status, sent, answer.payload()

        self.fake.faults.serve(self, work, _server_error)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet; ``FakeGitHub.requests`` is the record."""
