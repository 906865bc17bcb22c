"""The audit trail for a clinic's admins: a page, filtered by patient and by member of
staff, 50 rows a page, and the same rows as a CSV file. Each admin sees their own
clinics' rows only: rows about those clinics' patients, and the list pages (such as the
worklist) their staff opened. Anyone else gets 404. Reading the page and exporting the
file are themselves rows of the trail (the export's action is "export"). There is no
page that edits or deletes a row."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from psoas.web.account.downloads import attachment
from psoas.web.audit.models import Action, AuditEvent
from psoas.web.audit.trail import records
from psoas.web.clinic import scope
from psoas.web.clinic.models import Membership
from psoas.web.clinic.second_factor import staff_page

PER_PAGE = 50
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
CSV_COLUMNS = ("when_utc", "staff", "patient", "record", "action", "route", "address")


def _filtered(request: HttpRequest) -> tuple[QuerySet, dict[str, Any]]:
    """The rows this admin may read, with the page's filters applied; and the form."""
    clinics = [m.clinic_id for m in scope.admin_memberships(request.user)]
    if not clinics:
        raise Http404("for clinic admins")
    staff_ids = Membership.objects.filter(clinic_id__in=clinics).values("user_id")
    rows = AuditEvent.objects.filter(
        Q(clinic_id__in=clinics) | Q(clinic_id__isnull=True, actor_id__in=staff_ids)
    )
    staff = sorted(
        {
            m.user.email or m.user.get_username()
            for m in Membership.objects.filter(clinic_id__in=clinics).select_related("user")
        }
    )
    patient = request.GET.get("patient", "").strip()
    member = request.GET.get("staff", "").strip()
    errors = {}
    if patient and not PUBLIC_ID.fullmatch(patient):
        errors["patient"] = (
            "Patient: a patient's id is up to 32 letters, digits, - or _, such as kLw_VQNPDk4VNvBA."
        )
    elif patient:
        rows = rows.filter(patient=patient)
    if member and member not in staff:
        errors["staff"] = "Staff member: choose one of your clinic's staff from the list."
    elif member:
        rows = rows.filter(actor=member)
    form = {"patient": patient, "staff": member, "staff_choices": staff, "errors": errors}
    return rows, form


@require_safe
@staff_page
def trail_page(request: HttpRequest) -> HttpResponse:
    rows, form = _filtered(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    kept = {k: form[k] for k in ("patient", "staff") if form[k] and not form["errors"]}
    context = {
        "page": page,
        "form": form,
        "query": urlencode(kept),
        "action_words": dict(Action.choices),
    }
    return render(request, "audit/trail.html", context, status=400 if form["errors"] else 200)


@records(Action.EXPORT, "audit trail")
@require_safe
@staff_page
def trail_csv(request: HttpRequest) -> HttpResponse:
    rows, form = _filtered(request)
    if form["errors"]:
        context = {"page": None, "form": form, "query": "", "action_words": dict(Action.choices)}
        return render(request, "audit/trail.html", context, status=400)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in rows.iterator():
        writer.writerow(
            (e.at.isoformat(), e.actor, e.patient, e.record, e.action, e.route, e.address or "")
        )
    name = f"psoas-audit-{date.today().isoformat()}.csv"
    return attachment(out.getvalue().encode("utf-8"), name, "text/csv; charset=utf-8")
