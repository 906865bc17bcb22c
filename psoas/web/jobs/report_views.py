"""A person's own report made by the task queue: /reports/ asks (a POST), and
/reports/TOKEN/ says how it is going and links to the file when it is ready.

In clinic mode the PDF is rendered by `psoas worker`, not in the request, and any app
server can show the page and hand out the file: the job and the file are rows in the
database. In local mode the job runs in this process right after the POST, so the page
shows the link at once. A token that is not this person's answers 404, as /files/ does."""

from __future__ import annotations

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from psoas.web.jobs.models import live_file
from psoas.web.jobs.tasks import render_report, request_report
from psoas.web.programs.services import active_plan
from psoas.web.reports.data import first_day
from psoas.web.site.people import person_for

WAITING = ("todo", "doing")


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    person = person_for(request)
    if active_plan(person) is None:
        context = {"error": "Report: there is no plan yet, so there is nothing to report."}
        return render(request, "jobs/report_ask.html", context, status=409)
    if request.method != "POST":
        return render(request, "jobs/report_ask.html", {})
    today = timezone.localdate()
    token = request_report(person.pk, min(first_day(person) or today, today), today)
    return redirect(f"/reports/{token}/")


def _job_state(token: str, person_id: int) -> str | None:
    """'waiting' or 'failed' for this person's queued report job, None if there is none."""
    if not apps.is_installed("procrastinate.contrib.django"):
        return None  # no queue (local mode): the job ran right after the POST
    from procrastinate.contrib.django.models import ProcrastinateJob

    job = (
        ProcrastinateJob.objects.filter(
            task_name=render_report.name, args__token=token, args__person_id=person_id
        )
        .order_by("-id")
        .values_list("status", flat=True)
        .first()
    )
    if job is None:
        return None
    return "waiting" if job in WAITING else "failed"


@never_cache
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    person = person_for(request)
    made = live_file(person, token)
    state = "ready" if made else _job_state(token, person.pk)
    if state is None:
        raise Http404("no such report")
    context = {"state": state, "file": made, "token": token}
    return render(request, "jobs/report_status.html", context)
