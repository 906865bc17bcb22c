"""Invitations: a single-use link that makes an account in a clinic, as a patient, a
clinician or a clinic admin.

The link carries a 192-bit random code; the database keeps only its SHA-256, so a copy of
the store gives no working link (and backups leave invitations out). A link works once and
until it expires (CLINIC_INVITE_DAYS, 7 days unless PSOAS_INVITE_DAYS says otherwise).
Looking at it changes nothing, so a mail program's link preview does not spend it: only
the form it shows, sent with a password, uses it.

The link shown to whoever made the invitation is never queued or logged. When it should
also go by email, the worker makes a second code for the email (`email_link`) and keeps
its hash beside the first: either link uses the one invitation, so the queue's tables
never hold a working link.

A patient invitation names the primary clinician and may carry the conditions and limits
the clinician knows of; they are checked against the profile's ids here, and the intake
shows them as the clinician's answers (prefill.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from psoas.web.clinic import scope
from psoas.web.clinic.models import Clinic, Invitation, Membership, Patient, Role
from psoas.web.link_codes import LinkState, code_hash, new_code, state_of

PATH = "/invite/"
CODE_BYTES = 24


class InvitationError(ValueError):
    """Bad input for an invitation: `field` names what is wrong (a CLI flag's name)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class NewInvitation:
    url: str
    email: str
    role: str
    expires_at: datetime
    row: Invitation  # for the email that may carry the link (mail.send_invitation)


def lifetime() -> timedelta:
    return timedelta(days=settings.CLINIC_INVITE_DAYS)


def normal_email(email: str, field: str = "--email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError(field, f"'{email}' is not an email address") from None
    return email


def _profile_ids(kind: str) -> list[str]:
    from psoas.core.content.loader import catalog

    return sorted(getattr(catalog(), kind))


def check_ids(values: list[str], kind: str, field: str) -> list[str]:
    """Conditions or limits as the profile knows them; anything else names the field."""
    allowed = _profile_ids(kind)
    for value in values:
        if value not in allowed:
            raise InvitationError(field, f"'{value}' is not one of {', '.join(allowed)}")
    return sorted(set(values))


def _staff_in(clinic: Clinic, email: str, field: str):
    user = get_user_model().objects.filter(username=email).first()
    if user is None or not Membership.objects.filter(user=user, clinic=clinic).exists():
        raise InvitationError(field, f"'{email}' is not a member of staff at {clinic.name}")
    return user


def invite(
    clinic: Clinic,
    email: str,
    role: str,
    origin: str,
    *,
    invited_by: Any = None,
    clinician: str | None = None,
    conditions: list[str] | None = None,
    limits: list[str] | None = None,
) -> NewInvitation:
    """A new invitation and the one link that uses it (shown once: only its hash is kept)."""
    email = normal_email(email)
    if role not in Role.values:
        raise InvitationError("--role", f"'{role}' is not a role; use {', '.join(Role.values)}")
    existing = get_user_model().objects.filter(username=email).first()
    primary = None
    if role == Role.PATIENT:
        conditions = check_ids(conditions or [], "conditions", "--condition")
        limits = check_ids(limits or [], "limits", "--limit")
        if not clinician:
            raise InvitationError("--clinician", "a patient needs a primary clinician's email")
        primary = _staff_in(clinic, normal_email(clinician, "--clinician"), "--clinician")
        if existing is not None:
            raise InvitationError("--email", f"'{email}' has an account already")
    else:
        if clinician or conditions or limits:
            raise InvitationError(
                "--clinician" if clinician else "--condition" if conditions else "--limit",
                "is for a patient's invitation only",
            )
        if existing is not None and Membership.objects.filter(user=existing, clinic=clinic):
            raise InvitationError("--email", f"'{email}' is on the staff of {clinic.name} already")
        if existing is not None and hasattr(existing, "person"):
            raise InvitationError("--email", f"'{email}' is a patient's account")
    code = new_code(CODE_BYTES)
    row = Invitation.objects.create(
        clinic=clinic,
        role=role,
        email=email,
        code_hash=code_hash(code),
        expires_at=timezone.now() + lifetime(),
        invited_by=invited_by,
        primary_clinician=primary,
        conditions=conditions or [],
        limits=limits or [],
    )
    return NewInvitation(_link(origin, code), email, role, row.expires_at, row)


def _link(origin: str, code: str) -> str:
    return f"{origin.rstrip('/')}{PATH}?{urlencode({'code': code})}"


def email_link(row: Invitation, origin: str) -> str:
    """A second link to the same invitation, for its email: a new code whose hash is kept
    in `mail_code_hash` (saved in the caller's transaction, so a send that fails keeps
    none). Raises InvitationError when the invitation was used, ended or cancelled."""
    if state_of(row) is not LinkState.OK:
        raise InvitationError("invitation", "was used or has ended; make a new one")
    code = new_code(CODE_BYTES)
    row.mail_code_hash = code_hash(code)
    row.save(update_fields=["mail_code_hash"])
    return _link(origin, code)


def look_up(code: str) -> tuple[LinkState, Invitation | None]:
    """What a code is, without using it (a GET must not change anything)."""
    hashed = code_hash(code)
    rows = Invitation.objects.filter(Q(code_hash=hashed) | Q(mail_code_hash=hashed))
    row = rows.select_related("clinic").first()
    return state_of(row), row


def has_account(row: Invitation) -> bool:
    """A member of staff at another clinic joins this one with the password they have."""
    return get_user_model().objects.filter(username=row.email).exists()


def accept(code: str, password: str) -> tuple[LinkState, Any]:
    """Use a code: make the account (or, for staff who have one, check their password)
    and its place in the clinic, once. Returns the state and the user (None unless OK).
    A bad password raises ValidationError with the reasons; the link stays unused."""
    state, row = look_up(code)
    if state is not LinkState.OK:
        return state, None
    users = get_user_model()
    with transaction.atomic():
        now = timezone.now()
        taken = Invitation.objects.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now)
        if not taken.select_for_update().exists():
            return look_up(code)[0], None
        user = users.objects.filter(username=row.email).first()
        if user is None:
            user = users(username=row.email, email=row.email)
            validate_password(password, user)
            user.set_password(password)
            user.save()
        elif row.role == Role.PATIENT:  # made since the invitation: one account a person
            raise ValidationError("This email has an account already. Log in with it.")
        elif not user.check_password(password):
            raise ValidationError("This is not the password of your account.")
        taken.update(used_at=now)
        if row.role == Role.PATIENT:
            _make_patient(row, user)
        else:
            Membership.objects.create(user=user, clinic=row.clinic, role=row.role)
    return LinkState.OK, user


def _make_patient(row: Invitation, user: Any) -> Patient:
    from psoas.web.programs.models import Person

    answers = {k: v for k, v in (("conditions", row.conditions), ("limits", row.limits)) if v}
    with scope.everyone():  # nobody is logged in yet: the new person is theirs
        person = Person.objects.create(user=user)
        return Patient.objects.create(
            person=person,
            clinic=row.clinic,
            primary_clinician=row.primary_clinician,
            clinician_answers=answers,
        )
