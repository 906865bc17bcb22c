"""The queue's own upkeep: jobs left behind by a worker that died, and old rows.

A worker killed mid-job (SIGKILL, a lost machine) leaves its job marked as running. Every
worker writes a heartbeat (`psoas worker`: every third of its --stalled-after); a job
whose worker has written none for that long (STALLED_AFTER_S by default) is stalled and
goes back in the queue, so another worker runs it again. Jobs are written to be run twice
without harm (`psoas.jobs.once`). Each worker does this when it starts, and a periodic
job does it every minute while workers run.

Nightly, jobs that succeeded more than a week ago are deleted (failed ones stay, for the
admins to see and retry), and so are the keys of effects done more than 30 days ago: a
retry or a duplicate comes within hours, not weeks. Expired login sessions go too.
"""

from __future__ import annotations

import logging

from procrastinate import JobContext

from psoas.jobs.queue import app, task

log = logging.getLogger("psoas.jobs")

STALLED_AFTER_S = 30.0  # silent this long: the worker is taken for dead
FINISHED_KEPT_H = 7 * 24  # a job that succeeded is kept this long
KEYS_KEPT_DAYS = 30  # the key of an effect done (JobDone) is kept this long


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


@app.periodic(cron="41 3 * * *")
@app.task(queue="upkeep", queueing_lock="psoas-old-jobs")
async def remove_old_jobs(timestamp: int) -> None:
    """Nightly: jobs that succeeded over a week ago go; failed ones stay."""
    await app.job_manager.delete_old_jobs(nb_hours=FINISHED_KEPT_H)


@task(queue="upkeep", retries=2, cron="29 3 * * *", queueing_lock="psoas-old-keys")
def forget_old_keys(timestamp: int) -> None:
    """Nightly: the keys of effects done more than KEYS_KEPT_DAYS ago."""
    from datetime import timedelta

    from django.utils import timezone

    from psoas.web.jobs.models import JobDone

    JobDone.objects.filter(done_at__lt=timezone.now() - timedelta(days=KEYS_KEPT_DAYS)).delete()


@task(queue="upkeep", retries=2, cron="53 3 * * *", queueing_lock="psoas-old-sessions")
def forget_expired_sessions(timestamp: int) -> None:
    """Nightly: login sessions past their expiry. They live in the database, so that any
    app server can read any of them (docs/deploy.md); Django never deletes them itself."""
    from django.contrib.sessions.backends.db import SessionStore

    SessionStore.clear_expired()
