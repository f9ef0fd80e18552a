"""Every sentence a person sees, in one place, so wording is consistent and tests assert on it."""

from __future__ import annotations

from bot.sources import ACCEPTED_FORMS

# --- sources and reading (report engine) ---
USAGE_FORMS = ACCEPTED_FORMS

# --- cache, queue and worker ---

# --- LLM summarizer ---

# --- Slack ---

# --- GitHub webhooks and subscriptions ---

# --- web pages and unfurls ---
