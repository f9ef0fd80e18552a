"""Benchmark: an offline report of a large real change, beside git + unidiff alone.

The change is two source releases of a well-known pure-Python package (default: pytest 6.2.5
and 7.0.0, about 250 files and 60,000 diff lines), downloaded with pip, unpacked and committed
one after the other in a scratch repository. Branches holding the new version of a quarter
and a half of the changed lines give smaller real changes of the same kind, so the figures
show whether cost is linear in diff size.

Each measurement runs in a fresh process, so peak RSS belongs to that report alone.
Targets: under 2 s and 250 MB for 50,000 diff lines, within 5x of git + unidiff, linear.

    .venv/bin/python benchmarks/bench_report.py [--package pytest --old 6.2.5 --new 7.0.0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FRACTIONS = ((0.25, "quarter"), (0.5, "half"), (1.0, "whole"))
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
}  # fmt: skip


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.decode("utf-8", "replace")


def download(package: str, version: str, into: Path) -> Path:
    """The release's source archive, fetched with pip once and kept in the work folder."""
    found = sorted(into.glob(f"{package}-{version}.tar.gz"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             f"{package}=={version}", "-d", str(into)],
            check=True,
        )  # fmt: skip
        found = sorted(into.glob(f"{package}-{version}.tar.gz"))
    return found[0]


def unpack(archive: Path, repo: Path) -> None:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts[1:]  # drop the "package-version/" folder
            if not parts or not (member.isfile() or member.isdir()):
                continue
            member.name = str(Path(*parts))
            tar.extract(member, repo, filter="data")


def _count(numstat: str) -> int:
    return 1 if numstat == "-" else int(numstat)  # a binary file counts as one line


def prepare(package: str, old: str, new: str, work: Path) -> Path:
    """A repository: tag ``old``, tag ``new`` and branches with part of the change."""
    repo = work / f"{package}-{old}-{new}"
    if (repo / ".git").exists() and "part-half" in git(repo, "branch"):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for version in (old, new):
        archive = download(package, version, work)
        if version == new:
            git(repo, "rm", "-rq", "--", ".")
        unpack(archive, repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"{package} {version}")
        git(repo, "tag", version)
    sizes = []
    for line in git(repo, "diff", "--numstat", old, new).splitlines():
        added, removed, path = line.split("\t", 2)
        if "=>" not in path:
            sizes.append((path, _count(added), _count(removed)))
    for fraction, name in FRACTIONS[:-1]:
        git(repo, "checkout", "-q", "-b", f"part-{name}", old)
        # Every 4th (2nd) file in order of size: a mix like the whole, at a fraction of it.
        step = round(1 / fraction)
        chosen = [path for path, _, _ in sorted(sizes, key=lambda s: -(s[1] + s[2]))[::step]]
        present = set(git(repo, "ls-tree", "-r", "--name-only", new).splitlines())
        keep = [p for p in chosen if p in present]
        gone = [p for p in chosen if p not in present]
        for start in range(0, len(keep), 200):
            git(repo, "checkout", new, "--", *keep[start : start + 200])
        for start in range(0, len(gone), 200):
            git(repo, "rm", "-q", "--", *gone[start : start + 200])
        git(repo, "commit", "-q", "-m", f"{fraction:.0%} of the change")
        git(repo, "checkout", "-q", "main")
    return repo


def measure(repo: Path, spec: str) -> dict:
    """Runs in a child process: one report, then git + unidiff alone, with timings."""
    from unidiff import PatchSet

    from bot.build import build_report
    from bot.config import load_config
    from bot.render.json import render_json
    from bot.render.markdown import render_markdown
    from bot.request import ReportRequest

    config = load_config({})
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = build_report(ReportRequest(source=spec, git_path=str(repo), no_cache=True), config)
    markdown, data = render_markdown(report), render_json(report)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base, head = spec.split("...")
    start = time.perf_counter()
    raw = subprocess.run(
        ["git", "-C", str(repo), "diff", "-M", "--no-color", f"{base}...{head}"],
        capture_output=True,
        check=True,
    ).stdout
    text = raw.decode("utf-8", "replace")
    patch = PatchSet(text)
    baseline = time.perf_counter() - start
    return {
        "files": len(report.files),
        "parsed_files": len(patch),
        "lines": text.count("\n"),
        "wall": wall,
        "baseline": baseline,
        "rss_mb": rss / 1024,
        "rss_start_mb": rss_before / 1024,
        "output_chars": len(markdown) + len(data),
    }


def child(repo: Path, spec: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(repo), spec],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="pytest")
    parser.add_argument("--old", default="6.2.5")
    parser.add_argument("--new", default="7.0.0")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "diffinsight-bench"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--measure", nargs=2, metavar=("REPO", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    repo = prepare(args.package, args.old, args.new, args.work)
    print(f"change: {args.package} {args.old} -> {args.new} (repository {repo})")
    header = (
        f"{'size':<8}{'files':>6}{'diff lines':>12}{'wall s':>9}{'lines/s':>10}"
        f"{'peak RSS MB':>13}{'git+unidiff s':>15}{'ratio':>7}{'us/line':>9}"
    )
    print(header)
    rows = []
    for _, name in FRACTIONS:
        head = args.new if name == "whole" else f"part-{name}"
        runs = [child(repo, f"{args.old}...{head}") for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["wall"])
        best["baseline"] = min(r["baseline"] for r in runs)
        best["rss_mb"] = max(r["rss_mb"] for r in runs)
        rows.append((name, best))
        print(
            f"{name:<8}{best['files']:>6}{best['lines']:>12}{best['wall']:>9.2f}"
            f"{best['lines'] / best['wall']:>10.0f}{best['rss_mb']:>13.0f}"
            f"{best['baseline']:>15.2f}{best['wall'] / best['baseline']:>7.1f}"
            f"{best['wall'] / best['lines'] * 1e6:>9.1f}"
        )
    whole = rows[-1][1]
    per_50k = whole["wall"] / whole["lines"] * 50_000
    print(f"interpreter and imports alone: {whole['rss_start_mb']:.0f} MB peak RSS")
    print(f"time for 50,000 diff lines at the whole change's rate: {per_50k:.2f} s (target < 2 s)")
    print(f"peak RSS, whole change: {whole['rss_mb']:.0f} MB (target < 250 MB)")
    ratio = whole["wall"] / whole["baseline"]
    print(f"ratio to git + unidiff, whole change: {ratio:.1f}x (target < 5x)")
    rates = [r["wall"] / r["lines"] * 1e6 for _, r in rows]
    print(
        f"linearity: {' / '.join(f'{x:.1f}' for x in rates)} us per diff line (quarter/half/whole)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
