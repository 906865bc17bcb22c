"""What the clinician said at the invitation (conditions, limits), for the intake: it
starts from these answers and says whose they are, so the patient can check them."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Which intake step shows which of the clinician's answers, and where the names are.
STEP_ANSWERS = {"health": "conditions", "limits": "limits"}


def clinician_answers(person: Any) -> dict[str, list[str]]:
    """The answers as profile fields ({"conditions": [...], "limits": [...]}), or {}."""
    if not settings.CLINIC_MODE:
        return {}
    from psoas.web.clinic.models import Patient

    patient = Patient.objects.filter(person=person).first()
    return dict(patient.clinician_answers) if patient else {}


def names_for_step(request: Any, slug: str) -> list[str]:
    """The names of the clinician's answers that the intake step `slug` asks about."""
    kind = STEP_ANSWERS.get(slug)
    if not settings.CLINIC_MODE or kind is None:
        return []
    from psoas.web.site.people import person_for

    ids = clinician_answers(person_for(request)).get(kind, [])
    if not ids:
        return []
    from psoas.core.content.loader import catalog

    known = getattr(catalog(), kind)
    return [known[i].name for i in ids if i in known]
