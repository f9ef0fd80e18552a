"""Recall and precision of a report's Breaking changes and New features on real releases.

Each range in ranges.py is two released versions of a project and the items its maintainers'
changelog lists as breaking (removed, renamed, deprecated, dropped) or added; a highlight
matches an item when one of the item's patterns (the names the entry is about) is in it.
Python ranges come from PyPI sdists (fetched with pip into --work); the others from a local
clone of the project (--mirrors DIR holds OWNER+NAME/repo clones, as `git clone --bare`).

usage: run.py DIFFINSIGHT_BIN OUT.json [--mode full|code] [--work DIR] [--mirrors DIR]
              [--only NAME ...]
  full: the range as released (changelog included; git ranges keep their commits);
  code: changelog files (and commit messages) left out, to measure code analysis alone.
Then: aggregate.py LABEL OUT.json prints per range and per language.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ranges import RANGES  # noqa: E402


def _option(name: str, default: str) -> Path:
    return Path(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else Path(default)


WORK = _option("--work", str(Path(tempfile.gettempdir()) / "diffinsight-api-eval"))
SDISTS = WORK / "sdists"
REPOS = WORK / "repos"
MIRRORS = _option("--mirrors", "/work/.mirror")
_CHANGELOG = re.compile(
    r"(?i)(^|/)(changes|changelog|history|news|release[-_ ]?notes)(\.\w+)?$|(^|/)changelog\.d/"
)


def git(repo: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="h",
        GIT_AUTHOR_EMAIL="h@x",
        GIT_COMMITTER_NAME="h",
        GIT_COMMITTER_EMAIL="h@x",
    )
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def _fill(repo: Path, source: Path, code_only: bool) -> None:
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for path in source.rglob("*"):
        rel = path.relative_to(source).as_posix()
        if path.is_dir() or (code_only and _CHANGELOG.search(rel)):
            continue
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _extract_sdist(name: str, into: Path) -> Path:
    found = sorted(SDISTS.glob(f"{name}.tar.gz"))
    if not found:
        project, version = name.rsplit("-", 1)
        SDISTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"{project}=={version}",
                "-d",
                str(SDISTS),
            ],
            check=True,
        )
        found = sorted(SDISTS.glob(f"{name}.tar.gz")) or sorted(
            SDISTS.glob(f"{name.lower()}.tar.gz")
        )
    archive = found[0]
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(into.iterdir())


def _extract_tag(mirror: Path, tag: str, into: Path) -> Path:
    into.mkdir(parents=True)
    data = subprocess.run(
        ["git", "-C", str(mirror), "archive", tag], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=data, check=True)
    return into


def build(name: str, spec: dict, mode: str) -> tuple[Path, str]:
    """A repo and range for one release pair (cached under repos/)."""
    if spec["kind"] == "git" and mode == "full":
        clone = REPOS / f"{spec['repo']}-clone"
        if not clone.exists():
            subprocess.run(
                [
                    "git",
                    "clone",
                    "-q",
                    "--no-checkout",
                    str(MIRRORS / spec["repo"] / "repo"),
                    str(clone),
                ],
                check=True,
            )
        return clone, f"{spec['a']}...{spec['b']}"
    repo = REPOS / f"{name}-{mode}"
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
        with tempfile.TemporaryDirectory() as tmp:
            for i, version in enumerate((spec["a"], spec["b"])):
                where = Path(tmp) / str(i)
                if spec["kind"] == "sdist":
                    where.mkdir()
                    src = _extract_sdist(version, where)
                else:
                    src = _extract_tag(MIRRORS / spec["repo"] / "repo", version, where)
                _fill(repo, src, mode == "code")
                git(repo, "add", "-A")
                git(repo, "commit", "-q", "-m", f"release {version}")
                git(repo, "tag", f"r{i}")
    return repo, "r0...r1"


def _bullets(group: list[str]) -> list[str]:
    return [b for b in group if not re.match(r"^And \d+ more", b)]


def score(items: list, report: dict) -> dict:
    high = report["highlights"]
    out = {}
    for group, key in (("breaking", "breaking_changes"), ("feature", "new_features")):
        bullets = _bullets(high.get(key, []))
        expected = [it for it in items if it[0] == group]
        hit = [it for it in expected if any(re.search(k, b) for k in it[2] for b in bullets)]
        on = [b for b in bullets if any(re.search(k, b) for it in expected for k in it[2])]
        out[group] = dict(
            expected=len(expected),
            recalled=len(hit),
            bullets=len(bullets),
            on_target=len(on),
            missed=[it[1] for it in expected if it not in hit],
            off=[b[:160] for b in bullets if b not in on],
        )
    return out


def main() -> None:
    binary, out_path = sys.argv[1], sys.argv[2]
    mode = "full"
    if "--mode" in sys.argv:
        mode = sys.argv[sys.argv.index("--mode") + 1]
    only = sys.argv[sys.argv.index("--only") + 1 :] if "--only" in sys.argv else None
    results = {}
    for name, spec in RANGES.items():
        if only and name not in only:
            continue
        repo, rng = build(name, spec, mode)
        start = time.monotonic()
        proc = subprocess.run(
            [
                binary,
                "report",
                "--git",
                str(repo),
                rng,
                "--summarizer",
                "heuristic",
                "--format",
                "json",
                "--no-cache",
            ],
            capture_output=True,
            text=True,
            env=dict(os.environ, SLACK_BOT_TOKEN=""),
        )
        took = time.monotonic() - start
        if proc.returncode:
            print(name, "FAILED", proc.stderr[-2000:])
            continue
        report = json.loads(proc.stdout)
        results[name] = dict(
            lang=spec["lang"],
            tuned=spec["tuned"],
            seconds=round(took, 1),
            score=score(spec["items"], report),
            highlights=report["highlights"],
            notes=report.get("notes"),
        )
        s = results[name]["score"]
        print(
            f"{name:28} {spec['lang']:6} {'tuned' if spec['tuned'] else 'held ':5} "
            f"B recall {s['breaking']['recalled']}/{s['breaking']['expected']} "
            f"prec {s['breaking']['on_target']}/{s['breaking']['bullets']}  "
            f"F recall {s['feature']['recalled']}/{s['feature']['expected']} "
            f"prec {s['feature']['on_target']}/{s['feature']['bullets']}  {took:.1f}s",
            flush=True,
        )
    Path(out_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
