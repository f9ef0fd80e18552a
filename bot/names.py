"""The shapes of names that come from outside, and the paths of our own URLs, each said once.

Repository and branch names arrive in links, slash commands, subscriptions and webhook
payloads; report ids in URLs and Redis. Every check here is a full match (``fullmatch`` or
``\\Z``): ``$`` also matches before a trailing newline, which would let ``acme\\n`` pass as an
owner and become a second cache entry for the same repository.
"""

from __future__ import annotations

import re

OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
"""A GitHub user or organisation login."""
REPO_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
"""A repository name, as GitHub allows it."""
NAME_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})"
"""A repository or owner name inside a larger pattern (the shorthand ``OWNER/REPO RANGE``)."""
FULL_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
"""A whole commit SHA (SHA-1 or SHA-256), lower case as GitHub sends them."""
SHA_PREFIX_RE = re.compile(r"[0-9a-fA-F]{4,64}")
"""A commit SHA as people paste it: abbreviated or whole."""
REF_RE = re.compile(r"[A-Za-z0-9_@{}+=,/.~^-]{1,250}")
"""What git allows in a ref name, plus ~ and ^ for revisions such as HEAD~3 (local use)."""
REPORT_ID_RE = re.compile(r"[0-9a-f]{32}")
"""A report id (bot/store/ids.py makes them): anything else is answered without Redis."""

_BRANCH_BAD_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")

SLACK_EVENTS_PATH = "/slack/events"
WEBHOOK_PATH = "/github/webhook"
REPORTS_PATH = "/reports/"
"""A report's page is ``PUBLIC_URL/reports/ID``, with ``.json`` and ``.md`` twins."""


def is_owner(text: str) -> bool:
    return OWNER_RE.fullmatch(text) is not None


def is_repo_name(text: str) -> bool:
    return REPO_RE.fullmatch(text) is not None and text not in (".", "..")


def is_full_sha(text: str) -> bool:
    return FULL_SHA_RE.fullmatch(text) is not None


def is_report_id(text: str) -> bool:
    return REPORT_ID_RE.fullmatch(text) is not None


def is_branch_name(text: str) -> bool:
    """Git's rules for a branch name (``git check-ref-format --branch``), without running git."""
    return not (
        not text
        or len(text) > 250
        or _BRANCH_BAD_CHARS.search(text)
        or text.startswith(("-", "/", "."))
        or text.endswith(("/", ".", ".lock"))
        or ".." in text
        or "//" in text
        or "@{" in text
        or text == "@"
        or "/." in text
    )


def strip_slack_link(text: str) -> str:
    """The text a person typed, from Slack's ``<url|label>`` markup and HTML entities."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].split("|", 1)[0]
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def report_url(public_url: str | None, report_id: str) -> str | None:
    """The page of a report, when the server has a public URL to link to."""
    return f"{public_url}{REPORTS_PATH}{report_id}" if public_url else None


def report_id_in(public_url: str | None, url: str) -> str | None:
    """The id of one of our own report pages (``PUBLIC_URL/reports/ID``, any twin)."""
    if not public_url:
        return None
    prefix = f"{public_url}{REPORTS_PATH}"
    if not url.startswith(prefix):
        return None
    rest = re.split(r"[?#]", url[len(prefix) :], maxsplit=1)[0]
    for suffix in (".json", ".md"):
        rest = rest.removesuffix(suffix)
    return rest if is_report_id(rest) else None
