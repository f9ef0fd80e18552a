"""Project manifests read whole: supported platforms and dependencies, by file kind.

``pyproject.toml`` (PEP 621 and Poetry), ``setup.cfg``, ``setup.py`` (by its syntax tree, never
run), requirements files, ``package.json``, ``go.mod``, ``Cargo.toml`` and MSBuild projects
(``TargetFramework``, ``PackageReference``). A folder's ``pyproject.toml``, ``setup.cfg`` and
``setup.py`` are one project, so metadata that moved between them is no change.
"""

from __future__ import annotations

import ast
import configparser
import json
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement


@dataclass
class Manifest:
    """What one side of a manifest says: platform minimums and dependencies by group."""

    platforms: dict[str, str] = field(default_factory=dict)  # "Python" -> ">=3.8"
    runtime: dict[str, str] = field(default_factory=dict)  # name -> spec
    dev: dict[str, str] = field(default_factory=dict)


def manifest_name(path: str) -> str | None:
    base = path.rsplit("/", 1)[-1]
    if base in ("pyproject.toml", "setup.cfg", "setup.py", "package.json", "go.mod", "Cargo.toml"):
        return base
    if base.endswith((".csproj", ".fsproj", ".vbproj")) or base == "Directory.Build.props":
        return "msbuild"
    if base.startswith("requirements") and base.endswith((".txt", ".in")):
        return "requirements"
    return None


def _pep508(lines: Iterator[str] | list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and "extra" in str(req.marker):
            continue
        found.setdefault(req.name.lower().replace("_", "-"), str(req.specifier))
    return found


def _pyproject(text: str) -> Manifest:
    data = tomllib.loads(text)
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    out = Manifest()
    if isinstance(project.get("requires-python"), str):
        out.platforms["Python"] = project["requires-python"]
    deps = project.get("dependencies", [])
    out.runtime.update(_pep508([d for d in deps if isinstance(d, str)]))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    for name, spec in (poetry.get("dependencies", {}) or {}).items():
        value = spec.get("version", "") if isinstance(spec, dict) else str(spec)
        if name.lower() == "python":
            out.platforms["Python"] = value
        else:
            out.runtime.setdefault(name.lower(), value)
    groups = data.get("dependency-groups", {})
    for items in groups.values() if isinstance(groups, dict) else []:
        out.dev.update(_pep508([d for d in items if isinstance(d, str)]))
    return out


def _setup_cfg(text: str) -> Manifest:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    out = Manifest()
    if parser.has_option("options", "python_requires"):
        out.platforms["Python"] = parser.get("options", "python_requires").strip()
    if parser.has_option("options", "install_requires"):
        out.runtime.update(_pep508(parser.get("options", "install_requires").splitlines()))
    return out


def _setup_py(text: str) -> Manifest:
    out = Manifest()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return out
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not ast.unparse(node.func).endswith("setup"):
            continue
        for keyword in node.keywords:
            if keyword.arg == "python_requires" and isinstance(keyword.value, ast.Constant):
                out.platforms["Python"] = str(keyword.value.value)
            if keyword.arg == "install_requires" and isinstance(
                keyword.value, (ast.List, ast.Tuple)
            ):
                out.runtime.update(
                    _pep508(
                        [
                            e.value
                            for e in keyword.value.elts
                            if isinstance(e, ast.Constant) and isinstance(e.value, str)
                        ]
                    )
                )
    return out


def _package_json(text: str) -> Manifest:
    data = json.loads(text)
    out = Manifest()
    if not isinstance(data, dict):
        return out
    engines: dict = data["engines"] if isinstance(data.get("engines"), dict) else {}
    if isinstance(engines.get("node"), str):
        out.platforms["Node.js"] = engines["node"]
    for key, target in (
        ("dependencies", out.runtime),
        ("peerDependencies", out.runtime),
        ("devDependencies", out.dev),
    ):
        deps = data.get(key)
        if isinstance(deps, dict):
            target.update({str(k): str(v) for k, v in deps.items()})
    return out


def _go_mod(text: str) -> Manifest:
    out = Manifest()
    block = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if line.startswith("go "):
            out.platforms["Go"] = line[3:].strip()
        elif line.startswith("require ("):
            block = True
        elif block and line == ")":
            block = False
        elif block or line.startswith("require "):
            parts = line.removeprefix("require ").split()
            if len(parts) >= 2 and "// indirect" not in raw:
                out.runtime[parts[0]] = parts[1]
    return out


def _cargo(text: str) -> Manifest:
    data = tomllib.loads(text)
    out = Manifest()
    package = data.get("package", {}) if isinstance(data.get("package"), dict) else {}
    if isinstance(package.get("rust-version"), str):
        out.platforms["Rust"] = package["rust-version"]
    for key, target in (
        ("dependencies", out.runtime),
        ("dev-dependencies", out.dev),
        ("build-dependencies", out.dev),
    ):
        deps = data.get(key)
        for name, spec in deps.items() if isinstance(deps, dict) else []:
            value = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            target[name] = value
    return out


def _msbuild(text: str) -> Manifest:
    out = Manifest()
    root = ET.fromstring(text)
    for tag in ("TargetFramework", "TargetFrameworks"):
        for node in root.iter(tag):
            if node.text:
                out.platforms["target framework"] = node.text.strip()
    for node in root.iter("PackageReference"):
        name = node.get("Include")
        if name:
            out.runtime[name] = node.get("Version", "")
    return out


_READERS = {
    "pyproject.toml": _pyproject, "setup.cfg": _setup_cfg, "setup.py": _setup_py,
    "package.json": _package_json, "go.mod": _go_mod, "Cargo.toml": _cargo, "msbuild": _msbuild,
    "requirements": lambda text: Manifest(runtime=_pep508(text.splitlines())),
}  # fmt: skip


def read_manifest(path: str, text: str | None) -> Manifest | None:
    """One side of a manifest, or None when it is absent or cannot be parsed."""
    kind = manifest_name(path)
    if kind is None or text is None:
        return None
    try:
        return _READERS[kind](text)
    except (ValueError, TypeError, KeyError, AttributeError, ET.ParseError, configparser.Error):
        return None  # tomllib, json and configparser errors are ValueError subclasses or Error


_PYTHON_TRIO = ("pyproject.toml", "setup.cfg", "setup.py")


def project_key(path: str) -> str:
    """Files that describe one project share a key: the Python trio of a folder."""
    folder, _, base = path.rpartition("/")
    return f"{folder}/python" if base in _PYTHON_TRIO else path


def manifest_rank(path: str) -> int:
    """pyproject.toml speaks for its folder before setup.cfg and setup.py."""
    base = path.rpartition("/")[2]
    return _PYTHON_TRIO.index(base) if base in _PYTHON_TRIO else 0


def project_manifest(path: str, texts: Mapping[str, str]) -> Manifest | None:
    """One side of ``path``'s manifest; for Python, ``pyproject.toml``, ``setup.cfg`` and
    ``setup.py`` of one folder together, so metadata that moved between them is not lost."""
    folder, _, base = path.rpartition("/")
    if base not in _PYTHON_TRIO:
        return read_manifest(path, texts.get(path))
    merged: Manifest | None = None
    for name in _PYTHON_TRIO:
        one = read_manifest(
            f"{folder}/{name}" if folder else name,
            texts.get(f"{folder}/{name}" if folder else name),
        )
        if one is None:
            continue
        merged = merged or Manifest()
        for key, value in one.platforms.items():
            merged.platforms.setdefault(key, value)
        for name_, spec in one.runtime.items():
            merged.runtime.setdefault(name_, spec)
        merged.dev.update(one.dev)
    return merged
