"""Slack output: mrkdwn escaping and splitting, the channel message, its thread, link previews."""
