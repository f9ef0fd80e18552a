"""One report's view of its server: what is remembered or discovered about it, and what the
report learned that later ones should know (the mode that worked, a window named by an error).

Discovery runs on a thread of its own while the report prepares its files (the heuristic facts
of a large change take a while), so it costs no time when the server answers quickly; it runs
only when nothing is remembered for the (base URL, model), i.e. about once a day.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from bot.config import Config
from bot.summarize.llm.negotiate import EndpointMemo, Negotiation, Remembered, endpoint_key
from bot.summarize.llm.server import discover

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"


def base_url(config: Config) -> str:
    if config.azure_openai_endpoint and config.azure_openai_api_key:
        return config.azure_openai_endpoint
    return config.openai_base_url or DEFAULT_OPENAI_BASE_URL


class Endpoint:
    def __init__(self, config: Config, memo: EndpointMemo) -> None:
        self.config, self.memo = config, memo
        self.key = endpoint_key(base_url(config), config.model)
        self.remembered = memo.get(self.key)
        self.record = self.remembered
        self.learned: int | None = None
        self._thread: threading.Thread | None = None
        if self.record is None:
            self._thread = threading.Thread(target=self._discover, daemon=True, name="llm-probe")
            self._thread.start()

    def _discover(self) -> None:
        facts = discover(self.config, base_url(self.config), self.config.model)
        self.record = Remembered(facts.kind, facts.context, facts.parallel)

    def ready(self) -> Remembered:
        """The record, once discovery (if any) has finished."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        assert self.record is not None
        return self.record

    @property
    def window(self) -> int | None:
        """The window calls are sized to: learned, else told by the server, else configured."""
        record = self.ready()
        return self.learned or record.learned_context or record.context or self.config.llm_context

    def learn(self, window: int | None) -> bool:
        """A context error named ``window``; ``True`` when that is news (smaller than assumed)."""
        if window is None or (self.window is not None and window >= self.window):
            return False
        self.learned = window
        return True

    def save(self, negotiation: Negotiation) -> None:
        """Remember what this report found, when it found anything new."""
        record = self.ready()
        mode = record.mode
        if not negotiation.pinned and negotiation.mode in negotiation.used:
            mode = negotiation.mode
        updated = replace(record, mode=mode, learned_context=self.learned or record.learned_context)
        if updated != self.remembered:
            self.memo.set(self.key, updated)
