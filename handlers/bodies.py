"""Reading a request body with a cap, before anything trusts or parses it.

An unsigned caller can send any size: a body is refused as soon as its declared length or the
bytes streamed so far pass the cap, so a stream of huge bodies costs the process nothing.
"""

from __future__ import annotations

from starlette.requests import Request


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The raw body (a signature covers these exact bytes), or None when over ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
