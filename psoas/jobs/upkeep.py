"""The queue's own upkeep: jobs left behind by a worker that died.

A worker killed mid-job (SIGKILL, a lost machine) leaves its job marked as running. Every
worker writes a heartbeat; a job whose worker has not written one for STALLED_AFTER_S is
stalled and goes back in the queue, so another worker runs it again. Jobs are written to
be run twice without harm (`psoas.jobs.once`). Each worker does this when it starts, and
a periodic job does it every minute while workers run.
"""

from __future__ import annotations

import logging

from procrastinate import JobContext

from psoas.jobs.queue import app

log = logging.getLogger("psoas.jobs")

HEARTBEAT_S = 10.0  # how often a worker says it is alive (Procrastinate's default)
STALLED_AFTER_S = 30.0  # silent this long: the worker is taken for dead


async def retry_stalled(stalled_after_s: float = STALLED_AFTER_S) -> int:
    """Put the jobs of workers silent for `stalled_after_s` back in the queue; how many."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s)
    for job in stalled:
        log.warning("job %s (%s) was left by a stopped worker; queued again", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="* * * * *")
@app.task(queue="upkeep", queueing_lock="psoas-retry-stalled", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Every minute: stalled jobs back in the queue (once, however many workers run), by
    the worker's own measure of silence (`psoas worker --stalled-after`)."""
    extra = context.additional_context or {}
    await retry_stalled(extra.get("stalled_after_s", STALLED_AFTER_S))
