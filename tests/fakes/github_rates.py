"""FakeGitHub's primary rate limit: 60 requests an hour anonymous, 5000 with a token.

Every answer carries the ``x-ratelimit-*`` headers; a caller over its limit gets GitHub's 403
(or 429) with its own wording. A mixin, since it shares FakeGitHub's lock and counters.
"""

from __future__ import annotations

import threading

from tests.fakes.github_routes import Answer
from tests.fakes.github_shapes import DOCS


class RateLimits:
    _lock: threading.Lock
    _used: dict[str, int]
    rate_limit_remaining: int | None
    rate_limit_status: int
    rate_limit_reset: int

    def _limit(self, token: str | None) -> int:
        return 5000 if token else 60

    def _take_rate(self, token: str | None) -> Answer | None:
        who = token or "anonymous"
        with self._lock:
            if self.rate_limit_remaining is not None:
                if self.rate_limit_remaining <= 0:
                    return self._rate_limited(token)
                self.rate_limit_remaining -= 1
            elif self._used.get(who, 0) >= self._limit(token):
                return self._rate_limited(token)
            self._used[who] = self._used.get(who, 0) + 1
        return None

    def _rate_limited(self, token: str | None) -> Answer:
        who = "user" if token else "127.0.0.1"
        message = f"API rate limit exceeded for {who}."
        if token is None:
            message += (
                " (But here's the good news: Authenticated requests get a higher rate limit."
                " Check out the documentation for more details.)"
            )
        body = {
            "message": message,
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
        }
        return self._with_rate(Answer(self.rate_limit_status, body), token, remaining=0)

    def _with_rate(self, answer: Answer, token: str | None, remaining: int | None = None) -> Answer:
        limit = self._limit(token)
        used = self._used.get(token or "anonymous", 0)
        if remaining is None:
            remaining = (
                self.rate_limit_remaining if self.rate_limit_remaining is not None else limit - used
            )
        answer.headers.update(
            {
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(remaining, 0)),
                "x-ratelimit-reset": str(self.rate_limit_reset),
                "x-ratelimit-used": str(used),
                "x-ratelimit-resource": "core",
            }
        )
        return answer
