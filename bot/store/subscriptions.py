"""Channel subscriptions: which Slack channels hear about which repository's merges.

Stored in Redis under ``config.redis_prefix`` so every web process sees the same list:

* ``{prefix}subs:repo:{owner/repo}`` -- a hash, one field per (channel, branch), the value the
  subscription as JSON. A delivery needs exactly this one read to know whom to tell.
* ``{prefix}subs:channel:{channel}`` -- a set of repositories, so ``list`` needs no scan.

A subscription is identified by channel, repository and branch; subscribing again replaces
its paths. ``branch`` ``None`` means "the default branch", read from each delivery's
``repository.default_branch``, so renaming ``master`` to ``main`` needs no new subscription.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace

import redis

from bot import messages
from bot.areas import glob_problem
from bot.config import Config
from bot.names import is_owner, is_repo_name
from bot.store import keys
from bot.store.connection import get_redis

MAX_SUBSCRIPTIONS_PER_CHANNEL = 50
MAX_PATHS = 20
MAX_GLOB_LENGTH = 200


class SubscriptionError(ValueError):
    """Input a person can correct; the message says how."""


@dataclass(frozen=True)
class Subscription:
    channel: str
    repository: str
    branch: str | None = None
    paths: tuple[str, ...] = ()
    created_by: str | None = None
    created_at: float = field(default_factory=time.time)

    def follows(self, branch: str, default_branch: str | None) -> bool:
        """Whether a change landing on ``branch`` concerns this subscription."""
        wanted = self.branch if self.branch is not None else default_branch
        return wanted is not None and wanted == branch

    def describe(self) -> str:
        branch = f"`{self.branch}`" if self.branch else messages.SUBS_DEFAULT_BRANCH
        paths = ", ".join(f"`{p}`" for p in self.paths) if self.paths else messages.SUBS_ALL_PATHS
        return messages.SUBS_ONE.format(repository=self.repository, branch=branch, paths=paths)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Subscription:
        data = json.loads(text)
        return cls(
            channel=data["channel"],
            repository=data["repository"],
            branch=data.get("branch"),
            paths=tuple(data.get("paths") or ()),
            created_by=data.get("created_by"),
            created_at=float(data.get("created_at") or 0.0),
        )


def check_repository(owner: str, repo: str) -> str:
    """``OWNER/REPO`` when both names are ones GitHub would accept."""
    if repo.endswith(".git"):
        repo = repo[:-4]
    if not is_owner(owner) or not is_repo_name(repo):
        raise SubscriptionError(messages.SUBS_BAD_REPOSITORY.format(text=f"{owner}/{repo}"))
    return f"{owner}/{repo}"


def check_paths(paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Normalized, de-duplicated globs, or an error naming the first one we cannot use."""
    if len(paths) > MAX_PATHS:
        raise SubscriptionError(messages.SUBS_TOO_MANY_PATHS.format(limit=MAX_PATHS))
    kept: list[str] = []
    for raw in paths:
        glob = raw.strip()
        while glob.startswith("./"):
            glob = glob[2:]
        glob = glob.lstrip("/")
        if not glob or len(glob) > MAX_GLOB_LENGTH or any(c.isspace() for c in glob):
            raise SubscriptionError(messages.SUBS_BAD_PATH.format(text=raw[:MAX_GLOB_LENGTH]))
        if ".." in glob.split("/"):
            raise SubscriptionError(messages.SUBS_BAD_PATH.format(text=raw[:MAX_GLOB_LENGTH]))
        problem = glob_problem(glob)
        if problem:  # matching is linear anyway; the bound keeps globs readable
            raise SubscriptionError(messages.GLOB_REFUSED.format(glob=glob[:60], problem=problem))
        if glob not in kept:
            kept.append(glob)
    return tuple(kept)


