"""Autoregulation on stored records: the day's session changes with how the last went."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.outcomes.services import add_checkin
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.tracking.queries import adjusted_session, planned_rows, session_on
from psoas.web.tracking.services import log_done_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,
    "pain": {"nprs": 4},
    "assessment": {"thomas_test": {"left": "positive"}},
}
START = date(2026, 9, 7)


def _plan():
    person = local_person()
    version = save_profile(person, PROFILE)
    return person, save_plan(person, version, build_plan(parse_profile(PROFILE)), START)


def _log_week(person, plan, week, **extra):
    for slot in plan.scheduled.filter(week=week):
        info = session_on(plan, slot.date)
        rows = planned_rows(info["session"], **extra)
        log_done_session(
            person,
            plan,
            slot.date,
            week,
            slot.session_index,
            rows,
            pain_before=None,
            pain_after=None,
        )


def test_following_the_plan_moves_a_week_on():
    person, plan = _plan()
    _log_week(person, plan, 1)
    info = adjusted_session(plan, START + timedelta(days=7))
    assert info["week"] == 2 and info["changes"] == []
    assert info["session"]["exercises"][0]["dose_week"] == 2


def test_pain_during_steps_an_exercise_back():
    person, plan = _plan()
    _log_week(person, plan, 1)
    _log_week(person, plan, 2, pain_during=7)
    info = adjusted_session(plan, START + timedelta(days=14))
    assert info["week"] == 3
    regressed = [c for c in info["changes"] if c["action"] == "regress"]
    assert regressed and all(c["dose_week"] == 1 for c in regressed)  # one below what hurt
    doses = {e["dose_week"] for e in info["session"]["exercises"]}
    assert doses == {1}


def test_a_missed_week_repeats_it():
    person, plan = _plan()
    _log_week(person, plan, 1)
    info = adjusted_session(plan, START + timedelta(days=15))  # week 2 went by, nothing done
    assert info["week"] == 2
    assert any("again" in m or "repeat" in m.lower() for m in info["messages"])


def test_pain_rise_holds_everything():
    person, plan = _plan()
    _log_week(person, plan, 1)
    add_checkin(person, START + timedelta(days=6), 7, [])  # baseline 4: up by 3
    info = adjusted_session(plan, START + timedelta(days=7))
    assert info["changes"] and all(c["action"] == "hold" for c in info["changes"])
    assert {e["dose_week"] for e in info["session"]["exercises"]} == {1}


def test_a_red_flag_in_a_checkin_stops():
    person, plan = _plan()
    add_checkin(person, START, 3, ["saddle_numbness"])
    assert adjusted_session(plan, START)["status"] == "stop"


def _plan_for(data, start=START):
    person = local_person()
    version = save_profile(person, data)
    return person, save_plan(person, version, build_plan(parse_profile(data)), start)


def test_a_day_follows_its_own_weeks_rules_when_the_doses_are_behind():
    """Plan made at pregnancy week 11: from plan week 3 nothing lies on the back. A person
    who did only week 1 is at program week 2 in calendar week 4, and still gets no supine
    exercise on that day."""
    data = {
        "schema": "psoas.profile/1",
        "age": 30,
        "pregnancy_weeks": 11,
        "equipment": ["mat", "chair", "table"],
        "assessment": {"hip_flexor_hold_s": {"left": 10, "right": 10}},
    }
    person, plan = _plan_for(data)
    supine = {
        e["id"]
        for w in plan.data["weeks"][:2]
        for s in w["sessions"]
        for e in s["exercises"]
        if e["position"] == "supine"
    }
    assert supine  # weeks 1-2 (pregnancy weeks 11-12) still lie on the back
    _log_week(person, plan, 1)
    day = plan.scheduled.filter(week=4).first().date
    info = adjusted_session(plan, day)
    assert info["status"] == "session" and info["week"] == 2
    positions = {e["position"] for e in info["session"]["exercises"]}
    assert "supine" not in positions
    assert all(e["dose_week"] <= 2 for e in info["session"]["exercises"])


def test_an_easy_top_dose_twice_brings_the_ankle_weight_then():
    data = {
        "schema": "psoas.profile/1",
        "age": 40,
        "equipment": ["chair", "ankle_weights"],
        "minutes_per_session": 60,
        "assessment": {"hip_flexor_hold_s": {"left": 10, "right": 10}},
    }
    person, plan = _plan_for(data)
    for week in range(1, 7):
        _log_week(person, plan, week, effort="too_easy", pain_during=0)
    days = list(plan.scheduled.filter(week=6).values_list("date", flat=True))
    info = adjusted_session(plan, days[-1])
    knee = next(e for e in info["session"]["exercises"] if e["id"] == "seated_knee_lift")
    assert "ankle_weights" in knee["equipment"]
    change = next(c for c in info["changes"] if c["id"] == "seated_knee_lift")
    assert change["action"] == "add_weight" and "ankle weight" in change["reason"]
