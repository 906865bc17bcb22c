"""The jobs that make files: a person's PDF report, and the daily clean-up of old files.

A report is asked for with a token chosen up front (`request_report`), so the asker can
link to /files/TOKEN at once: the link answers 404 until the file is there, and for
anyone but its owner."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.utils import timezone

from psoas import jobs
from psoas.jobs.failures import person_arg
from psoas.web.jobs.models import GeneratedFile
from psoas.web.programs.models import Person

FILE_DAYS = 7  # a generated file can be downloaded for a week, then it is deleted


def new_token() -> str:
    return secrets.token_urlsafe(24)


def request_report(person_id: int, start: date, end: date) -> str:
    """Ask for `person_id`'s report over start..end; the token of the file to come."""
    token = new_token()
    render_report.defer(
        token=token,
        person_id=person_id,
        start=start.isoformat(),
        end=end.isoformat(),
        today=timezone.localdate().isoformat(),
    )
    return token


@jobs.task(queue="reports", retries=3, about=person_arg())
def render_report(token: str, person_id: int, start: str, end: str, today: str) -> None:
    """Render the report PDF and keep it as the person's file `token` (once)."""
    from psoas.web.programs.services import active_plan
    from psoas.web.reports.pdf import report_pdf

    key = f"report:{token}"
    if jobs.done(key):
        return
    person = Person.objects.filter(pk=person_id).first()
    plan = active_plan(person) if person else None
    if plan is None:  # the person or their plan is gone: there is nothing to report
        return
    first_day, last_day = date.fromisoformat(start), date.fromisoformat(end)
    pdf = report_pdf(person, plan, first_day, last_day, date.fromisoformat(today))
    with jobs.once(key) as first:
        if first:
            keep_report(person, f"psoas-report-{start}-to-{end}.pdf", pdf.data, token)


def keep_report(person: Person, name: str, data: bytes, token: str | None = None) -> GeneratedFile:
    """Keep a rendered report as `person`'s file for FILE_DAYS (call it inside jobs.once).
    Their files past expiry go first: local mode runs no nightly job, and a person's
    folder should not keep every report they ever asked for."""
    now = timezone.now()
    GeneratedFile.objects.filter(person=person, expires_at__lte=now).delete()
    return GeneratedFile.objects.create(
        token=token or new_token(),
        person=person,
        kind="report",
        name=name,
        content_type="application/pdf",
        data=data,
        created_at=now,
        expires_at=now + timedelta(days=FILE_DAYS),
    )


@jobs.task(queue="upkeep", retries=2, cron="17 3 * * *", queueing_lock="psoas-expired-files")
def delete_expired_files(timestamp: int) -> None:
    """Nightly in clinic mode: generated files past their expiry are deleted."""
    GeneratedFile.objects.filter(expires_at__lte=timezone.now()).delete()
