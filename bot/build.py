"""The one core function every entry point calls: from a request to a finished report."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import import_module

from bot import messages
from bot.areas import area_from_globs, area_from_paths, check_globs, matches_any
from bot.config import Config
from bot.diff import Change, ResolvedChange
from bot.reading.local import resolve_local
from bot.reading.memo import read_once
from bot.reading.window import Window, local_window
from bot.report import Period, Report, assemble, digest_title
from bot.request import (
    CacheMode,
    DigestRequest,
    ProgressFn,
    ReportRequest,
    iso_utc,
    normalize_lang,
    parse_digest_source,
    parse_when,
)
from bot.sources import Source, parse_source
from bot.summarize import Summarizer
from bot.summarize.heuristic.summarizer import HeuristicSummarizer
from bot.summarize.llm.filecache import InProcessFileCache, RefreshingFileCache, default_cache

LLM_MODULE = "bot.summarize.llm.summarizer"


@dataclass(frozen=True)
class ParsedRequest:
    """A request's source and language, each read once, before anything is fetched."""

    source: Source
    lang: str
    """Normalised (``ja-jp`` -> ``ja_JP``), as titles, prompts and cache keys spell it."""


def parse_request(request: ReportRequest, config: Config) -> ParsedRequest:
    """The request's source and language; a bad one of either raises before any read."""
    lang = normalize_lang(request.lang or config.lang)
    check_globs(request.paths)
    source = parse_source(
        request.source, github_web_host=config.github_web_host, git_path=request.git_path
    )
    return ParsedRequest(source, lang)


@contextmanager
def resolve_change(
    source: Source, config: Config, progress: ProgressFn | None = None
) -> Iterator[ResolvedChange]:
    """Pin the source's base and head to SHAs (cheap); ``.read()`` inside the block reads it."""
    if source.kind == "local":
        resolved = resolve_local(source)
        yield replace(resolved, reader=lambda: _with_progress(resolved, progress))
        return
    from bot.reading.github import resolve_github  # lazy: PyGithub costs --git reports 0.2 s

    with resolve_github(source, config, progress) as resolved:
        key = (
            config.github_api_url,
            source.kind,
            source.number,
            source.dots,
            resolved.repository.lower(),
            resolved.base.sha,
            resolved.head.sha,
        )
        reader = resolved.reader
        yield replace(resolved, reader=lambda: read_once(key, reader))


def _with_progress(resolved: ResolvedChange, progress: ProgressFn | None) -> Change:
    """Read a local change, telling ``progress`` before and after (git gives no steps)."""
    if progress is not None:
        progress("reading", 0, 1)
    change = resolved.read()
    if progress is not None:
        progress("reading", len(change.files), len(change.files))
    return change


def read_change(source: Source, config: Config, progress: ProgressFn | None = None) -> Change:
    """Read the change from wherever it lives."""
    with resolve_change(source, config, progress) as resolved:
        return resolved.read()


def filter_change(change: Change, globs: tuple[str, ...]) -> Change:
    """Keep the files matching any glob; a rename counts when either name matches."""
    if not globs:
        return change
    kept = [
        f
        for f in change.files
        if matches_any(f.filename, globs)
        or (f.previous_filename and matches_any(f.previous_filename, globs))
    ]
    notes = list(change.notes)
    dropped = len(change.files) - len(kept)
    if dropped:
        notes.append(
            messages.NOTE_OUTSIDE_PATHS.format(
                dropped=dropped, total=len(change.files), globs=", ".join(globs)
            )
        )
    return replace(change, files=tuple(kept), notes=tuple(notes))


def area_for(change: Change, globs: tuple[str, ...]) -> str:
    return area_from_globs(globs) or area_from_paths(
        [f.filename for f in change.files], change.repository
    )


def get_summarizer(name: str, config: Config, *, cache: CacheMode = CacheMode.USE) -> Summarizer:
    """The named summarizer, its model answers cached as ``cache`` says."""
    if name == "heuristic":
        return HeuristicSummarizer()
    if name == "openai":
        from bot.summarize.llm.summarizer import LLMSummarizer  # lazy: openai costs 0.7 s

        if cache is CacheMode.OFF:
            return LLMSummarizer(config, cache=InProcessFileCache())
        if cache is CacheMode.REFRESH:
            return LLMSummarizer(config, cache=RefreshingFileCache(default_cache(config)))
        return LLMSummarizer(config)
    raise ValueError(messages.UNKNOWN_SUMMARIZER.format(name=name))


