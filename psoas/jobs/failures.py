"""What the queue keeps of a failed job, for the clinic admins' Failed jobs page.

Procrastinate marks a job `failed` when its retries are spent, but keeps no word of why.
The worker's side of a job (`queue.task`) calls `failed` after each run that raised, and
`succeeded` after a run that did not. A failure is kept by the job's id with the error's
class and the line it came from in psoas: enough for an admin to tell a mail server that
is down from a bug, and nothing of the error's message or the job's arguments, which can
hold a person's name or address. The clinic a failure concerns comes from the job's
`about` (the person it is for): that clinic's admins see it; a job for no one person (a
sweep, upkeep) is seen by every admin.

Writing it must never hide the job's own error: a failure to record is logged and let go.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("psoas.jobs")

PACKAGE = Path(__file__).resolve().parents[1]  # .../psoas
# About a job's arguments: the id of the person it is for, or None (see `queue.task`).
About = Callable[[dict[str, Any]], int | None]


def person_arg(name: str = "person_id") -> About:
    """`about` for a job given the person's id as its argument `name`."""
    return lambda kwargs: kwargs.get(name)


def person_of(model: str, name: str) -> About:
    """`about` for a job given the id of a person's row: `model` ("app.Model"), whose
    primary key is the job's argument `name`."""

    def about(kwargs: dict[str, Any]) -> int | None:
        from django.apps import apps

        rows = apps.get_model(model)._base_manager.filter(pk=kwargs.get(name))
        return rows.values_list("person_id", flat=True).first()

    return about


def place(exc: BaseException) -> str:
    """Where `exc` was raised: the innermost line in psoas's own code ("psoas/jobs/x.py,
    line 9"), or the innermost line at all when psoas's code only called a library."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(PACKAGE)]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "unknown"
    path = Path(frame.filename).resolve()
    shown = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE) else path.name
    return f"{shown}, line {frame.lineno}"


def _patient(person_id: int | None) -> tuple[int | None, str]:
    """The clinic and public id of the patient who is `person_id`, or (None, "")."""
    if person_id is None:
        return None, ""
    from psoas.web.clinic.models import Patient

    row = Patient.all_rows.filter(person_id=person_id).values("clinic_id", "public_id").first()
    return (row["clinic_id"], row["public_id"]) if row else (None, "")


def failed(job: Any, task: str, exc: BaseException, *, final: bool, about: About | None) -> None:
    """Keep (or update) the failure of `job`, a Procrastinate job whose run raised `exc`;
    `final` when the queue will not run it again."""
    from django.db import transaction
    from django.utils import timezone

    from psoas.web.clinic.scope import everyone
    from psoas.web.jobs.models import JobFailure

    try:
        with everyone(), transaction.atomic():
            person_id = about(dict(job.task_kwargs)) if about else None
            clinic_id, public_id = _patient(person_id)
            # Our own count of failed runs: Procrastinate's `attempts` also counts an
            # admin's Retry as one, so after it "after N tries" would be one too high.
            row = JobFailure.objects.select_for_update().filter(job_id=job.id).first()
            if row is None:
                row = JobFailure(job_id=job.id, runs=job.attempts)
            row.task, row.clinic_id, row.patient = task, clinic_id, public_id
            row.error, row.place = type(exc).__name__, place(exc)
            row.runs, row.final, row.failed_at = row.runs + 1, final, timezone.now()
            row.save()
    except Exception as err:  # the job's own error is what the worker must report
        log.warning("job %s: its failure was not recorded (%s)", job.id, type(err).__name__)


def succeeded(job: Any) -> None:
    """`job` ran without error (a retry that worked): its failure is no longer news. A
    job on its first run has none to clear, so most jobs cost no query here."""
    from psoas.web.jobs.models import JobFailure

    if job.attempts == 0:
        return
    try:
        JobFailure.objects.filter(job_id=job.id).delete()
    except Exception as err:
        log.warning("job %s: its old failure was not removed (%s)", job.id, type(err).__name__)
