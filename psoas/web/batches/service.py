"""Asking for a batch and reading its progress: what the pages show, kept out of them.

A batch is made in one transaction with its jobs (in clinic mode the jobs commit with
the rows), so a worker never takes a job for a row that is not there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from psoas.web.batches.models import BatchReport, ReportBatch, State
from psoas.web.batches.tasks import render_batch_report
from psoas.web.clinic import scope
from psoas.web.clinic.models import Patient


class NoPatients(ValueError):
    """The form named no patient of the asker's, or one they may not see."""


def my_patients(user) -> QuerySet:
    """The patients `user` may ask reports for: those the scope rules let them see."""
    return scope.visible_patients(user).select_related("person").order_by("person__name", "pk")


def chosen(user, public_ids: list[str], everyone: bool) -> list[Patient]:
    patients = my_patients(user)
    if everyone:
        found = list(patients)
        if not found:
            raise NoPatients("Patients: you have no patients yet.")
        return found
    if not public_ids:
        raise NoPatients("Patients: tick at least one patient, or ask for all your patients.")
    found = list(patients.filter(public_id__in=public_ids))
    missing = sorted(set(public_ids) - {p.public_id for p in found})
    if missing:
        raise NoPatients(f"Patients: {', '.join(missing)} is not one of your patients.")
    return found


def ask(user, patients: list[Patient], end: date) -> ReportBatch:
    """Make the batch, one row per patient, and one job per row."""
    with transaction.atomic():
        batch = ReportBatch.objects.create(owner=user, end=end)
        rows = BatchReport.objects.bulk_create(
            BatchReport(batch=batch, person_id=p.person_id) for p in patients
        )
        for row in rows:
            render_batch_report.defer(report_id=row.pk)
    return batch


def owned(user, public_id: str) -> ReportBatch | None:
    """The batch, if `user` asked for it (anyone else's is not found)."""
    return ReportBatch.objects.filter(public_id=public_id, owner=user).first()


@dataclass(frozen=True)
class Line:
    public_id: str
    name: str
    state: str


@dataclass(frozen=True)
class Progress:
    lines: list[Line]

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def ready(self) -> int:
        return sum(line.state == State.READY for line in self.lines)

    @property
    def finished(self) -> int:
        return sum(line.state != State.WAITING for line in self.lines)

    @property
    def skipped(self) -> int:
        return self.finished - self.ready

    @property
    def complete(self) -> bool:
        return self.finished == self.total


def progress(batch: ReportBatch) -> Progress:
    """The batch's rows the asker may still see (the guard drops a patient who left).
    Read as values: the PDFs themselves stay in the database."""
    rows = (
        BatchReport.objects.filter(batch=batch)
        .order_by("person__name", "pk")
        .values(
            "state",
            "file_id",
            "person__name",
            "person__clinic_patient__public_id",
        )
    )
    return Progress(
        [
            Line(
                public_id=row["person__clinic_patient__public_id"],
                name=row["person__name"],
                state=row["state"] if row["state"] != State.READY or row["file_id"] else "expired",
            )
            for row in rows
        ]
    )


def report_file(batch: ReportBatch, public_id: str):
    """The patient's stored PDF in this batch, or None (not theirs, not ready, expired)."""
    row = (
        BatchReport.objects.filter(batch=batch, person__clinic_patient__public_id=public_id)
        .filter(file__expires_at__gt=timezone.now())
        .select_related("file")
        .first()
    )
    return row.file if row is not None and row.file is not None else None


def ready_files(batch: ReportBatch) -> list[tuple[str, int, object]]:
    """(public id, clinic id, file) of every ready report, for the zip."""
    rows = (
        BatchReport.objects.filter(batch=batch, file__expires_at__gt=timezone.now())
        .select_related("file", "person__clinic_patient")
        .order_by("person__name", "pk")
    )
    return [
        (r.person.clinic_patient.public_id, r.person.clinic_patient.clinic_id, r.file) for r in rows
    ]
