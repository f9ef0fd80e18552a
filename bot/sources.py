"""Parse what a person typed or pasted into one :class:`Source`.

Links arrive from a terminal, from Slack (wrapped in ``<...>`` or ``<...|label>``, with
``&amp;`` escapes) and from webhooks; every accepted form becomes the same value so the rest
of the bot never looks at a URL again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import unquote, urlsplit

SourceKind = Literal["compare", "pull", "commit", "local"]

ACCEPTED_FORMS = (
    "https://github.com/OWNER/REPO/compare/BASE...HEAD (or BASE..HEAD, OWNER:REF on either side), "
    "https://github.com/OWNER/REPO/pull/N, "
    "https://github.com/OWNER/REPO/commit/SHA, "
    "OWNER/REPO BASE...HEAD, "
    "or BASE...HEAD with --git PATH"
)

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})"
_OWNER_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# What git allows in a ref name, plus ~ and ^ for revisions such as HEAD~3 (local use).
_REF_RE = re.compile(r"^[A-Za-z0-9_@{}+=,/.~^-]{1,250}$")
_SHA_RE = re.compile(r"^[0-9a-fA-F]{4,64}$")
_SHORTHAND_RE = re.compile(rf"^({_NAME})/({_NAME})\s+(\S+)$")


class SourceError(ValueError):
    """The input is not a change we can report on; the message says what is accepted."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}. Accepted forms: {ACCEPTED_FORMS}.")
        self.reason = reason


@dataclass(frozen=True)
class Source:
    """One change to report on.

    ``base``/``head`` keep GitHub's cross-fork spelling (``OWNER:REF`` or
    ``OWNER:REPO:REF``); a pull request leaves them ``None`` until the PR is read, a commit
    has only ``head``. ``dots`` is 3 for merge-base comparisons and 2 for direct ones.
    """

    kind: SourceKind
    host: str
    owner: str
    repo: str
    base: str | None = None
    head: str | None = None
    number: int | None = None
    dots: int = 3
    git_path: str | None = None

    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def range_text(self) -> str:
        """``BASE...HEAD`` as a person would write it (PR and commit forms described)."""
        if self.kind == "pull":
            return f"#{self.number}"
        if self.kind == "commit":
            return (self.head or "")[:12]
        return f"{self.base}{'.' * self.dots}{self.head}"

    def with_refs(self, base: str, head: str) -> Source:
        return replace(self, base=base, head=head)


@dataclass(frozen=True)
class RefSpec:
    """A compare side split into GitHub's cross-fork parts."""

    owner: str | None
    repo: str | None
    ref: str


