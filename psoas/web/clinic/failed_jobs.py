"""The Failed jobs page: a clinic's admins see the background jobs the queue gave up on
(a report, an email, an alert check, a clip's analysis, the sweep) and put one back in
the queue with Retry.

What a row shows comes from psoas/jobs/failures.py: the job in words, the patient it was
for (their public id, as on the worklist), when it failed, how many runs it had, and the
error's class and line. Never the error's message or the job's arguments. An admin sees
the failures of their clinics' patients and those of jobs for no one patient; another
clinic's is a 404 to Retry, like an unknown one. Procrastinate runs a retried job once
more (its retries were spent); if that run fails too, the row comes back. A row whose job
the queue no longer holds is dropped when someone retries it.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from procrastinate.exceptions import ConnectorException

from psoas.web.audit.trail import actor_name
from psoas.web.clinic import scope
from psoas.web.clinic import second_factor as factor
from psoas.web.jobs.models import JobFailure

# Each job in words, by its task's dotted name.
JOB_WORDS = {
    "psoas.web.jobs.tasks.render_report": "A PDF report a patient asked for",
    "psoas.web.batches.tasks.render_batch_report": "A report in a clinician's batch",
    "psoas.web.clinic.mail.alert_email": "An email about a new alert",
    "psoas.web.clinic.alerts.evaluate_patient": "A patient's alert check",
    "psoas.web.clinic.alerts.sweep": "The alert check of every patient (every 15 minutes)",
    "psoas.web.clips.tasks.analyse_clip": "A video clip's analysis",
    "psoas.web.jobs.tasks.delete_expired_files": "Nightly: deleting expired files",
    "psoas.jobs.upkeep.forget_old_keys": "Nightly: tidying the job records",
    "psoas.jobs.upkeep.forget_expired_sessions": "Nightly: removing expired logins",
}


def _visible(request: HttpRequest) -> QuerySet:
    """The failures this user may see: none unless they are a clinic admin."""
    clinics = [m.clinic_id for m in scope.admin_memberships(request.user)]
    if not clinics:
        raise Http404("for clinic admins")
    return JobFailure.objects.filter(Q(clinic_id__in=clinics) | Q(clinic=None), final=True)


@require_safe
@factor.staff_page
def failed_jobs(request: HttpRequest) -> HttpResponse:
    """The jobs the queue gave up on, newest first."""
    rows = _visible(request).order_by("-failed_at")[:200]
    items = [
        {
            "row": f,
            "what": JOB_WORDS.get(f.task, f.task.rsplit(".", 1)[-1].replace("_", " ").capitalize()),
        }
        for f in rows
    ]
    context = {
        "items": items,
        "retried": request.GET.get("retried") == "1",
        "gone": request.GET.get("gone") == "1",
    }
    return render(request, "clinic/failed_jobs.html", context)


@require_POST
@factor.staff_page
def retry_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Put a failed job back in the queue, to run at once."""
    from psoas.jobs import app

    found = _visible(request).filter(job_id=job_id).first()
    if found is None:
        raise Http404("no such failed job")
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the request's transaction goes on
            app.job_manager.retry_job_by_id(job_id, retry_at=now)
    except (
        DatabaseError,
        ConnectorException,
    ):  # the queue no longer has it (deleted by hand, or running again)
        found.delete()
        return redirect("/clinic/jobs/?gone=1")
    found.final = False
    found.retried_by, found.retried_at = actor_name(request.user), now
    found.save(update_fields=["final", "retried_by", "retried_at"])
    return redirect("/clinic/jobs/?retried=1")
