"""The report cache: each report is built once per exact change and setting, then served as built.

The key is made of what determines a report's content: the resolved commit SHAs (never
branch names, which move), host, repository, kind of source, path globs, language (spelt one
way), summarizer, model and prompt version. Resolving the SHAs takes a few cheap GitHub calls;
the files (the compare, the heavy call) are read only on a miss, so a hit costs only those.

Report ids on the web are an HMAC of the key with a server secret, so they cannot be guessed
from a repository and range; a small long-lived id record tells an expired report from an
unknown id (see :mod:`bot.store.ids`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from bot.build import (
    ParsedRequest,
    build_from_change,
    get_summarizer,
    parse_request,
    resolve_change,
)
from bot.config import Config
from bot.diff import Change, ResolvedChange
from bot.reading.access import is_allowed
from bot.report import Report
from bot.request import CacheMode, ProgressFn, ReportRequest
from bot.sources import Source
from bot.store import keys
from bot.store.connection import REDIS_ERRORS, RedisUnavailable, get_redis
from bot.store.ids import key_for_id, remember_id, report_id_for
from bot.store.singleflight import single_flight
from bot.summarize import Summarizer
from bot.summarize.llm.prompts import PROMPT_VERSION

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
"""Bump when the stored report's shape changes, so old entries are not served (2: reports
carry ``private``, which display paths check; a format-1 entry cannot say)."""
LOCK_TTL = 30.0
WAIT_TIMEOUT = 600.0


@dataclass(frozen=True)
class BuildOutcome:
    report: Report
    key: str
    report_id: str
    cached: bool
    """True when this caller did not build the report (a cache hit, or another's build)."""


def cache_key(
    source: Source,
    change: Change | ResolvedChange,
    *,
    globs: tuple[str, ...],
    lang: str,
    summarizer: str,
    model: str,
    prompt_version: str,
) -> str:
    """A hex digest of everything that decides a report's content."""
    ingredients = {
        "format": CACHE_FORMAT,
        "host": change.host.lower(),
        "repository": change.repository.lower(),
        "kind": source.kind,
        "number": source.number,
        "dots": source.dots,
        "base": change.base.sha,
        "head": change.head.sha,
        "paths": sorted(set(globs)),
        "lang": lang,
        "summarizer": summarizer,
        "model": model,
        "prompt_version": prompt_version,
    }
    blob = json.dumps(ingredients, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _prompt_version(name: str, summarizer: object) -> str:
    """The summarizer's own version when it has one; the LLM prompt's version otherwise."""
    version = getattr(summarizer, "prompt_version", None)
    if version is None and name == "openai":
        version = PROMPT_VERSION
    return str(version or "")


def _report_key(config: Config, key: str) -> str:
    return keys.report(config.redis_prefix, key)


def build_lock_key(config: Config, key: str) -> str:
    """The single-flight lock of one report while it is being built."""
    return keys.build_lock(config.redis_prefix, key)


def _load(client: redis.Redis, name: str) -> Report | None:
    raw = client.get(name)
    return Report.from_dict(json.loads(raw)) if raw else None


def _store(
    config: Config,
    client: redis.Redis,
    key: str,
    report_id: str,
    report: Report,
    request: ReportRequest,
) -> None:
    """The report (with the cache TTL) and its id record (longer: it outlives the report)."""
    blob = json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
    with client.pipeline(transaction=True) as pipe:
        pipe.set(_report_key(config, key), blob.encode("utf-8"), ex=config.cache_ttl_seconds)
        remember_id(config, pipe, key, report_id, request)
        pipe.execute()


def remember_digest(
    config: Config, compare_key: str, digest: Report, request: ReportRequest
) -> str:
    """Cache a digest (its window's report, retitled, with period and merged list) for its page.

    Its key is the window's report key plus the period and what was merged, so the page of a
    digest shows the digest, and two digests of the same SHAs over other periods stay apart.
    Returns its report id (RedisUnavailable when Redis is down).
    """
    ingredients = {
        "digest": compare_key,
        "period": digest.to_dict()["period"],
        "merged": [[m.sha, m.number] for m in digest.merged],
        "paths": sorted(set(request.paths)),
    }
    key = hashlib.sha256(json.dumps(ingredients, sort_keys=True).encode("utf-8")).hexdigest()
    try:
        client = get_redis(config)
        report_id = report_id_for(config, client, key)
        _store(config, client, key, report_id, digest, request)
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc
    return report_id


def _connected(config: Config) -> redis.Redis:
    """The client, after a fast PING, so a down Redis is known before any slow work.

    A Redis that answers but refuses the connection's settings (``REDIS_URL=.../99`` beyond
    its databases, a wrong password) is as unusable as a down one: the report is built
    without the cache, and the reason said, instead of failing.
    """
    try:
        client = get_redis(config)
        client.ping()
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc
    except redis.exceptions.ResponseError as exc:  # AuthenticationError is one too
        raise RedisUnavailable(str(exc)) from exc
    return client


@dataclass(frozen=True)
class _Prepared:
    resolved: ResolvedChange
    summarizer: Summarizer
    lang: str
    key: str


@contextmanager
def _prepare(
    request: ReportRequest,
    config: Config,
    progress: ProgressFn | None,
    *,
    refresh: bool = False,
    parsed: ParsedRequest | None = None,
) -> Iterator[_Prepared]:
    """Resolve the SHAs and compute the cache key; the files are read only if asked to."""
    parsed = parsed or parse_request(request, config)
    source, lang = parsed.source, parsed.lang
    with resolve_change(source, config, progress) as resolved:
        name = request.summarizer or config.summarizer
        summarizer = get_summarizer(
            name, config, cache=CacheMode.REFRESH if refresh else CacheMode.USE
        )
        key = cache_key(
            source,
            resolved,
            globs=request.paths,
            lang=lang,
            summarizer=name,
            model=config.model if name == "openai" else "",
            prompt_version=_prompt_version(name, summarizer),
        )
        yield _Prepared(resolved, summarizer, lang, key)


def request_key(request: ReportRequest, config: Config) -> str:
    """The cache key ``request`` resolves to right now (resolves SHAs, reads no files)."""
    with _prepare(request, config, None) as prep:
        return prep.key


def cached_build(
    request: ReportRequest,
    config: Config,
    progress: ProgressFn | None = None,
    *,
    refresh: bool = False,
    lock_ttl: float = LOCK_TTL,
    wait_timeout: float = WAIT_TIMEOUT,
    parsed: ParsedRequest | None = None,
) -> BuildOutcome:
    """The report for ``request``, from the cache or built once however many ask at a time.

    Raises :class:`RedisUnavailable` before reading anything when Redis is down (the caller
    may build without the cache); source errors propagate unchanged. ``refresh`` rebuilds
    and overwrites the cached report (Regenerate). A hit reads no files from GitHub.
    ``parsed`` is the request already parsed by a caller that needed its source first.
    """
    client = _connected(config)
    with _prepare(request, config, progress, refresh=refresh, parsed=parsed) as prep:
        return _lookup_or_build(
            config,
            client,
            request,
            prep,
            progress,
            refresh=refresh,
            lock_ttl=lock_ttl,
            wait_timeout=wait_timeout,
        )


def _lookup_or_build(
    config: Config,
    client: redis.Redis,
    request: ReportRequest,
    prep: _Prepared,
    progress: ProgressFn | None,
    *,
    refresh: bool,
    lock_ttl: float,
    wait_timeout: float,
) -> BuildOutcome:
    key = prep.key
    try:
        report_id = report_id_for(config, client, key)
        name_in_redis = _report_key(config, key)
        if not refresh:
            hit = _load(client, name_in_redis)
            if hit is not None:
                # A new server secret gives a new id for the same report: make it resolvable.
                remember_id(config, client, key, report_id, request, only_new=True)
                log.info("report cache hit", extra={"report": report_id[:8]})
                return BuildOutcome(hit, key, report_id, cached=True)

        def build() -> Report:
            report = build_from_change(
                prep.resolved.read(),
                globs=request.paths,
                lang=prep.lang,
                summarizer=prep.summarizer,
                progress=progress,
            )
            try:
                _store(config, client, key, report_id, report, request)
            except REDIS_ERRORS:
                log.warning("report built but not cached", extra={"report": report_id[:8]})
            log.info("report built", extra={"report": report_id[:8]})
            return report

        flight = single_flight(
            client,
            build_lock_key(config, key),
            build=build,
            lookup=lambda: _load(client, name_in_redis),
            refresh=refresh,
            lock_ttl=lock_ttl,
            wait_timeout=wait_timeout,
        )
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc
    return BuildOutcome(flight.value, key, report_id, cached=not flight.built)


def load_report_by_id(config: Config, report_id: str) -> Report | None:
    """The cached report behind a web id, or None (unknown or expired); RedisUnavailable if down."""
    try:
        client = get_redis(config)
        key = key_for_id(config, client, report_id)
        report = _load(client, _report_key(config, key)) if key else None
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc
    return report if report is None or may_show(config, report) else None


def may_show(config: Config, report: Report) -> bool:
    """Whether a cached report may still be shown: a private repository's only while
    DIFFINSIGHT_ALLOWED_REPOS allows it (an allowance revoked after the report was made
    hides it at once, not when the cache expires)."""
    if report.private and not is_allowed(report.repository, config.allowed_repos):
        log.info("cached report hidden: repository no longer allowed")
        return False
    return True


def report_expired(config: Config, report_id: str) -> bool:
    """True when ``report_id`` was ours but its report has left the cache (so: regenerate)."""
    try:
        client = get_redis(config)
        key = key_for_id(config, client, report_id)
        return bool(key) and not client.exists(_report_key(config, key or ""))
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc


def load_cached(config: Config, key: str) -> Report | None:
    """The cached report under a cache key (what the benchmark times), or None."""
    try:
        return _load(get_redis(config), _report_key(config, key))
    except REDIS_ERRORS as exc:
        raise RedisUnavailable(str(exc)) from exc
