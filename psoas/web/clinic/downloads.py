"""A clinician's downloads of one of their patients' files: the PDF report, the CSV
tables and the FHIR bundle, the same files the patient gets from their Settings page
(account/downloads.py makes both). For the patient's care team and their clinic's admins;
anyone else gets 404. Each download is a row in the audit trail (action "download")."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from psoas.web.account import downloads
from psoas.web.audit.models import Action
from psoas.web.audit.trail import records
from psoas.web.clinic import scope
from psoas.web.clinic.second_factor import staff_page
from psoas.web.programs.services import active_plan


@records(Action.DOWNLOAD, "report (PDF)")
@require_safe
@staff_page
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    """From the patient's first record to today. Drawn here, at once: one patient's two
    pages take well under a second."""
    patient = scope.patient_or_404(request.user, public_id)
    plan = active_plan(patient.person)
    if plan is None:
        context = {"public_id": patient.public_id}
        return render(request, "audit/no_report.html", context, status=409)
    return downloads.report(patient.person, plan, None, date.today())


@records(Action.DOWNLOAD, "export (CSV)")
@require_safe
@staff_page
def export_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    return downloads.csv_zip(scope.patient_or_404(request.user, public_id).person)


@records(Action.DOWNLOAD, "export (FHIR)")
@require_safe
@staff_page
def export_fhir(request: HttpRequest, public_id: str) -> HttpResponse:
    return downloads.fhir(scope.patient_or_404(request.user, public_id).person)
