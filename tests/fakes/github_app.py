"""A GitHub App as FakeGitHub serves it: RS256 JWTs checked, installation tokens that expire.

GitHub's rules, followed here: an App authenticates with a JWT signed by its private key
(RS256; ``iss`` the App's id; ``exp`` no more than 10 minutes ahead; ``iat`` not in the
future beyond a minute's drift), and only on the App's own endpoints. With it the App finds
the installation on a repository (``GET /repos/{owner}/{repo}/installation``: 404 where it is
not installed) and creates an installation token (``POST /app/installations/{id}/access_tokens``,
201, expiring after an hour). That token reads the installation's repositories, private ones
included, and every public repository; an expired token is ``401 Bad credentials``. The key
pair is generated when the test runs, so no key is stored anywhere.

Shapes follow GitHub's recorded answers in PyGithub's ReplayData (GithubIntegration.*) and the
401 wordings GitHub sends for each broken claim.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.github_routes import Answer
from tests.fakes.github_shapes import DOCS, FakeRepo, Urls, user

MAX_JWT_SECONDS = 600
"""GitHub: ``exp`` "must be no more than 10 minutes into the future"."""
CLOCK_DRIFT_SECONDS = 60
TOKEN_SECONDS = 3600
"""GitHub: "Installation access tokens expire one hour from the time you create them"."""
NOT_DECODED = "A JSON web token could not be decoded"
EXP_PAST = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
    "which the assertion expires"
)
EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future"
IAT_BAD = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was "
    "issued"
)
INSTALLATION_DOCS = f"{DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app"
TOKEN_DOCS = f"{DOCS}/apps/apps#create-an-installation-access-token-for-an-app"
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_CONVERSION = re.compile(r"^/app-manifests/([^/]+)/conversions$")
"""The manifest flow's last step: its one-time code is the credential, so it takes no JWT."""
_APP_ROUTES = [
    ("app", re.compile(r"^/app$")),
    ("repo_installation", re.compile(r"^/repos/([^/]+)/([^/]+)/installation$")),
    ("installation", re.compile(r"^/app/installations/(\d+)$")),
    ("access_token", re.compile(r"^/app/installations/(\d+)/access_tokens$")),
]


@dataclass
class FakeInstallation:
    id: int
    account: str
    repositories: set[str]
    """Lower-case ``owner/name`` of each repository the installation was granted."""
    suspended: bool = False


@dataclass
class IssuedToken:
    token: str
    installation: int
    expires_at: int


