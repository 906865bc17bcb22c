"""Defining a job once and deferring it with one call, in either mode.

    @jobs.task(queue="reports", retries=5)
    def render_report(person_id: int, token: str) -> None: ...

    render_report.defer(person_id=7, token="...")

In clinic mode `defer` inserts the job on Django's own database connection, so it commits
or rolls back with the data the caller wrote in the same transaction; a worker
(`psoas worker`) runs it, retrying a failure with a growing wait. In local mode `defer`
runs the function in this process once the caller's transaction commits (at once outside
one), so the job sees the same committed data as a worker would. Arguments go through JSON
in both modes, so a job that works locally works in the queue.

Periodic jobs (`cron=`) are deferred by the workers, once per tick however many run: the
database refuses a second job for the same tick. They run in clinic mode only.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django.db_cleanup import DjangoApp
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task

from psoas.jobs import failures
from psoas.jobs.failures import About
from psoas.jobs.mode import queued

# The queues psoas uses; `psoas worker` serves all of them unless told otherwise.
QUEUES = ("alerts", "reports", "mail", "clips", "upkeep")
# The modules that define jobs: a worker imports them before it takes a job.
JOB_MODULES = [
    "psoas.jobs.upkeep",
    "psoas.web.jobs.tasks",
    "psoas.web.batches.tasks",
    "psoas.web.clinic.alerts",
    "psoas.web.clinic.mail",
    "psoas.web.clips.tasks",
    "psoas.web.account.reminders",
]
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF_S = 3  # waits of 3, 9, 27, 81, 243 s between the attempts

app = DjangoApp(connector=DjangoConnector(), import_paths=JOB_MODULES)


@dataclass(frozen=True)
class Job:
    """A job defined with `task`: `defer(**kwargs)` runs it in the background; calling it
    runs it here and now."""

    func: Callable[..., Any]
    task: Task
    name: str

    def defer(self, **kwargs: Any) -> int | None:
        """Queue the job (clinic mode; returns its id) or run it after commit (local
        mode; returns None). Arguments must be JSON values."""
        args = _json_args(self.name, kwargs)
        if queued():
            return self.task.defer(**args)
        from django.db import transaction

        transaction.on_commit(partial(self.func, **args))
        return None

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)


def task(
    *,
    queue: str,
    retries: int = DEFAULT_RETRIES,
    backoff_s: int = DEFAULT_BACKOFF_S,
    cron: str | None = None,
    queueing_lock: str | None = None,
    about: About | None = None,
) -> Callable[[Callable[..., Any]], Job]:
    """Define a job on one of QUEUES. A failure is retried up to `retries` times, after
    backoff_s, backoff_s², backoff_s³... seconds. `cron` ("*/5 * * * *"; a sixth field
    adds seconds) makes the job periodic: it is called with `timestamp`, the tick in Unix
    seconds. `queueing_lock` keeps at most one such job waiting in the queue. `about`
    gives, from the job's arguments, the id of the person the job is for, so that a
    failure shows to their clinic's admins only (psoas/jobs/failures.py)."""
    if queue not in QUEUES:
        raise ValueError(f"queue: '{queue}' is not a psoas queue; use one of {', '.join(QUEUES)}")
    if retries < 0 or backoff_s < 0:
        raise ValueError("retries and backoff_s: use 0 or more")
    strategy = RetryStrategy(max_attempts=retries, exponential_wait=backoff_s) if retries else False

    def wrap(func: Callable[..., Any]) -> Job:
        if inspect.iscoroutinefunction(func):
            raise TypeError(f"{func.__name__}: a job is a plain function, not async")
        run = _as_operator(func)
        worker_side = _kept_on_failure(run, strategy or None, about)
        proc = app.task(
            queue=queue, retry=strategy, queueing_lock=queueing_lock, pass_context=True
        )(worker_side)
        if cron:
            proc = app.periodic(cron=cron)(proc)
        return Job(func=run, task=proc, name=proc.name)

    return wrap


def _as_operator(func: Callable[..., Any]) -> Callable[..., Any]:
    """The job's function, run over every person's records. In clinic mode a query of
    people's rows needs a scope (psoas/web/clinic/scope.py); a job has no logged-in user,
    and the request that deferred it has already checked who may ask for it. Each run logs
    its line (psoas/web/logs.py)."""

    name = f"{func.__module__}.{func.__name__}"

    @functools.wraps(func)
    def run(**kwargs: Any) -> Any:
        from psoas.web.clinic.scope import everyone
        from psoas.web.logs import job_line

        started = time.perf_counter()
        try:
            with everyone():
                result = func(**kwargs)
        except BaseException as exc:
            job_line(name, "failed", started, exc)
            raise
        job_line(name, "ok", started, None)
        return result

    return run


def _kept_on_failure(
    run: Callable[..., Any], strategy: RetryStrategy | None, about: About | None
) -> Callable[..., Any]:
    """The job as the worker runs it: each failed run is kept for the admins' Failed jobs
    page, marked final when the retry strategy gives up; a run that works clears it."""
    name = f"{run.__module__}.{run.__name__}"

    @functools.wraps(run)
    def worker_side(context: JobContext, **kwargs: Any) -> Any:
        job = context.job
        try:
            result = run(**kwargs)
        except Exception as exc:
            final = strategy is None or strategy.get_retry_decision(exception=exc, job=job) is None
            failures.failed(job, name, exc, final=final, about=about)
            raise
        failures.succeeded(job)
        return result

    return worker_side


def _json_args(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments as the worker will see them, after a trip through JSON."""
    for key, value in kwargs.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}: argument '{key}' is a {type(value).__name__}, not a JSON value; "
                "pass ids, strings, numbers, lists or dicts"
            ) from None
    return json.loads(json.dumps(kwargs))
