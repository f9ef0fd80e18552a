"""Errors a person can act on, one class per cause, each carrying the sentence to show."""

from __future__ import annotations

from datetime import UTC, datetime


class SourceReadError(RuntimeError):
    """The source was understood but could not be read (exit status 1)."""

    transient = False


class NotFoundError(SourceReadError):
    """Repository, pull request or commit not found, or not readable with our token."""


class NotInstalledError(NotFoundError):
    """The GitHub App is not installed on the repository (or the repository does not exist)."""


class BadCredentialsError(SourceReadError):
    """GitHub answered 401 to the token the read carried."""


class AppCredentialsError(SourceReadError):
    """GitHub refused the App itself (its JWT): a wrong App ID or key, or a skewed clock."""


class AppTokenRefusedError(SourceReadError):
    """GitHub refused an installation token it had issued (revoked early, or a skewed clock);
    it was dropped, so a retry gets a new one."""

    transient = True


class UnknownRefError(SourceReadError):
    """A branch, tag or SHA that the repository does not have."""


class NotAllowedError(SourceReadError):
    """A private repository that DIFFINSIGHT_ALLOWED_REPOS does not allow."""


class NetworkError(SourceReadError):
    """GitHub (or another service) could not be reached; worth retrying."""

    transient = True


class RateLimitedError(SourceReadError):
    """GitHub's rate limit is used up until ``reset`` (UTC epoch seconds)."""

    transient = True

    def __init__(self, reset: int | None, detail: str = "") -> None:
        self.reset = reset
        when = (
            datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            if reset
            else "a little while"
        )
        hint = " Set GITHUB_TOKEN for a higher limit." if "anonymous" in detail else ""
        super().__init__(f"GitHub's API rate limit is used up; it resets at {when}.{hint}")
