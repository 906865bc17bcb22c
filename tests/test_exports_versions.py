"""The calendar over a program a clinician edited: each planned day reads its session in
the version in force that day (psoas/web/programs/versions.py), so the days before the
edit keep the exercise the edit removed and the days from it do not."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from psoas.core.planning.edits import parse_edits
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.exports.ical import calendar
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.programs.versions import edit_plan, plan_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {"schema": "psoas.profile/1", "equipment": ["mat", "chair"], "minutes_per_session": 30}


@pytest.fixture
def edited():
    """A program started 10 days ago; today a clinician removed its first exercise."""
    me = local_person()
    built = build_plan(parse_profile(PROFILE))
    today = date.today()
    plan = save_plan(me, save_profile(me, PROFILE), built, today - timedelta(days=10))
    gone = built["weeks"][0]["sessions"][0]["exercises"][0]
    change = {"kind": "remove", "exercise": gone["id"]}
    done = edit_plan(plan, parse_edits({"reason": "It hurt.", "changes": [change]}), None, today)
    assert done.result.accepted
    return me, plan, gone, today


def test_calendar_days_before_the_edit_keep_the_removed_exercise(edited):
    _me, plan, gone, today = edited
    ics, _count = calendar(plan, time(7, 30), 15, today=today)
    days: dict[date, str] = {}
    for ev in Calendar.from_ical(ics).events:
        if not ev.get("RRULE"):
            continue  # the re-test
        rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=ev.start)
        for start in rule:
            assert start.date() not in days, start  # no day in two events
            days[start.date()] = str(ev["DESCRIPTION"])
    scheduled = {
        d: plan_on(plan, d)["weeks"][week - 1]["sessions"][index]
        for d, week, index in plan.scheduled.values_list("date", "week", "session_index")
    }
    assert set(days) == set(scheduled)
    for d, session in scheduled.items():
        asked = any(e["id"] == gone["id"] for e in session["exercises"])
        assert (f"- {gone['name']}:" in days[d]) == asked, (d, days[d])
    assert any(f"- {gone['name']}:" in days[d] for d in days if d < today)
    assert not any(f"- {gone['name']}:" in days[d] for d in days if d >= today)