def build_from_change(
    change: Change,
    *,
    globs: tuple[str, ...],
    lang: str,
    summarizer: Summarizer,
    progress: ProgressFn | None = None,
) -> Report:
    """Filter, summarize and assemble; ``lang`` is normalised already (:func:`parse_request`)."""
    change = filter_change(change, globs)
    area = area_for(change, globs)
    if not change.files and not any("identical" in n for n in change.notes):
        empty = messages.NOTE_NO_FILES_UNDER_PATHS if globs else messages.NOTE_NO_FILES
        change = replace(change, notes=(*change.notes, empty))
    result = summarizer.summarize(change, lang, progress)
    return assemble(change, result.files, result.overall, lang=lang, area=area, notes=result.notes)


def build_report(
    request: ReportRequest, config: Config, progress: ProgressFn | None = None
) -> Report:
    """Parse, read, filter, summarize and assemble one report (no cache)."""
    parsed = parse_request(request, config)
    name = request.summarizer or config.summarizer
    if name == "openai":  # its import (openai: 0.7 s) runs while git or GitHub is read
        threading.Thread(target=import_module, args=(LLM_MODULE,), daemon=True).start()
    change = read_change(parsed.source, config, progress)
    summarizer = get_summarizer(
        name,
        config,
        cache=CacheMode.OFF if request.no_cache else CacheMode.USE,
    )
    return build_from_change(
        change,
        globs=request.paths,
        lang=parsed.lang,
        summarizer=summarizer,
        progress=progress,
    )


# --- digests: one report over a time window -------------------------------------------------
@dataclass(frozen=True)
class DigestOutcome:
    """A digest: its window, and the report (None when nothing changed: ``empty`` says so)."""

    window: Window
    report: Report | None
    empty: str | None = None
    """The one line that tells an empty window (or no change under the paths)."""


def resolve_window(request: DigestRequest, config: Config) -> Window:
    """Find the window's base and head and what landed (cheap calls; no files read)."""
    source = parse_digest_source(request.source, request.git_path)
    now = datetime.now(UTC)
    since, until = parse_when(request.since, now), parse_when(request.until, now)  # naive: UTC
    if source.git_path is not None:
        return local_window(source.git_path, source.branch or "HEAD", since, until)
    assert source.repository is not None
    from bot.reading.window_github import github_window  # lazy: PyGithub costs --git 0.2 s

    return github_window(config, source.repository, source.branch, since, until)


def window_request(request: DigestRequest, window: Window) -> ReportRequest:
    """The report of the window's net change: base...head pinned to SHAs (so is its cache key)."""
    span = f"{window.compare_base}...{window.head}"
    return ReportRequest(
        source=span if request.git_path else f"{window.repository} {span}",
        git_path=request.git_path,
        paths=request.paths,
        lang=request.lang,
        summarizer=request.summarizer,
        no_cache=request.no_cache,
    )


def _empty_line(request: DigestRequest, window: Window, under_paths: bool) -> str:
    fields = {
        "branch": window.branch,
        "repository": window.repository,
        "since": iso_utc(window.since),
        "until": iso_utc(window.until),
        "paths": ", ".join(request.paths),
    }
    line = messages.DIGEST_EMPTY_UNDER_PATHS if under_paths else messages.DIGEST_EMPTY
    return line.format(**fields)


def as_digest(report: Report, request: DigestRequest, window: Window) -> Report:
    """The window's report retitled as a digest, with its period and what was merged."""
    period = Period(iso_utc(window.since), iso_utc(window.until))
    notes = list(window.notes)
    if request.paths and window.merged:
        paths = ", ".join(request.paths)
        notes.append(messages.NOTE_MERGED_UNFILTERED.format(branch=window.branch, paths=paths))
    return replace(
        report,
        title=digest_title(report.language, report.area, period),
        period=period,
        merged=list(window.merged),
        notes=[*notes, *report.notes],
    )


def build_digest(
    request: DigestRequest,
    config: Config,
    progress: ProgressFn | None = None,
    *,
    build: Callable[[ReportRequest], Report] | None = None,
) -> DigestOutcome:
    """Resolve the window, then build (``build``: e.g. through the cache) and retitle its report.

    An empty window builds nothing; a path-filtered one with no change under the paths is
    empty too, so a scheduled digest posts nothing for it.
    """
    normalize_lang(request.lang or config.lang)
    check_globs(request.paths)  # before GitHub is read, and whether or not the window is empty
    window = resolve_window(request, config)
    if window.empty:
        return DigestOutcome(window, None, _empty_line(request, window, under_paths=False))
    compare = window_request(request, window)
    report = (build or (lambda r: build_report(r, config, progress)))(compare)
    if request.paths and not report.files:
        return DigestOutcome(window, None, _empty_line(request, window, under_paths=True))
    return DigestOutcome(window, as_digest(report, request, window))
