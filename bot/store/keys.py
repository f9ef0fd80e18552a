"""Every Redis key the bot writes, in one place, so two features can never share one by accident.

Each name starts with the deployment's prefix (``DIFFINSIGHT_REDIS_PREFIX``), so two
deployments on one Redis keep apart; RQ's own keys are named by RQ (see README).
"""

from __future__ import annotations


def report(prefix: str, cache_key: str) -> str:
    """A finished report, under the key of its resolved request."""
    return f"{prefix}report:{cache_key}"


def build_lock(prefix: str, cache_key: str) -> str:
    """The single-flight lock of one report being built."""
    return f"{prefix}lock:{cache_key}"


def report_id(prefix: str, report_id: str) -> str:
    """A report id's record: which cache key (and request) it names."""
    return f"{prefix}report-id:{report_id}"


def server_secret(prefix: str) -> str:
    """The random secret report ids are derived from when DIFFINSIGHT_SECRET is not set."""
    return f"{prefix}secret"


def file_text(prefix: str, repository: str, sha: str, path_digest: str) -> str:
    """One file's whole text at a commit SHA (immutable), for API analysis."""
    return f"{prefix}text:{repository}:{sha}:{path_digest}"


def llm_file(prefix: str, content_key: str) -> str:
    """One file's model summary, by the content it was made from."""
    return f"{prefix}llm:{content_key}"


def llm_endpoint(prefix: str, digest: str) -> str:
    """What one LLM endpoint and model took last (response format, context window, slots)."""
    return f"{prefix}llm-endpoint:{digest}"


def subscriptions_of_repo(prefix: str, repository: str) -> str:
    """A hash, one field per (channel, branch) following the repository."""
    return f"{prefix}subs:repo:{repository.lower()}"


def subscriptions_of_channel(prefix: str, channel: str) -> str:
    """A set of the repositories a channel follows, so ``list`` needs no scan."""
    return f"{prefix}subs:channel:{channel}"


def dedup(prefix: str, digest: str) -> str:
    """A queued job's dedup mark (the digest of its dedup key)."""
    return f"{prefix}dedup:{digest}"


def job_lease(prefix: str, job_id: str) -> str:
    """A running job's lease, renewed while its worker lives."""
    return f"{prefix}lease:{job_id}"


def posted(prefix: str, post_key: str) -> str:
    """What one report job has posted so far (placeholder, replies, done, told)."""
    return f"{prefix}posted:{post_key}"


def thread(prefix: str, channel: str, parent_ts: str) -> str:
    """What a report message's thread holds, for Regenerate to rewrite it."""
    return f"{prefix}thread:{channel}:{parent_ts}"


def thread_lock(prefix: str, channel: str, parent_ts: str) -> str:
    """One writer per thread at a time."""
    return f"{prefix}thread-lock:{channel}:{parent_ts}"


def unfurl_event(prefix: str, event_id: str) -> str:
    """A ``link_shared`` event seen, so Slack's retries of it unfurl nothing twice."""
    return f"{prefix}unfurl-event:{event_id}"


def unfurl_link(prefix: str, ident: str) -> str:
    """A pasted link's last report id, so the next paste unfurls without a job."""
    return f"{prefix}unfurl-link:{ident}"


def app_installation(prefix: str, repository: str) -> str:
    """The GitHub App's installation id on a repository (or ``none``: not installed there)."""
    return f"{prefix}app:installation:{repository.lower()}"


def app_installation_repos(prefix: str, installation: int) -> str:
    """A set of the repositories an installation was found on, to forget them all at once."""
    return f"{prefix}app:installation-repos:{installation}"


def app_token(prefix: str, installation: int) -> str:
    """An installation's token and its expiry, shared by every process until near expiry."""
    return f"{prefix}app:token:{installation}"


def app_token_lock(prefix: str, installation: int) -> str:
    """The single-flight lock of one installation token being asked for."""
    return f"{prefix}app:token-lock:{installation}"


def app_identity(prefix: str, app_id: str) -> str:
    """The App's name and page (``GET /app``), for the "install it" message."""
    return f"{prefix}app:identity:{app_id}"


def digests(prefix: str) -> str:
    """A hash of every channel's digest subscriptions, one field per (channel, repository)."""
    return f"{prefix}digest:subs"


def digests_of_channel(prefix: str, channel: str) -> str:
    """A set of the repositories a channel gets digests of, so ``digest list`` needs no scan."""
    return f"{prefix}digest:channel:{channel}"


def digest_covered(prefix: str) -> str:
    """A hash: per (channel, repository), the end of the last period claimed for a digest."""
    return f"{prefix}digest:covered"


def digest_claim(prefix: str, channel: str, repository: str, period_end: str) -> str:
    """The claim on one channel's digest of one period: whoever sets it queues the post."""
    return f"{prefix}digest:claim:{channel}:{repository.lower()}:{period_end}"


def digest_ticked(prefix: str) -> str:
    """The last boundary the digest tick ran for, so a returning worker schedules what is due."""
    return f"{prefix}digest:ticked"
