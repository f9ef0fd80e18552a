"""The ``diffinsight`` command: ``report``, ``digest``, ``serve`` and ``worker``."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NoReturn, TextIO

from bot import messages
from bot.build import DigestOutcome, build_digest, build_report
from bot.config import Config, ConfigError, load_config, missing_settings
from bot.errors import SourceReadError
from bot.render.json import render_json
from bot.render.markdown import render_markdown
from bot.report import Report
from bot.request import DigestRequest, ReportRequest, iso_utc, parse_digest_source, parse_window
from bot.sources import SourceError
from bot.store.cache import cached_build
from bot.store.connection import RedisUnavailable

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        print(f"diffinsight: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="diffinsight", description="Diff Insight Reports for GitHub changes.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = sub.add_parser("report", help="build one report and write it to stdout")
    report.add_argument("source", help="compare/PR/commit link, OWNER/REPO BASE...HEAD, or a range")
    report.add_argument("--git", metavar="PATH", help="read BASE...HEAD from a local repository")
    report.add_argument("--path", metavar="GLOB", action="append", default=[], nargs="+")
    report.add_argument("--format", choices=("markdown", "json"), default="markdown")
    report.add_argument("--lang", help="report language, e.g. en_US or ja_JP")
    report.add_argument("--summarizer", choices=("heuristic", "openai"))
    report.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    digest = sub.add_parser("digest", help="the net change of a branch over a time window")
    digest.add_argument("source", nargs="?", default="", help="OWNER/REPO[@BRANCH], or a local ref")
    digest.add_argument("--since", metavar="WHEN", required=True, help="ISO 8601, or 24h/7d/2w")
    digest.add_argument("--until", metavar="WHEN", help="ISO 8601, or 24h/7d/2w (default: now)")
    digest.add_argument("--git", metavar="PATH", help="read a local repository's branch or ref")
    digest.add_argument("--path", metavar="GLOB", action="append", default=[], nargs="+")
    digest.add_argument("--format", choices=("markdown", "json"), default="markdown")
    digest.add_argument("--lang", help="report language, e.g. en_US or ja_JP")
    digest.add_argument("--summarizer", choices=("heuristic", "openai"))
    digest.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    serve = sub.add_parser("serve", help="run the web process (Slack and GitHub endpoints)")
    serve.add_argument("--port", type=int)
    sub.add_parser("worker", help="run a job worker")
    return parser


class _OneLineFormatter(logging.Formatter):
    """``report`` leaves stderr to one sentence: library warnings (urllib3's retries, a
    fallen-back LLM call) stay quiet, and an error that is logged keeps its line but never
    prints a traceback over the report's own message."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record).splitlines()[0]


