"""Progress read from a real database: pain against baseline, adherence, reached vs plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.outcomes.progress import progress
from psoas.web.outcomes.services import add_checkin
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.tracking.queries import planned_rows, session_on
from psoas.web.tracking.services import log_done_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 50,
    "sitting_hours_per_day": 3,
    "pain": {"nprs": 6},
    "assessment": {"thomas_test": {"left": "positive"}},
}


def test_progress_counts_pain_adherence_and_reached():
    person = local_person()
    start = date(2026, 9, 7)  # a Monday
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), start)
    week1 = [s.date for s in plan.scheduled.filter(week=1)]
    for d in week1[:2]:  # two of the week's sessions done
        info = session_on(plan, d)
        rows = planned_rows(info["session"])
        log_done_session(
            person, plan, d, 1, info["session_index"], rows, pain_before=5, pain_after=4
        )
    add_checkin(person, start, 6, [])
    add_checkin(person, start + timedelta(days=5), 3, [])
    add_checkin(person, start + timedelta(days=8), 9, [])  # after the day asked about
    data = progress(person, start + timedelta(days=6))

    pain = data["pain"]
    assert pain["baseline"] == 6 and pain["latest"] == 3
    assert pain["change"]["improved"] and "2 points" in pain["change"]["message"]
    assert [w["mean"] for w in pain["weekly"]] == [4.5]

    adh = data["adherence"]
    first = adh["weeks"][0]
    assert (first["scheduled"], first["done"]) == (len(week1), 2)
    assert adh["current_streak"] == 0 and adh["longest_streak"] == 2

    reached = {e["exercise_id"]: e for e in data["achieved"]}
    kneeling = reached["kneeling_hip_flexor_stretch"]["weeks"][0]
    assert kneeling["planned_hold_s"] == kneeling["hold_s_done"] == 30


def test_progress_with_nothing_yet():
    person = local_person()
    data = progress(person, date(2026, 1, 1))
    assert data["pain"]["baseline"] is None and data["adherence"]["overall"] is None
    assert data["achieved"] == [] and data["questionnaires"] == []
