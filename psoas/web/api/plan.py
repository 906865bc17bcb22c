"""The plan and the day's session. Building a plan and reading today mirror `psoas init`
and `psoas today --json`; a referral is a normal answer (200, status refer), not an error,
because the plan did its job."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from ninja import Body, Router
from ninja.errors import HttpError

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.api.common import BODY_ERRORS, NotFuture, answers, plan_or_404
from psoas.web.api.schemas import PlanIn, PlanOut
from psoas.web.programs.models import Plan
from psoas.web.programs.services import save_plan
from psoas.web.site.people import person_for
from psoas.web.tracking.day import day_session_for_reading

router = Router(tags=["plan"])


def _out(plan: Plan) -> dict[str, Any]:
    return {
        "plan_id": plan.id,
        "profile_version": plan.profile.version,
        "start_date": plan.start_date,
        "plan": plan.data,
    }


@router.post("/plan", response=answers(PlanOut, *BODY_ERRORS, 404))
def make_plan(request, payload: PlanIn = Body(default=None)):  # noqa: B008
    """Build from the latest profile and make it the active plan."""
    person = person_for(request)
    profile = person.profiles.order_by("-version").first()
    if profile is None:
        raise HttpError(404, "profile: none saved yet; PUT /api/profile first")
    plan = build_plan(parse_profile(profile.data))
    start = (payload.start if payload else None) or date.today()
    return _out(save_plan(person, profile, plan, start))


@router.get("/plan", response=answers(PlanOut, 404))
def get_plan(request):
    return _out(plan_or_404(person_for(request)))


@router.get("/today", response=answers(dict[str, Any], 404, 422))
def today(request, date: NotFuture | None = None):
    """Like `psoas today --json`: a session, a rest day, not started, finished, or refer."""
    person = person_for(request)
    return day_session_for_reading(person, plan_or_404(person), date or dt.date.today())
