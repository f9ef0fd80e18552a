"""Posting to Slack: where a report goes, the poster, and keeping a thread in step with it."""
