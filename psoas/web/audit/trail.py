"""Writing the audit trail, in one place: a middleware sees every request a member of
staff makes in clinic mode, so a new staff page is audited by being written, and cannot
forget it. A test walks the authorization matrix's routes to hold this
(tests/test_audit_trail.py).

For each staff request that a page answered (not a 404, a refusal or a trip to the
second-factor page) it writes:
- one row for the request: the patient when the route names one (`.../patients/<public
  id>/...`; none for a list such as the worklist; one row per patient for a download of
  many patients' files, which the view lists in `request.audit_patients`), the action
  (the view's own, set by `@records(...)`, such as a download; else "view" for a read or
  a refused form and "change" for a write that went through), the route's name as the
  kind of record, the staff member and the client's address;
- one row for each kind of person-owned record the request saved or deleted (a program
  version, a message, an alert), with that record's patient, caught by Django's
  post_save and post_delete signals while the request runs.

The address is REMOTE_ADDR. Behind the HTTPS proxy, `psoas serve --behind-https-proxy`
has waitress take it from the proxy's X-Forwarded-For (trusting one proxy), so it is the
client's address there as well, never a header a client could forge past the proxy.

We chose this small model over django-auditlog 3.4.1 (it fits Django 5.2): auditlog
keeps a JSON diff of every changed field, which here is health data (pain, answers,
doses) unless every field of every model is masked, and it skips an update whose masked
fields did not change; its LogEntry can be edited; and it would write on every save of
every person's records in local mode too. The trail must hold ids and actions only.
Patients' own actions are not audited (the records are theirs), except the erasure of
their data, which the clinic must be able to show happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from psoas.web.audit.models import Action, AuditEvent

# Staff routes that show no patient's records: the staff member's own second factor.
NOT_PATIENT_DATA = {"clinic-second-factor"}
# A request the page did not answer (missing, refused, wrong method) read nothing.
UNANSWERED = {401, 403, 404, 405, 410}

_pending: ContextVar[list[tuple[str, str, int]] | None] = ContextVar(
    "psoas_audit_changes", default=None
)


def records(action: str, record: str) -> Callable:
    """Mark a staff view's action and kind of record for its trail row (a download)."""

    def mark(view: Callable) -> Callable:
        view.audit_action = action
        view.audit_record = record
        return view

    return mark


def address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_name(user: Any) -> str:
    return user.email or user.get_username()


# --- model changes during a staff request ----------------------------------------------


def _person_models() -> set[type[models.Model]]:
    from psoas.web.clinic import scope

    return {model for model, _field in scope.person_models()}


_watched: set[type[models.Model]] = set()


def _noted(sender: type[models.Model], instance: models.Model, action: str) -> None:
    changes = _pending.get()
    if changes is None or sender not in _watched:
        return
    from psoas.web.programs.models import Person

    person_id = instance.pk if isinstance(instance, Person) else instance.person_id
    changes.append((sender.__name__, action, person_id))


def _saved(sender, instance, **kwargs) -> None:
    _noted(sender, instance, Action.CHANGE)


def _deleted(sender, instance, **kwargs) -> None:
    _noted(sender, instance, Action.DELETE)


def listen_for_changes() -> None:
    """Watch every person-owned model (the same list the scope guard covers)."""
    _watched.update(_person_models())
    post_save.connect(_saved, dispatch_uid="psoas-audit-saved")
    post_delete.connect(_deleted, dispatch_uid="psoas-audit-deleted")


# --- the request ---------------------------------------------------------------------------


def _staff_path(request: HttpRequest) -> bool:
    from psoas.web.clinic.middleware import STAFF_PATHS

    return request.path.startswith(STAFF_PATHS)


def _verified_staff(request: HttpRequest) -> bool:
    """Asked after the view ran, so a login the view itself checks (an API token) counts."""
    from psoas.web.clinic import scope

    user = getattr(request, "user", None)
    return (
        user is not None
        and user.is_authenticated
        and scope.is_staff_member(user)
        and getattr(user, "is_verified", lambda: False)()
    )


