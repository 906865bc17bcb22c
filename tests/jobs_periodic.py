"""A periodic job for the task-queue tests: every second, one row named after its tick.

It has no `once` guard on purpose: the test counts one row per tick with two workers
running, which only the queue's own once-per-tick deferral can give."""

from __future__ import annotations

from psoas import jobs


@jobs.task(queue="upkeep", retries=0, cron="* * * * * *")
def tick(timestamp: int) -> None:
    from psoas.web.programs.models import Person

    Person.objects.create(name=f"tick-{timestamp}")
