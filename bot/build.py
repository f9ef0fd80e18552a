"""The one core function every entry point calls: from a request to a finished report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from importlib import import_module

from bot import messages
from bot.areas import area_from_globs, area_from_paths, matches_any
from bot.config import Config
from bot.diff import Change, ResolvedChange
from bot.reading.local import resolve_local
from bot.reading.memo import read_once
from bot.report import Report, assemble
from bot.request import ProgressFn, ReportRequest, normalize_lang
from bot.sources import Source, parse_source
from bot.summarize import Summarizer
from bot.summarize.heuristic.summarizer import HeuristicSummarizer
from bot.summarize.llm.filecache import InProcessFileCache, RefreshingFileCache, default_cache

LLM_MODULE = "bot.summarize.llm.summarizer"


def parse_request(request: ReportRequest, config: Config) -> Source:
    """The request's source; its language is checked here too, before anything is read."""
    normalize_lang(request.lang or config.lang)
    return parse_source(
        request.source, github_web_host=config.github_web_host, git_path=request.git_path
    )


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
    return replace(change, files=kept, notes=notes)


def area_for(change: Change, globs: tuple[str, ...]) -> str:
    return area_from_globs(globs) or area_from_paths(
        [f.filename for f in change.files], change.repository
    )


def get_summarizer(name: str, config: Config, *, cache: str = "use") -> Summarizer:
    """The named summarizer; ``cache`` is ``use``, ``refresh`` (Regenerate) or ``off``.

    ``off`` (``--no-cache``) keeps the LLM's per-file results in this run's memory only, so no
    Redis is started; ``refresh`` asks the model again and overwrites what was cached.
    """
    if name == "heuristic":
        return HeuristicSummarizer()
    if name == "openai":
        from bot.summarize.llm.summarizer import LLMSummarizer  # lazy: openai costs 0.7 s

        if cache == "off":
            return LLMSummarizer(config, cache=InProcessFileCache())
        if cache == "refresh":
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
    lang = normalize_lang(lang)
    change = filter_change(change, globs)
    area = area_for(change, globs)
    if not change.files and not any("identical" in n for n in change.notes):
        change.notes.append(messages.NOTE_NO_FILES_UNDER_PATHS if globs else messages.NOTE_NO_FILES)
    result = summarizer.summarize(change, lang, progress)
    return assemble(change, result.files, result.overall, lang=lang, area=area, notes=result.notes)


def build_report(
    request: ReportRequest, config: Config, progress: ProgressFn | None = None
) -> Report:
    """Parse, read, filter, summarize and assemble one report (no cache)."""
    source = parse_request(request, config)
    name = request.summarizer or config.summarizer
    if name == "openai":  # its import (openai: 0.7 s) runs while git or GitHub is read
        threading.Thread(target=import_module, args=(LLM_MODULE,), daemon=True).start()
    change = read_change(source, config, progress)
    summarizer = get_summarizer(
        name,
        config,
        cache="off" if request.no_cache else "use",
    )
    return build_from_change(
        change,
        globs=request.paths,
        lang=request.lang or config.lang,
        summarizer=summarizer,
        progress=progress,
    )
