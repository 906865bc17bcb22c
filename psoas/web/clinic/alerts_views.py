"""The alert pages: the open alerts of the patients a user may see, acknowledging or
resolving one with a note (POST, same origin: Django's CSRF check), and a clinic's alert
thresholds for its admins. Another clinic's alert is not found (404), like an unknown one."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from psoas.core.alerts.rules import urgency
from psoas.core.alerts.thresholds import Thresholds, ThresholdsError, allowed, parse_thresholds
from psoas.web.clinic import alerts, scope, worklist
from psoas.web.clinic import second_factor as factor
from psoas.web.clinic.models import Alert

# The thresholds page: each field's words (the allowed range comes from the core).
FIELDS = {
    "pain_rise_points": "Pain up by at least (points out of 10)",
    "pain_rise_reports": "Pain up on this many reports in a row",
    "no_session_days": "No session for this many days",
    "no_session_high_days": "No session for this many days: high",
    "psfs_drop_points": "Activity score (PSFS) down by at least (points)",
    "completion_below_pct": "Completion under this share (%)",
    "completion_days": "Completion counted over this many days",
}


def _alerts_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    rows = list(worklist.open_alerts().select_related("person__clinic_patient"))
    rows.sort(key=urgency)
    items = [
        {**worklist.alert_words(a), "patient": a.person.clinic_patient.public_id} for a in rows
    ]
    context = {"items": items, "note_max": alerts.NOTE_MAX, **extra}
    return render(request, "clinic/alerts.html", context, status=status)


@require_safe
@factor.staff_page
def alert_list(request: HttpRequest) -> HttpResponse:
    """Open alerts, most urgent first: red flags and pregnancy warning signs on top."""
    return _alerts_page(request, done=request.GET.get("done") in ("acknowledge", "resolve"))


@require_POST
@factor.staff_page
def alert_handle(request: HttpRequest, public_id: str) -> HttpResponse:
    found = Alert.objects.filter(public_id=public_id).first()  # scoped by the guard
    if found is None:
        raise Http404("no such alert")
    action = request.POST.get("action", "")
    try:
        alerts.handle(found, action, request.user, request.POST.get("note", ""))
    except alerts.HandlingError as exc:
        return _alerts_page(request, status=422, error=str(exc), error_for=public_id)
    return redirect(f"/clinic/alerts/?done={action}")


# --- the thresholds page -------------------------------------------------------------------


def _fields(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": n, "label": label, "allowed": allowed(n), "value": values.get(n)}
        for n, label in FIELDS.items()
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@factor.staff_page
def thresholds_page(request: HttpRequest) -> HttpResponse:
    """A clinic's alert thresholds, for the clinic's admins only (404 for anyone else)."""
    clinics = [m.clinic for m in scope.admin_memberships(request.user)]
    if not clinics:
        raise Http404("for clinic admins")
    forms = {c.id: _fields(alerts.thresholds_of(c).model_dump()) for c in clinics}
    errors: dict[int, str] = {}
    saved = request.GET.get("saved") == "1"
    if request.method == "POST":
        clinic = next((c for c in clinics if str(c.id) == request.POST.get("clinic")), None)
        if clinic is None:
            raise Http404("not a clinic you run")
        given = {n: request.POST.get(n, "").strip() for n in FIELDS}
        try:
            data = {n: _number(n, v) for n, v in given.items()}
            clean = parse_thresholds(data)
        except ThresholdsError as exc:
            errors[clinic.id] = str(exc).removeprefix("thresholds: ")
            forms[clinic.id] = _fields(given)
        else:
            clinic.alert_thresholds = clean.model_dump()
            clinic.save(update_fields=["alert_thresholds"])
            return redirect("/clinic/settings/?saved=1")
    context = {
        "clinics": [
            {"clinic": c, "fields": forms[c.id], "error": errors.get(c.id)} for c in clinics
        ],
        "saved": saved,
    }
    return render(request, "clinic/thresholds.html", context, status=422 if errors else 200)


def _number(name: str, text: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        raise ThresholdsError(f"{name} must be {allowed(name)} (got {text!r})") from None
    whole = Thresholds.model_fields[name].annotation is int
    return int(value) if whole and value.is_integer() else value
