"""Whom a request acts for: the one place pages and the API ask.

Local mode has one person and no login (or a login that guards the one person's data off
loopback). Clinic mode has many: the logged-in patient is the person; staff are not
patients, so the patient pages are not found for them (404) and their start page is
/clinic/ (psoas/web/clinic). Staff reach a patient's records by the patient's public id
through psoas.web.clinic.scope, never through here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404

from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person


def person_for(request: Any) -> Person:
    if not settings.CLINIC_MODE:
        return local_person()
    user = getattr(request, "user", None)
    person = None
    if user is not None and user.is_authenticated:
        person = Person.objects.filter(user=user, clinic_patient__isnull=False).first()
    if person is None:
        raise Http404("these pages are a patient's own")
    return person