def _configure_logging(command: str | None) -> None:
    if command not in ("report", "digest"):
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter("diffinsight: %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.ERROR, handlers=[handler])


class _TerminalProgress:
    """Progress on stderr, only when a person is watching it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.active:
            self.stream.write(f"\r{stage}: {done}/{total} files\033[K")
            self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _flatten(values: list[list[str]]) -> tuple[str, ...]:
    return tuple(g for group in values for g in group)


def _render(report: Report, fmt: str) -> str:
    return render_json(report) if fmt == "json" else render_markdown(report)


def _llm_missing(args: argparse.Namespace, config: Config) -> bool:
    """``openai`` asked for (flag or DIFFINSIGHT_SUMMARIZER) with no endpoint to ask."""
    wanted = (args.summarizer or config.summarizer) == "openai"
    return wanted and not (config.llm_configured or config.openai_base_url)


def run_report(args: argparse.Namespace, config: Config) -> int:
    if _llm_missing(args, config):
        # Asked for by name, a silently heuristic report would look like the model's work.
        reason = messages.LLM_REASON_NOT_CONFIGURED
        print(f"diffinsight: the openai summarizer cannot run: {reason}.", file=sys.stderr)
        return EXIT_USAGE
    request = ReportRequest(
        source=args.source,
        git_path=args.git,
        paths=_flatten(args.path),
        lang=args.lang,
        summarizer=args.summarizer,
        no_cache=args.no_cache,
    )
    progress = _TerminalProgress(sys.stderr)
    failure: tuple[int, str] | None = None
    try:
        report = _build(request, config, progress)
    except SourceError as exc:
        failure = EXIT_USAGE, str(exc)
    except SourceReadError as exc:
        failure = EXIT_UNREADABLE, str(exc)
    finally:
        progress.close()  # first, so the message does not follow "reading: 3/9 files"
    if failure is not None:
        print(f"diffinsight: {failure[1]}", file=sys.stderr)
        return failure[0]
    sys.stdout.write(_render(report, args.format))
    return EXIT_OK


def _empty_digest(outcome: DigestOutcome, fmt: str) -> str:
    """The one-line report of a window in which nothing changed (JSON: a one-line object)."""
    line = outcome.empty or ""
    if fmt != "json":
        return line + "\n"
    window = outcome.window
    data = {
        "title": line,
        "repository": window.repository,
        "period": {"since": iso_utc(window.since), "until": iso_utc(window.until)},
        "merged": [],
        "files": [],
        "notes": [line],
    }
    return json.dumps(data, ensure_ascii=False) + "\n"


def run_digest(args: argparse.Namespace, config: Config) -> int:
    """``diffinsight digest``: 2 for an unusable SOURCE or WHEN, 1 when it cannot be read."""
    if _llm_missing(args, config):
        reason = messages.LLM_REASON_NOT_CONFIGURED
        print(f"diffinsight: the openai summarizer cannot run: {reason}.", file=sys.stderr)
        return EXIT_USAGE
    progress = _TerminalProgress(sys.stderr)
    failure: tuple[int, str] | None = None
    try:
        parse_digest_source(args.source, args.git)  # a bad SOURCE is told before the times
        since, until = parse_window(args.since, args.until, datetime.now(UTC))
        request = DigestRequest(
            source=args.source,
            since=iso_utc(since),
            until=iso_utc(until),
            git_path=args.git,
            paths=_flatten(args.path),
            lang=args.lang,
            summarizer=args.summarizer,
            no_cache=args.no_cache,
        )
        outcome = build_digest(
            request, config, progress, build=lambda r: _build(r, config, progress)
        )
    except SourceError as exc:
        failure = EXIT_USAGE, str(exc)
    except SourceReadError as exc:
        failure = EXIT_UNREADABLE, str(exc)
    finally:
        progress.close()
    if failure is not None:
        print(f"diffinsight: {failure[1]}", file=sys.stderr)
        return failure[0]
    if outcome.report is None:
        sys.stdout.write(_empty_digest(outcome, args.format))
    else:
        sys.stdout.write(_render(outcome.report, args.format))
    return EXIT_OK


def _build(request: ReportRequest, config: Config, progress: _TerminalProgress) -> Report:
    """Through the cache unless ``--no-cache`` (which starts no Redis); without it if it is down."""
    if request.no_cache:
        return build_report(request, config, progress)
    try:
        return cached_build(request, config, progress).report
    except RedisUnavailable as exc:
        reason = (str(exc).splitlines() or ["unknown error"])[0]
        print(f"diffinsight: {messages.REDIS_DOWN_BUILDING.format(reason=reason)}", file=sys.stderr)
        return build_report(request, config, progress)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    _configure_logging(args.command)
    if extra:
        # ``OWNER/REPO BASE...HEAD`` arrives as two words; any other command takes none extra.
        if args.command == "report" and len(extra) == 1 and not extra[0].startswith("-"):
            args.source = f"{args.source} {extra[0]}"
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"diffinsight: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command in ("report", "digest"):
        try:
            return (
                run_report(args, config) if args.command == "report" else run_digest(args, config)
            )
        except Exception as exc:  # noqa: BLE001 - a command line answers in one sentence
            # Every foreseen failure has its own message above; this is the last resort, so
            # a person still gets a sentence (and the cause) instead of a traceback.
            reason = (str(exc).splitlines() or [""])[0] or type(exc).__name__
            logging.getLogger(__name__).debug("report failed", exc_info=True)
            print(f"diffinsight: the report failed unexpectedly: {reason}", file=sys.stderr)
            return EXIT_UNREADABLE
        finally:
            # The process ends with the report: the interpreter's last collection over the
            # objects openai's import made costs 0.2 s and frees nothing the OS will not.
            gc.freeze()
    if args.command in ("serve", "worker"):
        missing = missing_settings(config, args.command)
        if missing:
            print(
                "diffinsight: "
                + messages.SETTINGS_MISSING.format(command=args.command, names=", ".join(missing)),
                file=sys.stderr,
            )
            return EXIT_USAGE
    if args.command == "serve":
        from handlers.app import serve  # lazy: Starlette, uvicorn and Bolt cost a report 0.5 s

        return serve(config, port=args.port)
    if args.command == "worker":
        from bot.jobs.worker import run_worker  # lazy: RQ costs a report 0.2 s

        return run_worker(config)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
