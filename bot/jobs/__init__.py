"""The job queue and everything RQ runs: report jobs, webhook fan-out, link previews, the worker.

``bot.jobs.build_and_post`` is the dotted path report jobs were queued under before the
entry points moved to bot/jobs/tasks.py; it stays importable so a job queued by the previous
release still runs after an upgrade (remove once no such job can be left, see README).
"""

from bot.jobs.tasks import build_and_post

__all__ = ["build_and_post"]
