"""GITHUB_APP_ID and the App's private key: accepted in the forms operators paste, refused in words.

Every refusal names the variable and never repeats the key; the command line exits 2 on it.
Keys are made when the test runs (cryptography), never stored.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.config import ConfigError, load_config
from tests.test_cli import COMMAND, ROOT


def _pem(key: object, fmt: serialization.PrivateFormat, password: bytes | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return _pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)


def test_no_app_settings_means_no_app() -> None:
    config = load_config({})
    assert config.github_app_id is None and config.github_app_private_key is None
    assert not config.github_app


def test_the_key_inline_as_a_file_or_with_escaped_newlines(
    pem: str, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    inline = load_config({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": pem})
    assert inline.github_app and inline.github_app_id == "4242"
    assert inline.github_app_private_key == pem
    one_line = pem.strip().replace("\n", "\\n")  # as a .env file or a CI secret often holds it
    escaped = load_config({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": one_line})
    assert escaped.github_app_private_key == pem
    quoted = load_config({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": f'"{one_line}"'})
    assert quoted.github_app_private_key == pem
    windows = load_config(
        {"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": pem.replace("\n", "\r\n")}
    )
    assert windows.github_app
    pkcs8 = tmp_path / "app.pem"
    pkcs8.write_text(_pem(rsa_key, serialization.PrivateFormat.PKCS8))
    from_file = load_config({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY_FILE": str(pkcs8)})
    assert from_file.github_app and "BEGIN PRIVATE KEY" in str(from_file.github_app_private_key)
    # The key never shows in the configuration's repr (a logged or printed Config).
    assert "PRIVATE KEY" not in repr(inline) and pem.splitlines()[1] not in repr(from_file)


def _refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    return str(caught.value)


def test_incomplete_or_conflicting_settings_name_what_is_missing(pem: str, tmp_path: Path) -> None:
    assert "GITHUB_APP_ID" in _refusal({"GITHUB_APP_PRIVATE_KEY": pem})
    assert "GITHUB_APP_ID" in _refusal({"GITHUB_APP_PRIVATE_KEY_FILE": "/x.pem"})
    missing = _refusal({"GITHUB_APP_ID": "4242"})
    assert "GITHUB_APP_PRIVATE_KEY" in missing and "GITHUB_APP_PRIVATE_KEY_FILE" in missing
    both = _refusal(
        {"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_APP_PRIVATE_KEY_FILE": "/k"}
    )
    assert "both" in both
    assert "numeric" in _refusal({"GITHUB_APP_ID": "my-app", "GITHUB_APP_PRIVATE_KEY": pem})
    nowhere = _refusal(
        {"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_FILE": str(tmp_path / "none.pem")}
    )
    assert "GITHUB_APP_PRIVATE_KEY_FILE" in nowhere and "No such file" in nowhere
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 100_000)
    assert "too large" in _refusal({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_FILE": str(big)})


def test_a_bad_key_is_refused_without_being_shown(rsa_key: rsa.RSAPrivateKey, pem: str) -> None:
    ec_key = _pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8)
    encrypted = _pem(rsa_key, serialization.PrivateFormat.PKCS8, password=b"secret")
    truncated = pem[: len(pem) // 2]
    public = (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    for value, words in (
        (truncated, "not a PEM private key"),
        ("ghp_notakeyatall", "not a PEM private key"),
        (public, "not a PEM private key"),
        (ec_key, "not an RSA key"),
        (encrypted, "encrypted"),
    ):
        text = _refusal({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": value})
        assert text.startswith("GITHUB_APP_PRIVATE_KEY ") and words in text
        body = [line for line in value.splitlines() if "-----" not in line]
        assert not any(line and line in text for line in body), text


def test_the_command_line_exits_2_naming_the_variable_and_not_the_key(
    pem: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(PYTHONPATH=str(ROOT), DIFFINSIGHT_DATA_DIR=str(tmp_path / "data"))
    broken = pem.replace(pem.splitlines()[3], pem.splitlines()[3][::-1])
    for extra, name in (
        ({"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": broken}, "GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_ID": "4242"}, "GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_PRIVATE_KEY": pem}, "GITHUB_APP_ID"),
    ):
        done = subprocess.run(
            [*COMMAND, "report", "octo/widgets", "v1...v2", "--no-cache"],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 2 and done.stdout == ""
        assert name in done.stderr and "Traceback" not in done.stderr
        body = [line for line in pem.splitlines() if "-----" not in line]
        assert not any(line in done.stderr for line in body)
