"""The report's figures (psoas/web/reports/data.py) over a program a clinician edited: a
report that ends before the edit reads the version in force on its days, for the program
and for what happens next time to an exercise that hurt."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from psoas.core.planning.edits import parse_edits
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.programs.versions import edit_plan
from psoas.web.reports.data import report_data
from psoas.web.tracking.queries import planned_rows
from psoas.web.tracking.services import finish_session, record_sets, start_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {"schema": "psoas.profile/1", "equipment": ["mat", "chair"], "minutes_per_session": 30}


def test_a_report_ending_before_an_edit_that_removed_an_exercise_that_hurt():
    me = local_person()
    built = build_plan(parse_profile(PROFILE))
    today = date.today()
    plan = save_plan(me, save_profile(me, PROFILE), built, today - timedelta(days=10))
    first = plan.scheduled.order_by("date").first()
    log = start_session(me, plan, first.date, first.week, first.session_index)
    rows = planned_rows(built["weeks"][first.week - 1]["sessions"][first.session_index])
    rows[0].update(status="stopped_for_pain", pain_during=6)
    record_sets(log, rows)
    finish_session(log, "done", 2)
    hurt = rows[0]["exercise_id"]
    removed = {"kind": "remove", "exercise": hurt}
    edited = edit_plan(
        plan, parse_edits({"reason": "It hurt her.", "changes": [removed]}), None, today
    )
    assert edited.result.accepted
    end = today - timedelta(days=5)  # before the edit: the version 1 days ahead still have it
    report = report_data(me, plan, first.date, end, today)
    row = next(r for r in report["stepped_back"] if r["painful"].startswith("1"))
    assert row["next"] != "Not in the current plan."
