"""What jobs leave behind: the keys of effects already done, and generated files.

`JobDone` makes a retried or duplicated job harmless: its key is written in the same
transaction as the job's effect, and the key is unique, so the effect commits once
(psoas.jobs.once). `GeneratedFile` holds what a job made for a person (a PDF report) in
the database, so any app server can hand it out; each has an opaque token for its link
and an expiry. Its `person` field puts it under clinic mode's scoping like every other
row of a person's."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from psoas.web.programs.models import Person


class JobDone(models.Model):
    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(auto_now_add=True)


class GeneratedFile(models.Model):
    token = models.CharField(max_length=64, unique=True)  # the link's id; guesses find nothing
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="generated_files")
    kind = models.CharField(max_length=20)  # "report"
    name = models.CharField(max_length=200)  # the file name a download gets
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]


def live_file(person: Person, token: str) -> GeneratedFile | None:
    """`person`'s file `token` while it has not expired; None for anyone else's, an unknown
    token or an expired file alike."""
    return GeneratedFile.objects.filter(
        token=token, person=person, expires_at__gt=timezone.now()
    ).first()


class JobFailure(models.Model):
    """A queued job's failed run, for the clinic admins' Failed jobs page: what failed
    (the task, the error's class and the line it came from, never its message or the
    job's arguments, which can hold a person's details), whose clinic it concerns, and
    whether the queue has given up on it (`final`: its retries are spent). Kept by the
    job's id; a later run that succeeds removes it (psoas/jobs/failures.py)."""

    job_id = models.BigIntegerField(unique=True)  # Procrastinate's job id
    task = models.CharField(max_length=200)  # its dotted name
    clinic = models.ForeignKey(
        "clinic.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # None: no one patient's job (a sweep, upkeep): every admin sees it
    patient = models.CharField(max_length=40, blank=True)  # the patient's public id, if any
    error = models.CharField(max_length=200)  # the exception's class
    place = models.CharField(max_length=300)  # "psoas/web/clinic/mail.py, line 95"
    runs = models.PositiveIntegerField(default=1)  # runs so far, this one included
    final = models.BooleanField(default=False)  # no retry left: an admin may retry it
    failed_at = models.DateTimeField(default=timezone.now)
    retried_by = models.CharField(max_length=200, blank=True)  # the admin's name, if any
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["final", "failed_at"])]
