"""GitHub webhook deliveries: is this really from GitHub, and what, if anything, should we report.

Everything here is pure (no Redis, no network, no HTTP server): the web handler hands over the
raw body and two headers, and gets back a plain value saying what the delivery asks for. That
keeps the request path fast and makes each decision testable on GitHub's own example payloads.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot import messages
from bot.names import is_full_sha, is_owner, is_repo_name

SIGNATURE_PREFIX = "sha256="
# GitHub lists at most this many commits in a push delivery; a full list may be cut short.
MAX_PUSH_COMMITS = 2048

_BRANCH_PREFIX = "refs/heads/"
_TAG_PREFIX = "refs/tags/"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body`` (HMAC-SHA256, hex)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(secret: str | None, body: bytes, header: str | None) -> bool:
    """True only when ``header`` is GitHub's signature of ``body`` under ``secret``.

    The comparison is constant-time so a caller cannot learn the digest byte by byte; with
    no secret nothing verifies, so an unconfigured server never accepts unsigned deliveries.
    """
    if not secret or not header:
        return False
    expected = sign(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))


class PayloadError(ValueError):
    """The delivery is signed but does not carry what its event type promises."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Repository:
    """The repository a delivery is about, as GitHub describes it in the payload."""

    owner: str
    name: str
    default_branch: str | None
    private: bool

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Ping:
    """GitHub's hello when a webhook is created or tested."""

    zen: str
    repository: Repository | None


@dataclass(frozen=True)
class Ignored:
    """A well-formed event we deliberately do not report; ``reason`` goes back to GitHub."""

    reason: str
    repository: Repository | None = None


@dataclass(frozen=True)
class Landed:
    """A change that landed on a branch and should be reported to that branch's subscribers.

    ``merge_sha`` is the commit the branch now points at: a push's ``after`` and a merged pull
    request's ``merge_commit_sha`` are the same commit, which is how one merge seen twice is
    reported once. ``touched`` lists the files the payload says changed, or is ``None`` when the
    payload cannot tell (pull requests, forced pushes, very long pushes).
    """

    kind: Literal["push", "pull_request"]
    repository: Repository
    branch: str
    base: str
    head: str
    merge_sha: str
    title: str | None = None
    number: int | None = None
    touched: tuple[str, ...] | None = None
    installation: int | None = None
    """The GitHub App installation that delivered it (App webhooks), whose token reads it."""
    forced: bool = False
    """A force-push: ``before`` may not be an ancestor of ``after`` (a rewind or a rewrite)."""

    def source(self, web_url: str) -> str:
        """The link a person would paste for this change, on the configured GitHub host."""
        repo = f"{web_url.rstrip('/')}/{self.repository.full_name}"
        if self.kind == "pull_request":
            return f"{repo}/pull/{self.number}"
        if self.forced:
            # Before and after directly: from their merge base, a rewind shows nothing.
            return f"{repo}/compare/{self.base}..{self.head}"
        return f"{repo}/compare/{self.base}...{self.head}"


Event = Ping | Ignored | Landed


