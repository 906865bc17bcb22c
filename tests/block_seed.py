"""A plan whose six weeks have passed, for the page and API tests of a block's end: every
session done as planned, and an activity check in its first week."""

from __future__ import annotations

from datetime import date, timedelta

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.outcomes.services import save_psfs
from psoas.web.programs.models import Plan
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.tracking.queries import adjusted_session, planned_rows
from psoas.web.tracking.services import log_done_session

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 2,  # three days a week: a quick seed
    "equipment": ["mat", "chair"],
    "pain": {"nprs": 5},
    "assessment": {
        "thomas_test": {"left": "positive", "right": "positive"},
        "hip_flexor_hold_s": {"left": 12, "right": 13},
    },
}
PSFS = {
    "activity_1_name": "sitting through a meeting",
    "activity_1": 3,
    "activity_2_name": "running for the bus",
    "activity_2": 2,
    "activity_3_name": "tying shoes",
    "activity_3": 4,
}


def first_block(profile=PROFILE, days_ago: int = 45) -> Plan:
    """A plan that began `days_ago` days ago, every session up to today done as planned."""
    today = date.today()
    person = local_person()
    version = save_profile(person, profile)
    start = today - timedelta(days=days_ago)
    plan = save_plan(person, version, build_plan(parse_profile(profile)), start)
    save_psfs(person, start, PSFS)
    for slot in plan.scheduled.filter(date__lte=today):
        info = adjusted_session(plan, slot.date)
        rows = planned_rows(info["session"], pain_during=1)
        week, index = info["week"], slot.session_index
        log_done_session(
            person, plan, slot.date, week, index, rows, pain_before=None, pain_after=None
        )
    return plan
