"""The invite page at /clinic/invite/: staff make invitations from the browser, as
`psoas clinic invite` does from the terminal, checked by the same code (invitations.py).

A clinician invites patients into their own clinics, with themselves or another clinician
of the clinic as the primary one and, if they know them, the patient's conditions and
limits (the intake shows them as the clinician's answers, prefill.py). A clinic admin also
invites clinicians and admins. The link is shown once, in the answer to the POST that made
it: it is never in a URL (no redirect carries it) nor in a log, and only its hash is kept.
When a mail server is set (CLINIC_INVITE_MAIL), the invitation can also go by email: the
request only queues it, and the worker sends the clinic's name, a link of the email's own
and the expiry, nothing about health (mail.invitation_email).

The page lists the clinic's open invitations; cancelling one ends its link at once (it
then reads as expired). Another clinic's invitation, or a staff invitation for a
clinician who is not an admin, is not found (404), like the thresholds page's writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from psoas.core.content.loader import catalog
from psoas.web.clinic import invitations, mail, scope
from psoas.web.clinic import second_factor as factor
from psoas.web.clinic.models import Invitation, Membership, Role

# invitations.py names its fields as the CLI's flags; the page's fields have these names.
FIELD_OF_FLAG = {
    "--email": "email",
    "--role": "role",
    "--clinician": "clinician",
    "--condition": "conditions",
    "--limit": "limits",
}


def _choices(kind: str) -> list[dict[str, str]]:
    """A profile's ids with their plain names, in the order of the names."""
    known = getattr(catalog(), kind)
    return sorted(({"id": k, "name": v.name} for k, v in known.items()), key=lambda c: c["name"])


def _open_invitations(clinic_ids: list[int]) -> list[Invitation]:
    rows = Invitation.objects.filter(
        clinic_id__in=clinic_ids, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    return list(rows.select_related("clinic", "invited_by").order_by("expires_at", "id"))


def _may_invite(role: str, is_admin: bool) -> bool:
    return role == Role.PATIENT or is_admin


@require_http_methods(["GET", "HEAD", "POST"])
@factor.staff_page
def invite_page(request: HttpRequest) -> HttpResponse:
    """The form and the open invitations; a POST makes one (the answer shows its link, never
    cached: staff pages are no-store) or cancels one (`action=cancel`)."""
    memberships = scope.memberships(request.user)
    clinics = {m.clinic_id: m for m in memberships}
    admin_of = {m.clinic_id for m in scope.admin_memberships(request.user)}
    staff = Membership.objects.filter(clinic_id__in=list(clinics)).select_related("user")
    context: dict[str, Any] = {
        "memberships": memberships,
        "is_admin": bool(admin_of),
        "clinicians": sorted({m.user.username for m in staff}),
        "conditions": _choices("conditions"),
        "limits": _choices("limits"),
        "mail": settings.CLINIC_INVITE_MAIL,
        "days": settings.CLINIC_INVITE_DAYS,
        "given": {"clinician": request.user.username, "role": Role.PATIENT},
    }
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            context["cancelled"] = _cancel(request, list(clinics), admin_of)
        else:
            status = _make(request, clinics, admin_of, context)
    context["open"] = [
        {"row": row, "may_cancel": _may_invite(row.role, row.clinic_id in admin_of)}
        for row in _open_invitations(list(clinics))
    ]
    return render(request, "clinic/invite_page.html", context, status=status)


def _make(
    request: HttpRequest, clinics: dict[int, Any], admin_of: set[int], context: dict[str, Any]
) -> int:
    """Make the invitation the form asks for; the new link (or the field's error) goes in
    the context. Returns the page's status."""
    post = request.POST
    given = {
        "clinic": post.get("clinic", ""),
        "email": post.get("email", "").strip(),
        "role": post.get("role", Role.PATIENT),
        "clinician": post.get("clinician", ""),
        "conditions": post.getlist("conditions"),
        "limits": post.getlist("limits"),
        "send": post.get("send") == "1",
    }
    context["given"] = given
    if len(clinics) == 1 and not given["clinic"]:
        given["clinic"] = str(next(iter(clinics)))
    membership = clinics.get(int(given["clinic"])) if given["clinic"].isdigit() else None
    if membership is None:
        raise Http404("not a clinic you work at")
    if not _may_invite(given["role"], membership.clinic_id in admin_of):
        raise Http404("only a clinic admin invites staff")
    patient = given["role"] == Role.PATIENT
    try:
        new = invitations.invite(
            membership.clinic,
            given["email"],
            given["role"],
            request.build_absolute_uri("/"),
            invited_by=request.user,
            clinician=given["clinician"] if patient else None,
            conditions=given["conditions"] if patient else None,
            limits=given["limits"] if patient else None,
        )
    except invitations.InvitationError as exc:
        field = FIELD_OF_FLAG.get(exc.field, exc.field)
        context["error"] = {"field": field, "text": str(exc).removeprefix(f"{exc.field}: ")}
        return 422
    emailed = bool(given["send"] and settings.CLINIC_INVITE_MAIL)
    if emailed:  # the worker sends it, with a link of its own (mail.invitation_email)
        mail.invitation_email.defer(
            invitation_id=new.row.pk, origin=request.build_absolute_uri("/")
        )
    context["made"] = {
        "new": new,
        "clinic": membership.clinic.name,
        "role": Role(new.role).label,
        "emailed": emailed,
    }
    context["given"] = {"clinician": request.user.username, "role": Role.PATIENT}
    return 200


def _cancel(request: HttpRequest, clinic_ids: list[int], admin_of: set[int]) -> str:
    """End an open invitation of one of the user's clinics (a used, ended or other clinic's
    one is not found); the email it was for."""
    number = request.POST.get("invitation", "")
    rows = _open_invitations(clinic_ids)
    row = next((r for r in rows if str(r.pk) == number), None)
    if row is None or not _may_invite(row.role, row.clinic_id in admin_of):
        raise Http404("no such invitation")
    row.expires_at = timezone.now()
    row.save(update_fields=["expires_at"])
    return row.email