def _field(obj: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PayloadError(messages.WEBHOOK_MISSING_FIELD.format(field=f"{where}{name}"))
    return value


def _sha(obj: Mapping[str, Any], name: str, where: str) -> str:
    value = _field(obj, name, str, where).lower()
    if not is_full_sha(value):
        raise PayloadError(messages.WEBHOOK_BAD_FIELD.format(field=f"{where}{name}"))
    return value


def installation_id(payload: Mapping[str, Any]) -> int | None:
    """``installation.id`` of a delivery made by a GitHub App, else None."""
    found = payload.get("installation")
    number = found.get("id") if isinstance(found, dict) else None
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**63:
        return number
    return None


def _is_zero(sha: str) -> bool:
    return set(sha) == {"0"}


def parse_repository(payload: Mapping[str, Any]) -> Repository:
    """Read ``repository`` (owner and name from ``full_name``, else ``owner.login``/``name``)."""
    repo = _field(payload, "repository", dict, "")
    full_name = repo.get("full_name")
    if isinstance(full_name, str) and full_name.count("/") == 1:
        owner, name = full_name.split("/")
    else:
        owner_obj = _field(repo, "owner", dict, "repository.")
        owner = owner_obj.get("login") or owner_obj.get("name")
        name = repo.get("name")
    if not isinstance(owner, str) or not isinstance(name, str):
        raise PayloadError(messages.WEBHOOK_MISSING_FIELD.format(field="repository.full_name"))
    if not is_owner(owner) or not is_repo_name(name):
        raise PayloadError(messages.WEBHOOK_BAD_FIELD.format(field="repository.full_name"))
    default_branch = repo.get("default_branch")
    return Repository(
        owner=owner,
        name=name,
        default_branch=default_branch if isinstance(default_branch, str) else None,
        private=repo.get("private") is True,
    )


def _touched_files(payload: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Files the push's commits list as added, removed or modified; ``None`` if unknowable.

    A forced push can drop commits whose files the list would not show, and a list at GitHub's
    cap may be cut short, so in those cases the report job filters the real diff instead.
    """
    commits = payload.get("commits")
    if payload.get("forced") is True or not isinstance(commits, list) or not commits:
        return None
    if len(commits) >= MAX_PUSH_COMMITS:
        return None
    files: set[str] = set()
    for commit in commits:
        if not isinstance(commit, dict):
            return None
        for key in ("added", "removed", "modified"):
            names = commit.get(key)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return None
            files.update(names)
    return tuple(sorted(files))


def parse_push(payload: Mapping[str, Any]) -> Landed | Ignored:
    repository = parse_repository(payload)
    ref = _field(payload, "ref", str, "")
    before = _sha(payload, "before", "")
    after = _sha(payload, "after", "")
    if ref.startswith(_TAG_PREFIX):
        return Ignored(messages.WEBHOOK_IGNORED_TAG, repository)
    if not ref.startswith(_BRANCH_PREFIX):
        return Ignored(messages.WEBHOOK_IGNORED_REF.format(ref=ref), repository)
    branch = ref[len(_BRANCH_PREFIX) :]
    if payload.get("deleted") is True or _is_zero(after):
        return Ignored(messages.WEBHOOK_IGNORED_DELETED.format(branch=branch), repository)
    if payload.get("created") is True or _is_zero(before):
        return Ignored(messages.WEBHOOK_IGNORED_CREATED.format(branch=branch), repository)
    if repository.default_branch is None:
        raise PayloadError(messages.WEBHOOK_MISSING_FIELD.format(field="repository.default_branch"))
    return Landed(
        kind="push",
        repository=repository,
        branch=branch,
        base=before,
        head=after,
        merge_sha=after,
        touched=_touched_files(payload),
        installation=installation_id(payload),
        forced=payload.get("forced") is True,
    )


def parse_pull_request(payload: Mapping[str, Any]) -> Landed | Ignored:
    repository = parse_repository(payload)
    action = _field(payload, "action", str, "")
    pr = _field(payload, "pull_request", dict, "")
    number = _field(pr, "number", int, "pull_request.")
    if action != "closed":
        return Ignored(messages.WEBHOOK_IGNORED_PR_ACTION.format(action=action), repository)
    if pr.get("merged") is not True:
        return Ignored(messages.WEBHOOK_IGNORED_PR_UNMERGED.format(number=number), repository)
    base = _field(pr, "base", dict, "pull_request.")
    head = _field(pr, "head", dict, "pull_request.")
    title = _field(pr, "title", str, "pull_request.")
    merge_sha = pr.get("merge_commit_sha")
    head_sha = _sha(head, "sha", "pull_request.head.")
    return Landed(
        kind="pull_request",
        repository=repository,
        branch=_field(base, "ref", str, "pull_request.base."),
        base=_sha(base, "sha", "pull_request.base."),
        head=head_sha,
        merge_sha=_sha(pr, "merge_commit_sha", "pull_request.") if merge_sha else head_sha,
        title=title.strip()[:300] or None,
        number=number,
        installation=installation_id(payload),
    )


def parse_event(event: str, payload: object) -> Event:
    """Turn one delivery (``X-GitHub-Event`` and the decoded JSON body) into what to do."""
    if not isinstance(payload, dict):
        raise PayloadError(messages.WEBHOOK_NOT_OBJECT)
    if event == "ping":
        zen = payload.get("zen")
        repository = parse_repository(payload) if "repository" in payload else None
        return Ping(zen if isinstance(zen, str) else "", repository)
    if event == "push":
        return parse_push(payload)
    if event == "pull_request":
        return parse_pull_request(payload)
    return Ignored(messages.WEBHOOK_IGNORED_EVENT.format(event=event[:100]))
