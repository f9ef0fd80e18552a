"""What an OpenAI-compatible server tells about itself: its kind, context window and slots.

Read once per (base URL, model) and remembered (:mod:`bot.summarize.llm.negotiate`), from where
each kind of server says it:

* every kind: ``GET {base}/models``; vLLM's entries carry ``max_model_len``; the owner names
  the kind (``llamacpp``: llama.cpp's server, ``me`` with ``permissions: []``: llama-cpp-python,
  ``library``: Ollama, ``organization_owner``: LM Studio, ``system``/``openai``: OpenAI);
* llama.cpp's server: ``GET /props``, ``default_generation_settings.n_ctx`` (per slot) and
  ``total_slots``; its ``/models`` ``meta.n_ctx_train`` only when ``/props`` is missing;
* Ollama: ``POST /api/show``, ``num_ctx`` in ``parameters``; without it the OpenAI endpoint
  runs at the server's default (4096 on small machines), capped by ``*.context_length``;
* LM Studio: ``GET /api/v0/models/{model}``, ``loaded_context_length`` or ``max_context_length``;
* llama-cpp-python tells nothing (its ``/props`` is a 404) and serves one request at a time: the
  window comes from ``DIFFINSIGHT_LLM_CONTEXT`` or from its first context error.

OpenAI's own API and Azure are not asked: their models take strict schemas and windows far
larger than any call here. Every probe is bounded by :data:`PROBE_TIMEOUT_SECONDS` and any
failure just means "not told".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from bot.config import Config

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 3.0
OLLAMA_DEFAULT_CONTEXT = 4096
OPENAI, AZURE, VLLM, LLAMA_CPP, LLAMA_CPP_PYTHON, OLLAMA, LM_STUDIO, UNKNOWN = (
    "openai", "azure", "vllm", "llama.cpp", "llama-cpp-python", "ollama", "lm-studio", "unknown",
)  # fmt: skip
STRICT_KINDS = (OPENAI, AZURE, VLLM, LLAMA_CPP, LM_STUDIO)
"""Kinds that honour a ``json_schema`` they accept; others may accept it and ignore it."""
_OWNERS = {
    "llamacpp": LLAMA_CPP,
    "vllm": VLLM,
    "library": OLLAMA,
    "ollama": OLLAMA,
    "organization_owner": LM_STUDIO,
    "system": OPENAI,
    "openai": OPENAI,
    "openai-internal": OPENAI,
}


@dataclass(frozen=True)
class ServerFacts:
    """What discovery found; ``context`` and ``parallel`` are ``None`` when not told."""

    kind: str
    context: int | None = None
    parallel: int | None = None


def hosted_kind(config: Config) -> str | None:
    """``openai`` or ``azure`` when the endpoint is the hosted API (nothing to discover)."""
    if config.azure_openai_endpoint and config.azure_openai_api_key:
        return AZURE
    return None if config.openai_base_url else OPENAI


def discover(config: Config, base_url: str, model: str) -> ServerFacts:
    """Ask the server at ``base_url`` what it is; never raises."""
    hosted = hosted_kind(config)
    if hosted is not None:
        return ServerFacts(hosted)
    headers = {"Authorization": f"Bearer {config.openai_api_key or 'unused'}"}
    try:
        with httpx.Client(timeout=PROBE_TIMEOUT_SECONDS, headers=headers) as http:
            return _discover(http, base_url.rstrip("/"), model)
    except (httpx.HTTPError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.info("llm server discovery failed", extra={"error": type(exc).__name__})
        return ServerFacts(UNKNOWN)


def _get_json(http: httpx.Client, url: str, body: dict | None = None) -> Any:
    """The JSON answer of a 200, else ``None`` (a probe the server does not serve)."""
    try:
        answer = http.post(url, json=body) if body is not None else http.get(url)
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    try:
        return answer.json()
    except ValueError:
        return None


def _discover(http: httpx.Client, base: str, model: str) -> ServerFacts:
    root = re.sub(r"/v1$", "", base)
    listing = _get_json(http, f"{base}/models")
    entries = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(entries, list) or not entries:
        return ServerFacts(UNKNOWN)
    entries = [e for e in entries if isinstance(e, dict)]
    entry = next((e for e in entries if e.get("id") == model), entries[0] if entries else {})
    kind = _kind(entry, base)
    if kind == VLLM or isinstance(entry.get("max_model_len"), int):
        return ServerFacts(VLLM, _positive(entry.get("max_model_len")))
    if kind == LLAMA_CPP:
        return _llama_cpp(http, root, entry)
    if kind == OLLAMA:
        return ServerFacts(OLLAMA, _ollama(http, root, model))
    if kind == LM_STUDIO:
        return ServerFacts(LM_STUDIO, _lm_studio(http, root, model))
    if kind == LLAMA_CPP_PYTHON:
        return ServerFacts(LLAMA_CPP_PYTHON, None, 1)
    return ServerFacts(kind, _positive(entry.get("context_length")))


def _kind(entry: dict, base: str) -> str:
    owner = str(entry.get("owned_by") or "").lower()
    if owner == "me" and entry.get("permissions") == []:
        return LLAMA_CPP_PYTHON
    if owner in _OWNERS:
        return _OWNERS[owner]
    if ":11434" in base:
        return OLLAMA
    return UNKNOWN


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _llama_cpp(http: httpx.Client, root: str, entry: dict) -> ServerFacts:
    props = _get_json(http, f"{root}/props")
    if isinstance(props, dict):
        settings = _dict(props.get("default_generation_settings"))
        context = _positive(settings.get("n_ctx")) or _positive(props.get("n_ctx"))
        return ServerFacts(LLAMA_CPP, context, _positive(props.get("total_slots")))
    meta = _dict(entry.get("meta"))
    return ServerFacts(LLAMA_CPP, _positive(meta.get("n_ctx_train")))


def _ollama(http: httpx.Client, root: str, model: str) -> int | None:
    shown = _get_json(http, f"{root}/api/show", {"model": model})
    if not isinstance(shown, dict):
        return None
    found = re.search(r"(?m)^num_ctx\s+(\d+)\s*$", str(shown.get("parameters") or ""))
    if found:
        return _positive(int(found.group(1)))
    info = _dict(shown.get("model_info"))
    trained = [v for k, v in info.items() if k.endswith(".context_length") and _positive(v)]
    return min([OLLAMA_DEFAULT_CONTEXT, *trained])


def _lm_studio(http: httpx.Client, root: str, model: str) -> int | None:
    info = _get_json(http, f"{root}/api/v0/models/{quote(model, safe='')}")
    if not isinstance(info, dict):
        return None
    return _positive(info.get("loaded_context_length")) or _positive(info.get("max_context_length"))
