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

from bot import messages
from bot.names import NAME_PART, REF_RE, SHA_PREFIX_RE, is_owner, is_repo_name, strip_slack_link

SourceKind = Literal["compare", "pull", "commit", "local"]


_SHORTHAND_RE = re.compile(rf"({NAME_PART})/({NAME_PART})\s+(\S+)")


class SourceError(ValueError):
    """The input is not a change we can report on; the message says what is accepted."""

    def __init__(self, reason: str) -> None:
        super().__init__(messages.SOURCE_ERROR.format(reason=reason, forms=messages.ACCEPTED_FORMS))
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
    if spec.owner is not None and not is_owner(spec.owner):
        raise SourceError(messages.SOURCE_BAD_OWNER.format(text=text))
    if spec.repo is not None and not is_repo_name(spec.repo):
        raise SourceError(messages.SOURCE_BAD_REPO.format(text=text))
    ref = spec.ref
    bad = (
        not REF_RE.fullmatch(ref)
        or ref.startswith(("/", ".", "-"))  # git refuses these; "-x" would read as an option
        or ref.endswith(("/", ".lock", "."))
        or "//" in ref
        or "@{" in ref
    )
    if bad:
        raise SourceError(messages.SOURCE_BAD_REF.format(text=text))
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
        raise SourceError(messages.SOURCE_NO_RANGE.format(text=text))
    if not base or not head:
        raise SourceError(messages.SOURCE_RANGE_SIDES.format(text=text))
    if ".." in base or ".." in head:
        raise SourceError(messages.SOURCE_RANGE_SEPARATORS.format(text=text))
    return _check_ref(base), _check_ref(head), dots


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
        raise SourceError(messages.SOURCE_NOT_HTTP.format(text=text))
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    if host not in _accepted_hosts(github_web_host):
        configured = (github_web_host or "github.com").lower()
        if configured != "github.com":
            raise SourceError(messages.SOURCE_OTHER_HOST.format(host=host, configured=configured))
        raise SourceError(messages.SOURCE_NOT_GITHUB.format(host=host))
    host = "github.com" if host == "www.github.com" else host
    segments = [unquote(s) for s in parts.path.split("/")]
    segments = [s for s in segments if s != ""]
    if len(segments) < 4:
        raise SourceError(messages.SOURCE_NOT_A_CHANGE.format(text=text))
    owner, repo, kind, rest = segments[0], segments[1], segments[2], segments[3:]
    if repo.endswith(".git"):
        repo = repo[:-4]
    if not is_owner(owner) or not is_repo_name(repo):
        raise SourceError(messages.SOURCE_BAD_REPOSITORY.format(owner=owner, repo=repo))
    if kind == "compare":
        spec = _strip_suffix("/".join(rest))
        base, head, dots = _split_range(spec)
        return Source("compare", host, owner, repo, base, head, dots=dots)
    if kind in ("pull", "pulls"):
        number = _strip_suffix(rest[0])
        if not number.isdigit() or len(number) > 9 or int(number) == 0:
            raise SourceError(messages.SOURCE_BAD_PULL_NUMBER.format(part=rest[0]))
        if len(rest) > 1 and rest[1] not in ("files", "commits", "checks", "changes"):
            raise SourceError(messages.SOURCE_NOT_A_PULL.format(text=text))
        return Source("pull", host, owner, repo, number=int(number))
    if kind == "commit":
        sha = _strip_suffix(rest[0])
        if not SHA_PREFIX_RE.fullmatch(sha) or len(rest) > 1:
            raise SourceError(messages.SOURCE_BAD_SHA.format(part=rest[0]))
        return Source("commit", host, owner, repo, head=sha.lower())
    raise SourceError(messages.SOURCE_NOT_A_CHANGE.format(text=text))


def parse_source(
    text: str, *, github_web_host: str = "github.com", git_path: str | None = None
) -> Source:
    """Parse ``text`` into a :class:`Source`, or raise :class:`SourceError`.

    ``github_web_host`` is the host of the configured GitHub (Enterprise) so its links are
    accepted; ``git_path`` switches to a local repository where only a range is expected.
    """
    if not isinstance(text, str):
        raise SourceError(messages.SOURCE_NOT_TEXT)
    cleaned = strip_slack_link(text)
    if not cleaned:
        raise SourceError(messages.SOURCE_EMPTY)
    if len(cleaned) > 2000:
        raise SourceError(messages.SOURCE_TOO_LONG)
    if git_path is not None:
        if "://" in cleaned:
            raise SourceError(messages.SOURCE_LINK_WITH_GIT.format(text=cleaned[:200]))
        if any(ch.isspace() for ch in cleaned):
            raise SourceError(messages.SOURCE_NOT_A_RANGE.format(text=cleaned))
        base, head, dots = _split_range(cleaned)
        return Source("local", "local", "local", "local", base, head, dots=dots, git_path=git_path)
    host = cleaned.split("/", 1)[0].lower()
    if "://" not in cleaned and "/" in cleaned and host in _accepted_hosts(github_web_host):
        cleaned = f"https://{cleaned}"  # pasted without its scheme: github.com/o/r/pull/1
    if "://" in cleaned:
        if any(ch.isspace() for ch in cleaned):
            raise SourceError(messages.SOURCE_SPACES)
        return _parse_url(cleaned, github_web_host)
    match = _SHORTHAND_RE.fullmatch(cleaned)
    if match:
        owner, repo, spec = match.groups()
        if not is_owner(owner):
            raise SourceError(messages.SOURCE_BAD_OWNER_NAME.format(owner=owner))
        base, head, dots = _split_range(spec)
        return Source(
            "compare", github_web_host or "github.com", owner, repo, base, head, dots=dots
        )
    raise SourceError(messages.SOURCE_NOT_UNDERSTOOD.format(text=cleaned[:200]))