@dataclass
class FakeApp:
    """One registered App. ``install`` grants it repositories; knobs are plain attributes:
    ``token_seconds`` (a new token's life), ``tokens`` (every token issued, newest last)."""

    id: int = 4242
    slug: str = "diffinsight-test"
    name: str = "Diffinsight Test"
    owner: str = "octo"
    token_seconds: int = TOKEN_SECONDS
    installations: dict[int, FakeInstallation] = field(default_factory=dict)
    tokens: list[IssuedToken] = field(default_factory=list)
    clock_offset: float = 0.0
    """Seconds GitHub's clock is ahead of this machine's (negative: behind), for JWT checks."""
    stateless_tokens: bool = False
    """Issue the longer ``ghs_APPID_JWT`` tokens GitHub began rolling out in 2026."""
    webhook_secret: str = field(default_factory=lambda: secrets.token_hex(20))
    manifest_codes: set[str] = field(default_factory=set)
    """One-time codes GitHub hands the browser after creating the App from a manifest."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def private_key_pem(self) -> str:
        """The key GitHub lets the App's owner download once (PKCS#1, as GitHub sends it)."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode("ascii")

    def install(self, account: str, *repositories: str, installation_id: int = 0) -> int:
        """Install the App on ``account`` for ``repositories`` (``owner/name``); its id."""
        number = installation_id or 30_000_000 + len(self.installations) + 1
        names = {r.lower() for r in repositories}
        self.installations[number] = FakeInstallation(number, account, names)
        return number

    def uninstall(self, installation_id: int) -> None:
        """Remove the installation: its tokens stop working at once, as on GitHub."""
        self.installations.pop(installation_id, None)

    def expire_tokens(self) -> None:
        """Every token issued so far has expired (as an hour later)."""
        with self._lock:
            for issued in self.tokens:
                issued.expires_at = int(time.time()) - 1

    # --- what FakeGitHub asks ----------------------------------------------------------
    def installation_for_token(self, token: str) -> FakeInstallation | None | bool:
        """The installation a live token belongs to; False for an expired or unknown one,
        None when ``token`` is not an installation token at all."""
        with self._lock:
            issued = next((t for t in self.tokens if t.token == token), None)
        if issued is None:
            return None
        installation = self.installations.get(issued.installation)
        if issued.expires_at <= time.time() or installation is None:
            return False
        return installation

    def jwt_problem(self, raw: str) -> str | None:
        """GitHub's 401 message for a JWT it would refuse, else None."""
        try:
            header = jwt.get_unverified_header(raw)
            claims = jwt.decode(
                raw,
                self._key.public_key(),
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return NOT_DECODED  # a bad signature, another key, or not a JWT at all
        if header.get("alg") != "RS256" or str(claims.get("iss")) != str(self.id):
            return NOT_DECODED  # GitHub finds the public key by ``iss``
        now = time.time() + self.clock_offset
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or iat > now + CLOCK_DRIFT_SECONDS:
            return IAT_BAD
        if not isinstance(exp, int) or exp <= now:
            return EXP_PAST
        if exp > now + MAX_JWT_SECONDS or exp - iat > MAX_JWT_SECONDS + CLOCK_DRIFT_SECONDS:
            return EXP_TOO_FAR
        return None


def looks_like_jwt(credential: str | None) -> bool:
    return bool(credential) and bool(_JWT_SHAPE.match(credential or ""))


def is_app_route(path: str) -> bool:
    return bool(_CONVERSION.match(path)) or any(p.match(path) for _, p in _APP_ROUTES)


class AppRoutes:
    """The endpoints that take the App's JWT (and nothing else)."""

    def __init__(self, app: FakeApp, repos: dict[tuple[str, str], FakeRepo], urls: Urls) -> None:
        self.app = app
        self.repos = repos
        self.urls = urls

    def dispatch(self, method: str, path: str, credential: str | None, body: bytes) -> Answer:
        converting = _CONVERSION.match(path)
        if converting and method == "POST":
            return self._conversion(converting[1])
        if credential is None or not looks_like_jwt(credential):
            return Answer(401, {"message": NOT_DECODED, "documentation_url": DOCS})
        problem = self.app.jwt_problem(credential)
        if problem is not None:
            return Answer(401, {"message": problem, "documentation_url": DOCS})
        for name, pattern in _APP_ROUTES:
            match = pattern.match(path)
            if match:
                allowed = "POST" if name == "access_token" else "GET"
                if method != allowed:
                    return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
                return getattr(self, f"_{name}")(*match.groups(), body=body)
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})

    def _app(self, *, body: bytes) -> Answer:
        app = self.app
        return Answer(
            200,
            {
                "id": app.id,
                "slug": app.slug,
                "node_id": f"A_{app.id}",
                "owner": user(app.owner, self.urls),
                "name": app.name,
                "description": "",
                "external_url": self.urls.web,
                "html_url": f"{self.urls.web}/apps/{app.slug}",
                "created_at": "2025-06-01T12:00:00Z",
                "updated_at": "2025-06-01T12:00:00Z",
                "permissions": {"contents": "read", "metadata": "read", "pull_requests": "read"},
                "events": ["pull_request", "push"],
                "installations_count": len(app.installations),
            },
        )

    def _conversion(self, code: str) -> Answer:
        """``POST /app-manifests/{code}/conversions``: the new App with its key, once."""
        if code not in self.app.manifest_codes:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        self.app.manifest_codes.discard(code)
        body = self._app(body=b"").body
        body.update(
            client_id=f"Iv23li{secrets.token_hex(7)}",
            client_secret=secrets.token_hex(20),
            webhook_secret=self.app.webhook_secret,
            pem=self.app.private_key_pem,
        )
        return Answer(201, body)

    def _installation_json(self, inst: FakeInstallation) -> dict[str, Any]:
        api = self.urls.api
        return {
            "id": inst.id,
            "account": user(inst.account, self.urls),
            "repository_selection": "selected",
            "access_tokens_url": f"{api}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{api}/installation/repositories",
            "html_url": f"{self.urls.web}/settings/installations/{inst.id}",
            "app_id": self.app.id,
            "app_slug": self.app.slug,
            "target_id": user(inst.account, self.urls)["id"],
            "target_type": "Organization",
            "permissions": {"contents": "read", "metadata": "read", "pull_requests": "read"},
            "events": ["pull_request", "push"],
            "created_at": "2025-06-01T12:00:00.000Z",
            "updated_at": "2025-06-01T12:00:00.000Z",
            "single_file_name": None,
            "has_multiple_single_files": False,
            "single_file_paths": [],
            "suspended_by": None,
            "suspended_at": "2025-06-02T12:00:00Z" if inst.suspended else None,
        }

    def _repo_installation(self, owner: str, name: str, *, body: bytes) -> Answer:
        full = f"{owner}/{name}".lower()
        for inst in self.app.installations.values():
            if full in inst.repositories and (owner.lower(), name.lower()) in self.repos:
                return Answer(200, self._installation_json(inst))
        return Answer(404, {"message": "Not Found", "documentation_url": INSTALLATION_DOCS})

    def _installation(self, number: str, *, body: bytes) -> Answer:
        inst = self.app.installations.get(int(number))
        if inst is None:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        return Answer(200, self._installation_json(inst))

    def _access_token(self, number: str, *, body: bytes) -> Answer:
        inst = self.app.installations.get(int(number))
        if inst is None:
            return Answer(404, {"message": "Not Found", "documentation_url": TOKEN_DOCS})
        if inst.suspended:
            return Answer(403, {"message": "This installation has been suspended"})
        try:
            asked = json.loads(body or b"{}")
        except ValueError:
            return Answer(
                400, {"message": "Problems parsing JSON", "documentation_url": TOKEN_DOCS}
            )
        if not isinstance(asked, dict):
            return Answer(
                400, {"message": "Problems parsing JSON", "documentation_url": TOKEN_DOCS}
            )
        expires = int(time.time()) + self.app.token_seconds
        if self.app.stateless_tokens:
            claims = {"iid": inst.id, "exp": expires, "n": secrets.token_hex(8)}
            body_part = jwt.encode(claims, secrets.token_hex(32), algorithm="HS256")
            token = f"ghs_{self.app.id}_{body_part}"
        else:
            token = f"ghs_{secrets.token_hex(18)}"
        issued = IssuedToken(token, inst.id, expires)
        with self.app._lock:
            self.app.tokens.append(issued)
        when = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Answer(
            201,
            {
                "token": issued.token,
                "expires_at": when,
                "permissions": {"contents": "read", "metadata": "read", "pull_requests": "read"},
                "repository_selection": "selected",
            },
        )
