"""Old dotted path of the link-preview job, kept so jobs queued by the previous release still run.

RQ stores each job's function path in Redis; remove this module once no job queued before the
upgrade can be left (see README, "Upgrading").
"""

from bot.jobs.tasks import build_and_unfurl

__all__ = ["build_and_unfurl"]
