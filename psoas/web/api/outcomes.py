"""Check-ins, history and progress. A warning sign answered yes in a check-in stops the
program (as `psoas checkin` does): the check-in, the new profile version and the referral
plan are saved together, so the program is never left half-stopped."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from ninja import Router
from pydantic import Field

from psoas.web.api.common import BODY_ERRORS, NotFuture, answers, invalid, plan_or_404
from psoas.web.api.schemas import CheckinIn, CheckinOut
from psoas.web.outcomes.progress import progress as read_progress
from psoas.web.outcomes.services import add_checkin
from psoas.web.programs.services import stop_for_referral
from psoas.web.site.people import person_for
from psoas.web.tracking.day import settle_stop
from psoas.web.tracking.queries import history as read_history
from psoas.web.tracking.warning_signs import api_answer

router = Router(tags=["outcomes"])


@router.post("/checkins", response=answers(CheckinOut, *BODY_ERRORS, 404))
def checkin(request, payload: CheckinIn):
    """Pain now and the safety check: `none_of_these: true`, or the warning signs answered
    yes in `red_flags` (one stops the program and refers). Without an answer, 422."""
    flags, problem = api_answer(payload.red_flags, payload.none_of_these)
    if problem:  # a missing answer is never read as "none"
        raise invalid(["body", "payload", "none_of_these"], problem)
    person = person_for(request)
    plan = plan_or_404(person)
    day = payload.date or dt.date.today()
    with transaction.atomic():
        saved = add_checkin(person, day, payload.nprs, flags, payload.note)
        if flags:
            referral = stop_for_referral(person, plan, flags)
        else:  # a stop the rules found earlier, shown by reads, is saved now
            referral = settle_stop(person, plan, day)
    return {
        "checkin_id": saved.id,
        "date": day,
        "nprs": saved.nprs,
        "red_flags": flags,
        "referral": referral,
    }


@router.get("/history", response=answers(list[dict[str, Any]], 422))
def history(request, limit: Annotated[int, Field(ge=1, le=10_000)] | None = None):
    """Sessions, newest first, each with its sets (like `psoas history --json`)."""
    return read_history(person_for(request), limit)


@router.get("/progress", response=answers(dict[str, Any], 422))
def progress(request, date: NotFuture | None = None):
    """Pain against the baseline, adherence and what was reached (`psoas progress --json`)."""
    return read_progress(person_for(request), date or dt.date.today())
