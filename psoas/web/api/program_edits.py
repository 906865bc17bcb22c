"""A patient's program for staff (clinic mode; 404 in local mode): read it with its
versions, and edit it with the same change set as the editor page
(psoas/core/planning/edits.py), scoped the same way (the care team and the clinic's
admins; anyone else 404).

A change that breaks a safety rule is a 422 like any invalid input: one entry per rule,
`type` "safety.<rule>", `loc` the change set's `overrides` when a clinician may overrule the
rule (send an override for that rule and exercise, with a reason), else its `changes`.
Nothing is saved then.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from psoas.core.planning.checks import Violation
from psoas.core.planning.edits import EditError, EditSet
from psoas.web.api.common import BODY_ERRORS, answers, invalid, staff_user
from psoas.web.clinic.scope import patient_or_404
from psoas.web.programs.models import Plan
from psoas.web.programs.services import active_plan
from psoas.web.programs.versions import edit_plan, history

router = Router(tags=["clinic program"])


class VersionOut(Schema):
    number: int
    valid_from: date = Field(description="in force from this day")
    saved_at: datetime
    author: str | None = Field(description="who changed it (an email); null: the planner")
    reason: str
    overrides: list[dict[str, Any]] = Field(description="the rules it overruled, and why")
    changes: list[str] = Field(description="what changed from the version before, in words")


class ProgramOut(Schema):
    public_id: str
    version: int = Field(description="the version in force now")
    start_date: date
    plan: dict[str, Any] = Field(description="psoas.plan/1, the version in force now")
    versions: list[VersionOut] = Field(description="newest first")


def _plan(user: Any, public_id: str) -> tuple[Any, Plan]:
    patient = patient_or_404(user, public_id)
    plan = active_plan(patient.person)
    if plan is None:
        raise HttpError(404, "plan: the patient has no plan yet (the intake is not done)")
    return patient, plan


def _out(public_id: str, plan: Plan) -> dict[str, Any]:
    return {
        "public_id": public_id,
        "version": plan.version,
        "start_date": plan.start_date,
        "plan": plan.data,
        "versions": history(plan),
    }


def _refusal(violations: tuple[Violation, ...]) -> ValidationError:
    return ValidationError(
        [
            {
                "type": f"safety.{v.rule}",
                "loc": ["body", "payload", "overrides" if v.overridable else "changes"],
                "msg": (f"week {v.week}: " if v.week else "")
                + v.message
                + (
                    f" A clinician may overrule it: send an override for rule {v.rule} and "
                    f"exercise {v.exercise}, with a reason."
                    if v.overridable
                    else ""
                ),
            }
            for v in violations
        ]
    )


@router.get("/clinic/patients/{public_id}/program", response=answers(ProgramOut, 404))
def read_program(request, public_id: str):
    """The patient's program in force now and every version, with who, when, why and
    what changed."""
    patient, plan = _plan(staff_user(request), public_id)
    return _out(patient.public_id, plan)


@router.post(
    "/clinic/patients/{public_id}/program", response=answers(ProgramOut, *BODY_ERRORS, 404)
)
def edit_program(request, public_id: str, payload: EditSet):
    """Apply a change set (swap, add, remove, dose, start and review dates, overrides with
    reasons) as a new version in force from today; a safety rule broken is a 422 and
    nothing is saved."""
    user = staff_user(request)
    patient, plan = _plan(user, public_id)
    try:
        done = edit_plan(plan, payload, user, timezone.localdate())
    except EditError as err:
        where = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", err.field) if p]
        raise invalid(["body", "payload", *where], str(err).split(": ", 1)[1]) from None
    if not done.result.accepted:
        raise _refusal(done.result.violations)
    return _out(patient.public_id, plan)
