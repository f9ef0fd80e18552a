"""github-app-manifest.json and scripts/github_app.py: the App asks for no more than it needs,
and the manifest flow's credentials come out as settings the bot accepts."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import stat
from pathlib import Path
from types import ModuleType

import pytest

from bot.config import load_config
from bot.names import WEBHOOK_PATH
from tests.fakes.github import FakeGitHub
from tests.fakes.github_app import FakeApp
from tests.test_cli import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "github_app_script", ROOT / "scripts/github_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _script()


def test_the_manifest_asks_read_only_for_what_reports_need() -> None:
    manifest = json.loads((ROOT / "github-app-manifest.json").read_text())
    assert manifest["default_permissions"] == {
        "contents": "read",
        "metadata": "read",
        "pull_requests": "read",
    }
    assert sorted(manifest["default_events"]) == ["pull_request", "push"]
    assert manifest["hook_attributes"] == {
        "url": f"https://YOUR_HOST{WEBHOOK_PATH}",
        "active": True,
    }
    assert manifest["public"] is False
    assert set(manifest) <= {
        "name", "url", "description", "hook_attributes", "redirect_url", "public",
        "default_permissions", "default_events",
    }  # fmt: skip


def test_the_form_posts_the_manifest_with_the_bots_address() -> None:
    page = script.form_page("https://bot.example.com", None, "https://api.github.com")
    assert 'action="https://github.com/settings/apps/new"' in page
    value = re.search(r'name="manifest" value="([^"]*)"', page)
    assert value is not None
    manifest = json.loads(html.unescape(value[1]))
    assert manifest["hook_attributes"]["url"] == "https://bot.example.com/github/webhook"
    assert "YOUR_HOST" not in json.dumps(manifest)
    org = script.form_page("https://bot.example.com/", "octo", "https://ghe.example.com/api/v3")
    assert 'action="https://ghe.example.com/organizations/octo/settings/apps/new"' in org
    for bad in ("http://bot.example.com", "bot.example.com", "https://bot.example.com/x"):
        with pytest.raises(ValueError):
            script.form_page(bad, None, "https://api.github.com")


def test_the_code_becomes_settings_the_bot_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = FakeApp()
    app.manifest_codes.add("a1b2c3")
    with FakeGitHub(app=app) as gh:
        monkeypatch.setenv("GITHUB_API_URL", gh.api_url)
        assert script.main(["convert", "a1b2c3", "--dir", str(tmp_path)]) == 0
        shown = capsys.readouterr()
        assert script.main(["convert", "a1b2c3", "--dir", str(tmp_path)]) == 1  # once only
        refused = capsys.readouterr().err
    assert "refused the code" in refused
    assert f"{gh.web_url}/apps/{app.slug}/installations/new" in shown.out
    for name in ("github-app.pem", "github-app.env"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    env = dict(
        line.split("=", 1) for line in (tmp_path / "github-app.env").read_text().splitlines()
    )
    config = load_config(env)
    assert config.github_app and config.github_app_id == str(app.id)
    assert config.github_webhook_secret == app.webhook_secret
    assert config.github_api_url == gh.api_url
    printed = shown.out + shown.err + refused
    assert app.webhook_secret not in printed and "PRIVATE KEY" not in printed
