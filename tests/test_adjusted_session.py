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
