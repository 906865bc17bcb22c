"""The task queue wrapper: define a job once, defer it with one call, in either mode.

Clinic mode queues jobs in PostgreSQL with Procrastinate, in the caller's transaction,
for `psoas worker` to run with retries; local mode runs them in this process after the
transaction commits. `once` makes a job's effect happen at most once per key. See
docs/jobs.md.
"""

from psoas.jobs.mode import queued
from psoas.jobs.once import done, once
from psoas.jobs.queue import QUEUES, Job, app, task

__all__ = ["QUEUES", "Job", "app", "done", "once", "queued", "task"]
