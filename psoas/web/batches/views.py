"""The batch pages: ask for reports, watch them get ready, download them.

Staff only, after the second factor; 404 in local mode and for anyone but the batch's
owner. The PDFs come from the database (any app server serves them). "Download all"
zips the stored PDFs in the request: they are drawn already, so the zip only copies
bytes (stored, not compressed: a PDF is compressed inside), which takes well under a
second for 200 reports. Each download leaves an audit row per patient: the single
report's route names the patient, and the zip lists its patients for the trail."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from psoas.web.account.downloads import attachment
from psoas.web.audit.models import Action
from psoas.web.audit.trail import records
from psoas.web.batches import service
from psoas.web.clinic.second_factor import staff_page

POLL_MS = 3000  # how often the batch page asks again while reports are being drawn


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def ask(request: HttpRequest) -> HttpResponse:
    """The form: tick patients, or ask for all; then the new batch's page."""
    error = ""
    ticked: list[str] = []
    if request.method == "POST":
        ticked = request.POST.getlist("patient")
        everyone = request.POST.get("all") == "1"
        try:
            patients = service.chosen(request.user, ticked, everyone)
        except service.NoPatients as bad:
            error = str(bad)
        else:
            batch = service.ask(request.user, patients, date.today())
            return redirect("batch", batch_id=batch.public_id)
    context = {
        "patients": service.my_patients(request.user),
        "batches": request.user.report_batches.order_by("-created_at")[:10],
        "ticked": set(ticked),
        "error": error,
    }
    return render(request, "batches/ask.html", context, status=400 if error else 200)


def _owned_or_404(request: HttpRequest, batch_id: str):
    batch = service.owned(request.user, batch_id)
    if batch is None:
        raise Http404("no such batch")
    return batch


@require_safe
@staff_page
def batch(request: HttpRequest, batch_id: str) -> HttpResponse:
    found = _owned_or_404(request, batch_id)
    context = {"batch": found, "progress": service.progress(found), "poll_ms": POLL_MS}
    return render(request, "batches/batch.html", context)


@records(Action.DOWNLOAD, "report (PDF)")
@require_safe
@staff_page
def report(request: HttpRequest, batch_id: str, public_id: str) -> HttpResponse:
    """One patient's PDF; the route names the patient, so the trail's row does too."""
    found = service.report_file(_owned_or_404(request, batch_id), public_id)
    if found is None:
        raise Http404("not ready, or not in this batch")
    return attachment(bytes(found.data), f"{public_id}-{found.name}", found.content_type)


@records(Action.DOWNLOAD, "reports (zip)")
@require_safe
@staff_page
def download_all(request: HttpRequest, batch_id: str) -> HttpResponse:
    found = _owned_or_404(request, batch_id)
    progress = service.progress(found)
    if not progress.complete:
        context = {"batch": found, "progress": progress, "poll_ms": POLL_MS, "not_yet": True}
        return render(request, "batches/batch.html", context, status=409)
    files = service.ready_files(found)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for public_id, _clinic, file in files:
            archive.writestr(f"{public_id}-{file.name}", bytes(file.data))
    request.audit_patients = [(public_id, clinic) for public_id, clinic, _ in files]
    name = f"psoas-reports-{found.created_at.date().isoformat()}.zip"
    return attachment(buffer.getvalue(), name, "application/zip")
