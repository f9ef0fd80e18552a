"""What a code change does, on real released code, with expectations from each changelog.

Sources are copied from the projects' releases (tests/data/releases, licences in SOURCES.md):
itsdangerous 2.0.0 -> 2.1.0 (Python), commander v11.0.0 -> v12.0.0 (TypeScript declarations),
google/uuid v1.3.1 -> v1.5.0 (Go) and tokio-rs/bytes v1.4.0 -> v1.5.0 (Rust).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.build import build_report
from bot.config import Config
from bot.render.json import render_json
from bot.request import ReportRequest
from bot.summarize.heuristic.ranking import BULLET_LIMIT
from tests.support import DATA, git

RELEASES = DATA / "releases"


def release_repo(tmp_path: Path, old: Path, new: Path, message: str = "Release") -> Path:
    """A repository whose tag ``a`` is the old release and tag ``b`` the new one."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for tag, source, text in (("a", old, "Old release"), ("b", new, message)):
        for child in root.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(source, root, dirs_exist_ok=True)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", text)
        git(root, "tag", tag)
    return root


def report(config: Config, root: Path) -> dict:
    request = ReportRequest("a...b", git_path=str(root), summarizer="heuristic", no_cache=True)
    return json.loads(render_json(build_report(request, config)))


def highlights(data: dict) -> tuple[list[str], list[str], list[str]]:
    h = data["highlights"]
    return h["breaking_changes"], h["new_features"], h["other_updates"]


def test_itsdangerous_2_1_removals_and_dropped_python_are_breaking(config, tmp_path) -> None:
    """Changelog 2.1.0: "Drop support for Python 3.6"; "Remove previously deprecated code: JWS
    functionality; import itsdangerous.json". Hunks once gave no removed name at all."""
    old, new = RELEASES / "itsdangerous-2.0.0", RELEASES / "itsdangerous-2.1.0"
    breaking, features, _ = highlights(report(config, release_repo(tmp_path, old, new)))
    text = "\n".join(breaking)
    assert "`itsdangerous.JSONWebSignatureSerializer`" in text
    assert "`itsdangerous.TimedJSONWebSignatureSerializer`" in text
    assert "`itsdangerous.json`" in text
    assert "_json.DeprecatedJSON" not in text  # a private module's class is nobody's API
    drop = next(b for b in breaking if b.startswith("`setup.cfg`: Drops Python 3.6"))
    assert "Changelog: “Drop support for Python 3.6.”" in drop  # one bullet, not two
    assert not any(b.startswith("`CHANGES.rst`: Changelog: “Drop support") for b in breaking)
    assert features == []  # the release added nothing
    assert all(len(b) <= BULLET_LIMIT for b in breaking)


def test_commander_12_typings_engines_and_changelog(config, tmp_path) -> None:
    """Changelog 11.1/12.0: added `.helpCommand()`, `.addHelpOption()`, `registeredArguments`,
    Option `envVar`/`presetArg`; "Commander 12 requires Node.js v18 or higher"."""
    root = release_repo(tmp_path, RELEASES / "commander/v11.0.0", RELEASES / "commander/v12.0.0")
    data = report(config, root)
    breaking, features, _ = highlights(data)
    added = "\n".join(features)
    for name in ("Command.helpCommand", "Command.addHelpOption", "Command.registeredArguments"):
        assert f"`{name}`" in added
    assert "`Option.envVar`" in added and "`Option.presetArg`" in added
    engines = next(b for b in breaking if b.startswith("`package.json`: Drops Node.js 16"))
    assert "requires Node.js `>=18` (was `>=16`)" in engines
    assert not any("addHelpCommand" in b and "required" in b for b in breaking)  # overloads
    changelog = next(f for f in data["files"] if f["filename"] == "CHANGELOG.md")
    assert "*Breaking:* throw an error if add an option with a flag" in changelog["explanation"]


def test_uuid_go_exported_additions(config, tmp_path) -> None:
    """Changelog 1.4.0/1.5.0: "UUIDs slice type with Strings()"; "Validate UUID"."""
    root = release_repo(tmp_path, RELEASES / "uuid/v1.3.1", RELEASES / "uuid/v1.5.0")
    breaking, features, _ = highlights(report(config, root))
    assert breaking == []
    added = next(b for b in features if b.startswith("`uuid.go`: Added public"))
    assert "`Validate`" in added and "type `UUIDs`" in added and "`UUIDs.Strings`" not in added


def test_bytes_rust_pub_constructors_and_trait_impls(config, tmp_path) -> None:
    """Changelog 1.5.0: "Add UninitSlice::{new,uninit}"."""
    root = release_repo(tmp_path, RELEASES / "bytes/v1.4.0", RELEASES / "bytes/v1.5.0")
    breaking, features, _ = highlights(report(config, root))
    added = next(b for b in features if "uninit_slice.rs" in b)
    assert "`UninitSlice::new`" in added and "`UninitSlice::uninit`" in added
    assert breaking == []


def test_conventional_commits_in_the_range_are_highlights(config, tmp_path) -> None:
    """A ``feat!:`` commit is a breaking change said in its author's words."""
    old, new = RELEASES / "uuid/v1.3.1", RELEASES / "uuid/v1.5.0"
    root = release_repo(tmp_path, old, new, "feat(parse)!: Parse rejects braces\n\nMore text.")
    breaking, _, _ = highlights(report(config, root))
    assert any(b.startswith("Commit ") and "parse: Parse rejects braces" in b for b in breaking)


def test_the_model_gets_the_same_whole_file_facts(tmp_path) -> None:
    """The LLM prompt once had only hunk facts; now the removed re-exports are in FACTS."""
    from bot.reading.local import read_local
    from bot.sources import parse_source
    from bot.summarize.llm.filecache import InProcessFileCache
    from bot.summarize.llm.summarizer import LLMSummarizer
    from tests.fakes.openai import FakeOpenAI
    from tests.llmdata import llm_config

    old, new = RELEASES / "itsdangerous-2.0.0", RELEASES / "itsdangerous-2.1.0"
    root = release_repo(tmp_path, old, new)
    change = read_local(parse_source("a...b", git_path=str(root)))
    with FakeOpenAI() as fake:
        LLMSummarizer(llm_config(fake), InProcessFileCache()).summarize(change, "en_US")
        sent = "\n".join(r.text("user") for r in fake.requests)
    assert "Removed public `itsdangerous.json`, `itsdangerous.JSONWebSignatureSerializer`" in sent
    assert "Drops Python 3.6: requires Python `>= 3.7` (was `>= 3.6`)." in sent