def _patient_of(request: HttpRequest) -> Any:
    """The patient the route names, if this user may see them (as the view found them:
    the request's one look-up, scope.visible_patient)."""
    from psoas.web.clinic import scope

    match = request.resolver_match
    public_id = match.kwargs.get("public_id") if match else None
    if public_id is None or "patients/<" not in match.route:
        return None
    return scope.visible_patient(request.user, public_id)


def _request_row(request: HttpRequest, status: int) -> AuditEvent | None:
    match = request.resolver_match
    if match is None or match.url_name in NOT_PATIENT_DATA or status in UNANSWERED:
        return None
    patient = _patient_of(request)
    if patient is None and "patients/<" in match.route:
        return None  # not one of theirs: the view answered 404
    action = getattr(match.func, "audit_action", None)
    if action is None or status >= 400:  # a refused download or export gave nothing
        wrote = request.method not in ("GET", "HEAD", "OPTIONS") and status < 400
        action = Action.CHANGE if wrote else Action.VIEW
    return AuditEvent(
        actor_id=request.user.pk,
        actor=actor_name(request.user),
        clinic_id=patient.clinic_id if patient else None,
        patient=patient.public_id if patient else "",
        record=getattr(match.func, "audit_record", None) or match.url_name or match.route,
        action=action,
        route=match.url_name or match.route,
        address=address(request),
    )


def _each_patient(request: HttpRequest, row: AuditEvent) -> list[AuditEvent]:
    """The request's row, or one per patient when the view served many patients' records
    at once (a batch's zip sets `request.audit_patients` to their (public id, clinic id))."""
    many = getattr(request, "audit_patients", None)
    if not many:
        return [row]
    return [
        AuditEvent(
            actor_id=row.actor_id,
            actor=row.actor,
            clinic_id=clinic_id,
            patient=public_id,
            record=row.record,
            action=row.action,
            route=row.route,
            address=row.address,
        )
        for public_id, clinic_id in many
    ]


def _change_rows(request: HttpRequest, changes: list[tuple[str, str, int]]) -> Iterator:
    from psoas.web.clinic.models import Patient

    seen = sorted(set(changes))
    people = {p for _, _, p in seen}
    patients = {
        row["person_id"]: row
        for row in Patient.all_rows.filter(person_id__in=people).values(
            "person_id", "public_id", "clinic_id"
        )
    }
    match = request.resolver_match
    for record, action, person_id in seen:
        patient = patients.get(person_id)
        if patient is None:
            continue  # not a clinic patient's record
        yield AuditEvent(
            actor_id=request.user.pk,
            actor=actor_name(request.user),
            clinic_id=patient["clinic_id"],
            patient=patient["public_id"],
            record=record,
            action=action,
            route=(match.url_name or match.route) if match else "",
            address=address(request),
        )


def audit_trail(get_response: Callable[[HttpRequest], HttpResponse]):
    """The middleware (after clinic_session, so inside the request's scope)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.CLINIC_MODE or not _staff_path(request):
            return get_response(request)
        changes: list[tuple[str, str, int]] = []
        token = _pending.set(changes)
        try:
            response = get_response(request)
        finally:
            _pending.reset(token)
        if not _verified_staff(request):
            return response
        rows = [] if response.status_code >= 400 else list(_change_rows(request, changes))
        row = _request_row(request, response.status_code)
        if row is not None:
            rows[:0] = _each_patient(request, row)
        if len(rows) == 1:
            rows[0].save()  # a read's one row: a single INSERT, no transaction around it
        elif rows:
            AuditEvent.objects.bulk_create(rows)
        return response

    return middleware


def patient_erased(request: HttpRequest, public_id: str, clinic_id: int) -> None:
    """The one patient action the trail keeps: they erased their data. The actor is
    named "patient", not by the email that was just erased."""
    match = request.resolver_match
    AuditEvent.objects.create(
        actor_id=request.user.pk,
        actor="patient",
        clinic_id=clinic_id,
        patient=public_id,
        record="patient data",
        action=Action.DELETE,
        route=(match.url_name or "") if match else "",
        address=address(request),
    )