class SubscriptionStore:
    """Subscriptions in Redis; every method is one round trip or one transaction."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._r = client
        self._prefix = prefix

    def _repo_key(self, repository: str) -> str:
        return keys.subscriptions_of_repo(self._prefix, repository)

    def _channel_key(self, channel: str) -> str:
        return keys.subscriptions_of_channel(self._prefix, channel)

    @staticmethod
    def _field(channel: str, branch: str | None) -> str:
        # Neither a channel id nor a branch name can hold a newline.
        return f"{channel}\n{branch or ''}"

    def for_repository(self, repository: str) -> list[Subscription]:
        """Every channel's subscriptions to ``repository`` (any case), oldest first."""
        values = self._r.hvals(self._repo_key(repository))
        subs = [Subscription.from_json(v) for v in values]
        return sorted(subs, key=lambda s: (s.created_at, s.channel, s.branch or ""))

    def for_channel(self, channel: str) -> list[Subscription]:
        repos = sorted(
            r.decode() if isinstance(r, bytes) else r
            for r in self._r.smembers(self._channel_key(channel))
        )
        found: list[Subscription] = []
        for repo in repos:
            found.extend(s for s in self.for_repository(repo) if s.channel == channel)
        return found

    def get(self, channel: str, repository: str, branch: str | None) -> Subscription | None:
        value = self._r.hget(self._repo_key(repository), self._field(channel, branch))
        return Subscription.from_json(value) if value else None

    def save(self, sub: Subscription) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.hset(
            self._repo_key(sub.repository), self._field(sub.channel, sub.branch), sub.to_json()
        )
        pipe.sadd(self._channel_key(sub.channel), sub.repository.lower())
        pipe.execute()

    def delete(self, sub: Subscription) -> None:
        """Remove one subscription, and the channel's index entry when it was the last one."""
        key = self._repo_key(sub.repository)
        self._r.hdel(key, self._field(sub.channel, sub.branch))
        if not any(s.channel == sub.channel for s in self.for_repository(sub.repository)):
            self._r.srem(self._channel_key(sub.channel), sub.repository.lower())


def store_for(config: Config) -> SubscriptionStore:
    """The store on the bot's Redis (``REDIS_URL``, else the embedded server)."""
    return SubscriptionStore(get_redis(config), config.redis_prefix)


def subscribe(
    store: SubscriptionStore,
    *,
    channel: str,
    user: str | None,
    repository: str,
    branch: str | None,
    paths: tuple[str, ...],
) -> tuple[Subscription, bool]:
    """Store (or replace) one subscription; returns it and whether it replaced an older one.

    Access to the repository is checked by the caller before this, with the same rule as a
    report, so the store itself never talks to GitHub.
    """
    existing = store.get(channel, repository, branch)
    if existing is None and len(store.for_channel(channel)) >= MAX_SUBSCRIPTIONS_PER_CHANNEL:
        raise SubscriptionError(messages.SUBS_TOO_MANY.format(limit=MAX_SUBSCRIPTIONS_PER_CHANNEL))
    sub = Subscription(channel, repository, branch, paths, created_by=user)
    if existing is not None:
        sub = replace(sub, created_at=existing.created_at)
    store.save(sub)
    return sub, existing is not None


def unsubscribe(
    store: SubscriptionStore,
    *,
    channel: str,
    repository: str,
    branch: str | None = None,
    narrowed: bool = False,
    paths: tuple[str, ...] = (),
) -> tuple[list[Subscription], list[Subscription]]:
    """Remove what the person named; returns (removed, narrowed-and-kept) subscriptions.

    Without ``narrowed`` every subscription of the channel to the repository goes. Narrowed to
    a branch (``None``: the default branch) only that one goes; with ``paths`` only those globs
    leave it, and the subscription goes when none remain (an empty list would mean "all paths").
    """
    if not narrowed:
        mine = [s for s in store.for_repository(repository) if s.channel == channel]
        for sub in mine:
            store.delete(sub)
        return mine, []
    found = store.get(channel, repository, branch)
    if found is None:
        return [], []
    sub = found
    if not paths:
        store.delete(sub)
        return [sub], []
    unknown = [p for p in paths if p not in sub.paths]
    if unknown:
        raise SubscriptionError(
            messages.SUBS_PATH_NOT_SUBSCRIBED.format(path=unknown[0], current=sub.describe())
        )
    remaining = tuple(p for p in sub.paths if p not in paths)
    if not remaining:
        store.delete(sub)
        return [sub], []
    kept = replace(sub, paths=remaining)
    store.save(kept)
    return [], [kept]
