"""A batch of reports a member of staff asked for, and one row per patient in it.

`ReportBatch` belongs to the staff member who asked: only they see it (another
clinician's batch is not found). `BatchReport` has a `person` field, so the scope guard
(clinic/scope.py) filters it like every person's row: a patient who left the asker's care
drops out of the batch's page and downloads. Each row's PDF is a GeneratedFile, kept in
the database so any app server hands it out."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from psoas.web.clinic.models import new_public_id
from psoas.web.jobs.models import GeneratedFile
from psoas.web.programs.models import Person


class ReportBatch(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_batches"
    )
    created_at = models.DateTimeField(default=timezone.now)
    end = models.DateField()  # each report runs from the patient's first record to this day


class State(models.TextChoices):
    WAITING = "waiting", "waiting"
    READY = "ready", "ready"
    NO_PLAN = "no_plan", "no plan to report on"


class BatchReport(models.Model):
    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="reports")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="batch_reports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    file = models.OneToOneField(GeneratedFile, null=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "person"], name="one_report_per_patient")
        ]
