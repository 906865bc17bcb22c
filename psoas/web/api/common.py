"""What every router shares: the active plan or a 404, and errors shaped like ninja's own.

Our own checks (a date in the future, a session that is not yours) answer in the same
shape as ninja's validation errors, so a client reads one format and always finds the
field that was wrong."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja.errors import HttpError, ValidationError
from pydantic import AfterValidator, Field

from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import active_plan


def invalid(loc: list[str | int], msg: str, kind: str = "value_error") -> ValidationError:
    """A 422 naming the field, in ninja's format: {"detail": [{"loc", "msg", "type"}]}."""
    return ValidationError([{"type": kind, "loc": loc, "msg": msg}])


def plan_or_404(person: Person) -> Plan:
    plan = active_plan(person)
    if plan is None:
        raise HttpError(404, "plan: no plan yet; POST /api/plan first")
    return plan


def _not_future(day: date) -> date:
    if day > date.today():
        raise ValueError(f"{day.isoformat()} is in the future; give today or an earlier day")
    return day


NotFuture = Annotated[date, AfterValidator(_not_future)]
Score = Annotated[int, Field(ge=0, le=10, description="0 (none) to 10 (worst)")]
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # larger ids would overflow the database
