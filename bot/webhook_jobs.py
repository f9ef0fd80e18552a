"""Old dotted paths of the webhook jobs, kept so jobs queued by the previous release still run.

RQ stores each job's function path in Redis; remove this module once no job queued before the
upgrade can be left (see README, "Upgrading").
"""

from bot.jobs.tasks import fan_out, report_if_touched

__all__ = ["fan_out", "report_if_touched"]
