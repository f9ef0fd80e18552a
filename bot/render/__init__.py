"""Renderers: one report model, shown as Markdown, JSON, Slack blocks or HTML."""
