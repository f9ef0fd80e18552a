"""Create diffinsight's GitHub App from github-app-manifest.json (GitHub's manifest flow).

    python scripts/github_app.py form https://YOUR_HOST [--org ORG] > create-app.html
        A page whose button sends the manifest (YOUR_HOST filled in) to GitHub. Open it, press
        the button, name the App on GitHub and create it. GitHub then sends the browser to
        https://YOUR_HOST/healthz?code=...; copy the code from the address bar.
    python scripts/github_app.py convert CODE [--dir DIR]
        Trades the code (valid for an hour, once) for the App's ID, private key and webhook
        secret, written to DIR/github-app.pem and DIR/github-app.env (mode 600). Nothing
        secret is printed.

GITHUB_API_URL picks GitHub Enterprise (``https://HOST/api/v3``) instead of github.com.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from github import Github, GithubException

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "github-app-manifest.json"
PLACEHOLDER = "https://YOUR_HOST"
DEFAULT_API = "https://api.github.com"

PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Create the diffinsight GitHub App</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>Create the diffinsight GitHub App</h1>
<p>The button sends this manifest to GitHub, which shows the App to create, with read-only
access to contents, metadata and pull requests, and the push and pull_request events sent to
<code>{hook}</code>.</p>
<form action="{action}" method="post">
<input type="hidden" name="manifest" value="{manifest}">
<button type="submit">Create the GitHub App on GitHub</button>
</form>
<pre>{shown}</pre>
</body></html>
"""


def web_url(api_url: str) -> str:
    """github.com for the public API, else the Enterprise host the API lives on."""
    parts = urlsplit(api_url)
    if parts.netloc.lower() == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}"


def manifest_for(host: str) -> dict[str, Any]:
    """The repository's manifest with ``https://YOUR_HOST`` replaced by the bot's address."""
    base = host.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.netloc or parts.path or parts.query:
        raise ValueError(f"the bot's address must be https://HOST, not {host!r}")
    text = MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER, base)
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def form_page(host: str, org: str | None, api_url: str) -> str:
    """The page whose button posts the manifest to GitHub's "new App" form."""
    manifest = manifest_for(host)
    where = f"/organizations/{quote(org, safe='')}" if org else ""
    action = f"{web_url(api_url)}{where}/settings/apps/new"
    return PAGE.format(
        action=html.escape(action),
        manifest=html.escape(json.dumps(manifest)),
        hook=html.escape(manifest["hook_attributes"]["url"]),
        shown=html.escape(json.dumps(manifest, indent=2)),
    )


def _private_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def convert(code: str, api_url: str, directory: Path) -> tuple[int, str]:
    """Trade the manifest flow's code for the App's credentials; its ID and page."""
    if not code.isalnum() or len(code) > 100:
        raise ValueError("the code is the letters and digits after ?code= in the address bar")
    client = Github(base_url=api_url)
    try:
        _, app = client.requester.requestJsonAndCheck("POST", f"/app-manifests/{code}/conversions")
    finally:
        client.close()
    key = directory / "github-app.pem"
    _private_file(key, app["pem"])
    env = (
        f"GITHUB_APP_ID={app['id']}\n"
        f"GITHUB_APP_PRIVATE_KEY_FILE={key.resolve()}\n"
        f"GITHUB_WEBHOOK_SECRET={app['webhook_secret']}\n"
    )
    if api_url.rstrip("/") != DEFAULT_API:
        env += f"GITHUB_API_URL={api_url.rstrip('/')}\n"
    _private_file(directory / "github-app.env", env)
    return int(app["id"]), str(app["html_url"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    form = sub.add_parser("form", help="write the page that creates the App")
    form.add_argument("host", help="the bot's public address, https://HOST")
    form.add_argument("--org", help="create the App in this organization (default: your account)")
    conv = sub.add_parser("convert", help="trade GitHub's code for the App's credentials")
    conv.add_argument("code")
    conv.add_argument("--dir", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    api_url = os.environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API
    try:
        if args.command == "form":
            sys.stdout.write(form_page(args.host, args.org, api_url))
            return 0
        app_id, page = convert(args.code, api_url, args.dir)
    except ValueError as exc:
        print(f"github_app: {exc}", file=sys.stderr)
        return 2
    except GithubException as exc:
        reason = exc.data.get("message") if isinstance(exc.data, dict) else exc.status
        print(
            f"github_app: GitHub refused the code ({reason}); codes last an hour, once",
            file=sys.stderr,
        )
        return 1
    print(f"Created App {app_id}: {page}")
    print(f"Wrote {args.dir / 'github-app.pem'} and {args.dir / 'github-app.env'} (mode 600).")
    print(f"Install it on your repositories: {page}/installations/new")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
