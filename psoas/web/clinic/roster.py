"""A list of patients as staff see it: the page at /clinic/ and `psoas clinic patients`
read the same rows. Public ids only: no names, no emails of patients."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery


def rows(patients: QuerySet) -> list[dict[str, Any]]:
    """One dict per patient: public id, clinic, primary clinician's email, when they joined,
    and their last activity (the later of their last session and last pain check-in; None
    before either), newest patients first."""
    from psoas.web.outcomes.models import PainCheckin
    from psoas.web.tracking.models import SessionLog

    annotated = (
        patients.select_related("clinic", "primary_clinician")
        .annotate(
            last_session=_latest(SessionLog, "started_at"),
            last_checkin=_latest(PainCheckin, "created_at"),
        )
        .order_by("-created_at", "public_id")
    )
    out = []
    for p in annotated:
        seen = [t for t in (p.last_session, p.last_checkin) if t is not None]
        out.append(
            {
                "public_id": p.public_id,
                "clinic": p.clinic.name,
                "primary_clinician": p.primary_clinician.email or p.primary_clinician.username,
                "created": p.created_at,
                "last_activity": max(seen) if seen else None,
            }
        )
    return out


def _latest(model: Any, field: str) -> Subquery:
    """The latest `field` of a patient's rows of `model`: one indexed look-up per patient
    (the patients' query is already scoped, so the base manager is right here)."""
    rows = model._base_manager.filter(person_id=OuterRef("person_id")).order_by(f"-{field}")
    return Subquery(rows.values(field)[:1])