def split_ref(text: str) -> RefSpec:
    """Split ``OWNER:REPO:REF`` / ``OWNER:REF`` / ``REF``."""
    parts = text.split(":")
    if len(parts) == 3:
        return RefSpec(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return RefSpec(parts[0], None, parts[1])
    return RefSpec(None, None, text)


def _check_ref(text: str) -> str:
    spec = split_ref(text)
    if spec.owner is not None and not _OWNER_RE.match(spec.owner):
        raise SourceError(f"'{text}' names an owner GitHub would not accept")
    if spec.repo is not None and not _REPO_RE.match(spec.repo):
        raise SourceError(f"'{text}' names a repository GitHub would not accept")
    ref = spec.ref
    bad = (
        not _REF_RE.match(ref)
        or ref.startswith(("/", ".", "-"))  # git refuses these; "-x" would read as an option
        or ref.endswith(("/", ".lock", "."))
        or "//" in ref
        or "@{" in ref
    )
    if bad:
        raise SourceError(f"'{text}' is not a valid branch, tag or commit")
    return text


def _split_range(text: str) -> tuple[str, str, int]:
    """Split ``BASE...HEAD`` or ``BASE..HEAD`` (three dots win, as in git)."""
    if "..." in text:
        base, _, head = text.partition("...")
        dots = 3
    elif ".." in text:
        base, _, head = text.partition("..")
        dots = 2
    else:
        raise SourceError(f"'{text}' has no BASE...HEAD range")
    if not base or not head:
        raise SourceError(f"'{text}' needs both a base and a head")
    if ".." in base or ".." in head:
        raise SourceError(f"'{text}' has more than one range separator")
    return _check_ref(base), _check_ref(head), dots


def _strip_slack(text: str) -> str:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].split("|", 1)[0]
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _strip_suffix(path: str) -> str:
    for suffix in (".diff", ".patch"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _accepted_hosts(github_web_host: str) -> set[str]:
    """The one GitHub the bot reads from: github.com, or the configured Enterprise host.

    A github.com link under an Enterprise configuration would be looked up on the wrong
    server and answered with a misleading "not found", so it is refused up front.
    """
    host = (github_web_host or "github.com").lower()
    return {"github.com", "www.github.com"} if host == "github.com" else {host}


def _parse_url(text: str, github_web_host: str) -> Source:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise SourceError(f"'{text}' is not an http(s) link")
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    if host not in _accepted_hosts(github_web_host):
        configured = (github_web_host or "github.com").lower()
        if configured != "github.com":
            raise SourceError(
                f"'{host}' links cannot be read here: this bot reads {configured} (GITHUB_API_URL)"
            )
        raise SourceError(f"'{host}' is not GitHub or the configured GitHub Enterprise host")
    host = "github.com" if host == "www.github.com" else host
    segments = [unquote(s) for s in parts.path.split("/")]
    segments = [s for s in segments if s != ""]
    if len(segments) < 4:
        raise SourceError(f"'{text}' does not point at a compare, pull request or commit")
    owner, repo, kind, rest = segments[0], segments[1], segments[2], segments[3:]
    if repo.endswith(".git"):
        repo = repo[:-4]
    if not _OWNER_RE.match(owner) or not _REPO_RE.match(repo):
        raise SourceError(f"'{owner}/{repo}' is not a GitHub repository name")
    if kind == "compare":
        spec = _strip_suffix("/".join(rest))
        base, head, dots = _split_range(spec)
        return Source("compare", host, owner, repo, base, head, dots=dots)
    if kind in ("pull", "pulls"):
        number = _strip_suffix(rest[0])
        if not number.isdigit() or len(number) > 9 or int(number) == 0:
            raise SourceError(f"'{rest[0]}' is not a pull request number")
        if len(rest) > 1 and rest[1] not in ("files", "commits", "checks", "changes"):
            raise SourceError(f"'{text}' is not a pull request link")
        return Source("pull", host, owner, repo, number=int(number))
    if kind == "commit":
        sha = _strip_suffix(rest[0])
        if not _SHA_RE.match(sha) or len(rest) > 1:
            raise SourceError(f"'{rest[0]}' is not a commit SHA")
        return Source("commit", host, owner, repo, head=sha.lower())
    raise SourceError(f"'{text}' does not point at a compare, pull request or commit")


def parse_source(
    text: str, *, github_web_host: str = "github.com", git_path: str | None = None
) -> Source:
    """Parse ``text`` into a :class:`Source`, or raise :class:`SourceError`.

    ``github_web_host`` is the host of the configured GitHub (Enterprise) so its links are
    accepted; ``git_path`` switches to a local repository where only a range is expected.
    """
    if not isinstance(text, str):
        raise SourceError("the source must be text")
    cleaned = _strip_slack(text)
    if not cleaned:
        raise SourceError("no source was given")
    if len(cleaned) > 2000:
        raise SourceError("the source is too long to be a link")
    if git_path is not None:
        if "://" in cleaned:
            raise SourceError(
                f"with --git PATH, give a range of that repository such as main...feature, "
                f"not the link '{cleaned[:200]}'"
            )
        if any(ch.isspace() for ch in cleaned):
            raise SourceError(f"'{cleaned}' is not a BASE...HEAD range")
        base, head, dots = _split_range(cleaned)
        return Source("local", "local", "local", "local", base, head, dots=dots, git_path=git_path)
    host = cleaned.split("/", 1)[0].lower()
    if "://" not in cleaned and "/" in cleaned and host in _accepted_hosts(github_web_host):
        cleaned = f"https://{cleaned}"  # pasted without its scheme: github.com/o/r/pull/1
    if "://" in cleaned:
        if any(ch.isspace() for ch in cleaned):
            raise SourceError("a link cannot contain spaces")
        return _parse_url(cleaned, github_web_host)
    match = _SHORTHAND_RE.match(cleaned)
    if match:
        owner, repo, spec = match.groups()
        if not _OWNER_RE.match(owner):
            raise SourceError(f"'{owner}' is not a GitHub owner name")
        base, head, dots = _split_range(spec)
        return Source(
            "compare", github_web_host or "github.com", owner, repo, base, head, dots=dots
        )
    raise SourceError(f"'{cleaned[:200]}' is not a link or range we understand")
