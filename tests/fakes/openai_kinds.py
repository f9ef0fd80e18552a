"""How each kind of OpenAI-compatible server differs, for FakeOpenAI(kind=...).

The shapes and messages are the real ones: llama-cpp-python's were recorded from version
0.3.36 (see tests/data/LIMITS.md, "OpenAI-compatible servers"); llama.cpp's come from its
server's source (tools/server, ``format_error_response`` and the context check); vLLM's and
OpenAI's from their documented and reported error texts. Differences kept:

* ``/v1/models``: the owner names the kind; vLLM adds ``max_model_len``, llama.cpp ``meta``;
* extra endpoints: llama.cpp ``GET /props``, Ollama ``POST /api/show``, LM Studio
  ``GET /api/v0/models/{id}``;
* ``response_format``: llama-cpp-python refuses any type but ``text``/``json_object`` with HTTP
  500 (a pydantic error); llama.cpp with 400; a ``text-only`` server refuses the field at all;
  an old Ollama accepts ``json_schema`` and ignores it;
* context: OpenAI, vLLM and llama.cpp refuse a prompt plus ``max_tokens`` over the window;
  llama-cpp-python refuses only a prompt over it (and then stops at the window).
"""

from __future__ import annotations

from typing import Any

KINDS = (
    "openai", "vllm", "llama.cpp", "llama-cpp-python", "ollama", "ollama-old", "lm-studio",
    "text-only",
)  # fmt: skip
SLOTS = 2
"""llama.cpp's ``--parallel``: its /props ``n_ctx`` is the window of one slot."""
LLAMA_CPP_PYTHON_FORMAT_ERROR = (
    "1 validation error:\n  {{'type': 'literal_error', 'loc': ('body', 'response_format', "
    "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': '{type}', 'ctx': "
    "{{'expected': \"'text' or 'json_object'\"}}}}\n\n  File \"/usr/lib/python3/site-packages/"
    'llama_cpp/server/app.py", line 376, in create_chat_completion\n    POST /v1/chat/completions'
)


def models_listing(kind: str, model: str, window: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": model, "object": "model"}
    if kind == "openai":
        entry.update(created=1721172741, owned_by="system")
    elif kind == "vllm":
        entry.update(created=1735142223, owned_by="vllm", root=model, max_model_len=window)
    elif kind == "llama.cpp":
        meta = {"vocab_type": 2, "n_vocab": 128256, "n_ctx_train": 131072, "n_params": 8030261312}
        entry.update(created=1735142223, owned_by="llamacpp", meta=meta)
    elif kind == "llama-cpp-python":
        entry.update(owned_by="me", permissions=[])
    elif kind in ("ollama", "ollama-old"):
        entry.update(created=1735142223, owned_by="library")
    elif kind == "lm-studio":
        entry.update(owned_by="organization_owner")
    else:
        entry.update(created=0, owned_by="user")
    return {"object": "list", "data": [entry]}


def extra_get(kind: str, path: str, model: str, window: int) -> dict[str, Any] | None:
    """The body of a kind's own GET endpoint, or ``None`` (404)."""
    if kind == "llama.cpp" and path == "/props":
        settings = {"id": 0, "id_task": -1, "n_ctx": window, "is_processing": False}
        return {"default_generation_settings": settings, "total_slots": SLOTS,
                "model_path": model, "chat_template": "", "build_info": "b6000"}  # fmt: skip
    if kind == "lm-studio" and path == f"/api/v0/models/{model}":
        return {"id": model, "object": "model", "type": "llm", "state": "loaded",
                "max_context_length": 131072, "loaded_context_length": window}  # fmt: skip
    return None


def ollama_show(window: int) -> dict[str, Any]:
    return {
        "parameters": 'stop                           "<|eot_id|>"\n'
        f"num_ctx                        {window}",
        "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
        "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B"},
    }


def format_refusal(kind: str, fmt: Any) -> tuple[int, dict[str, Any]] | None:
    """The kind's answer to a ``response_format`` it does not take, or ``None``."""
    if fmt is None:
        return None
    kind_of = fmt.get("type") if isinstance(fmt, dict) else None
    if kind == "llama-cpp-python" and kind_of not in ("text", "json_object"):
        message = LLAMA_CPP_PYTHON_FORMAT_ERROR.format(type=kind_of)
        error = {"message": message, "type": "internal_server_error", "param": None, "code": None}
        return 500, {"error": error}
    if kind == "llama.cpp" and kind_of not in ("text", "json_object", "json_schema"):
        message = 'response_format type must be one of "text" or "json_object", but got: ' + str(
            kind_of
        )
        return 400, {"error": {"code": 400, "message": message, "type": "invalid_request_error"}}
    if kind == "text-only":
        message = "response_format is not supported by this server"
        error = {"message": message, "type": "invalid_request_error", "param": "response_format"}
        return 400, {"error": {**error, "code": None}}
    return None


def ignores_format(kind: str, fmt: Any) -> bool:
    """An old Ollama takes ``json_schema`` without error and answers as if it were absent."""
    return kind == "ollama-old" and isinstance(fmt, dict) and fmt.get("type") == "json_schema"


def context_error(
    kind: str, prompt: int, max_tokens: int | None, window: int
) -> tuple[int, dict[str, Any]] | None:
    asked = prompt + (max_tokens or 0)
    if kind == "llama-cpp-python":
        if prompt <= window:
            return None
        message = (
            f"This model's maximum context length is {window} tokens. However, you requested "
            f"{asked} tokens ({prompt} in the messages, {max_tokens} in the completion). Please "
            "reduce the length of the messages or completion."
        )
        error = {"message": message, "type": "invalid_request_error", "param": "messages"}
        return 400, {"error": {**error, "code": "context_length_exceeded"}}
    if kind == "llama.cpp":
        if asked <= window:
            return None
        message = (
            f"request ({prompt} tokens) exceeds the available context size ({window} tokens), "
            "try increasing it"
        )
        return 400, {"error": {"code": 400, "message": message,
                               "type": "exceed_context_size_error",
                               "n_prompt_tokens": prompt, "n_ctx": window}}  # fmt: skip
    if kind == "vllm":
        if asked <= window:
            return None
        message = (
            f"This model's maximum context length is {window} tokens. However, you requested "
            f"{asked} tokens ({prompt} in the messages, {max_tokens or 0} in the completion). "
            "Please reduce the length of the messages or completion."
        )
        return 400, {"error": {"object": "error", "message": message,
                               "type": "BadRequestError", "param": None, "code": 400}}  # fmt: skip
    if kind in ("ollama", "ollama-old"):
        return None  # Ollama cuts the prompt to num_ctx without a word
    if prompt <= window:
        return None
    message = (
        f"This model's maximum context length is {window} tokens. However, your messages "
        f"resulted in {prompt} tokens. Please reduce the length of the messages."
    )
    error = {"message": message, "type": "invalid_request_error", "param": "messages"}
    return 400, {"error": {**error, "code": "context_length_exceeded"}}


def text_reply(content: str) -> str:
    """A model following instructions without a constrained format: prose, a fence, and the
    trailing comma small models leave."""
    body = content[:-1] + ",}" if content.endswith("}") else content
    return f"Here is the JSON you asked for:\n\n```json\n{body}\n```\n\nAnything else?"
