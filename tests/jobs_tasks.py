"""Jobs for the task-queue tests (tests/jobs_run.py starts real processes with them).

Each job's effect is a Person row named after its key, so a test counts effects with one
query."""

from __future__ import annotations

import time
from pathlib import Path

from psoas import jobs
from psoas.jobs.failures import person_arg


def _effect(key: str) -> None:
    from psoas.web.programs.models import Person

    with jobs.once(key) as first:
        if first:
            Person.objects.create(name=key)


def _first_try(key: str) -> bool:
    """True (and remembered) the first time a job with `key` asks."""
    from psoas.web.programs.models import Person

    _tried, made = Person.objects.get_or_create(name=f"{key}-tried")
    return made


@jobs.task(queue="reports", retries=3, backoff_s=1)
def effect(
    key: str, sleep_s: float = 0, fail_first: bool = False, sleep_after_s: float = 0
) -> None:
    """Waits `sleep_s`, fails on its first try if asked, makes its effect once, then waits
    `sleep_after_s` (a job that is killed after its effect is committed)."""
    time.sleep(sleep_s)
    if fail_first and _first_try(key):
        raise RuntimeError(f"{key}: a failure on the first try")
    _effect(key)
    time.sleep(sleep_after_s)


@jobs.task(queue="reports", retries=0)
def always_fails(key: str) -> None:
    raise RuntimeError(f"{key}: this job always fails")


@jobs.task(queue="reports", retries=1, backoff_s=0, about=person_arg())
def fails_while_missing(person_id: int, key: str, path: str) -> None:
    """A patient's job that fails (twice: one retry) while the file `path` is missing, as
    an email fails while the mail server is down; once it is there, its effect happens."""
    if not Path(path).exists():
        raise ConnectionRefusedError(f"{key}: {path} is missing")
    _effect(key)


def defer_with_data(key: str, rollback: bool, **kwargs) -> None:
    """App code's pattern: write a row and defer its job in one transaction."""
    from django.db import transaction

    from psoas.web.programs.models import Person

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            Person._base_manager.create(name=f"{key}-data")  # the caller's row (unscoped)
            effect.defer(key=key, **kwargs)
            if rollback:
                raise Undo
    except Undo:
        pass
