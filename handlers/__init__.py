"""Entry points: the command line, Slack, GitHub webhooks and web pages. They import bot/."""
