"""The store on a real database: SQLite here, and PostgreSQL too when CI configures it
(the Makefile runs this file again with PSOAS_DATABASE_URL pointing at PostgreSQL)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from django.db import IntegrityError

from psoas.core.planning.planner import build_plan
from psoas.core.planning.schedule import schedule, week_pattern
from psoas.core.profile import parse_profile
from psoas.web.programs.models import Plan, ProfileVersion, ScheduledSession
from psoas.web.programs.services import (
    active_plan,
    local_person,
    save_plan,
    save_profile,
    stop_for_referral,
)
from psoas.web.tracking.models import SessionLog, SetLog
from psoas.web.tracking.queries import history, planned_rows, session_on
from psoas.web.tracking.services import finish_session, log_done_session, record_sets, start_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,
    "equipment": ["chair"],
    "assessment": {"thomas_test": {"left": "positive"}},
}
START = date(2026, 11, 2)


def _setup(profile=PROFILE):
    person = local_person()
    version = save_profile(person, profile)
    plan = save_plan(person, version, build_plan(parse_profile(profile)), START)
    return person, plan


def test_profile_versions_are_kept():
    person = local_person()
    v1 = save_profile(person, {**PROFILE, "age": 40})
    v2 = save_profile(person, {**PROFILE, "age": 41})
    assert (v1.version, v2.version) == (1, 2)
    assert ProfileVersion.objects.get(pk=v1.pk).data["age"] == 40
    with pytest.raises(IntegrityError):
        ProfileVersion.objects.create(person=person, version=2, data={})


def test_one_local_person():
    assert local_person().pk == local_person().pk


def test_plan_saved_with_its_schedule():
    person, plan = _setup()
    assert active_plan(person) == plan and plan.profile.version == 1
    days = list(ScheduledSession.objects.filter(plan=plan).values_list("date", flat=True))
    assert len(days) == 42  # daily for six weeks
    strength = ScheduledSession.objects.filter(plan=plan, session_index=0, week=1)
    dates = sorted(s.date for s in strength)
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(dates))
    _, plan2 = _setup()
    assert active_plan(person) == plan2
    assert not Plan.objects.get(pk=plan.pk).active


def test_session_on_days():
    _, plan = _setup()
    first = session_on(plan, START)
    assert first["status"] == "session" and first["week"] == 1
    assert session_on(plan, START - timedelta(days=1))["status"] == "not_started"
    assert session_on(plan, START + timedelta(days=43))["status"] == "plan_finished"


def test_sets_saved_per_exercise_and_history_reads_them():
    person, plan = _setup()
    info = session_on(plan, START)
    log = start_session(person, plan, START, 1, info["session_index"], pain_before=3)
    ex = info["session"]["exercises"][0]
    rows = planned_rows({"exercises": [ex]}, effort="too_easy", pain_during=1)
    record_sets(log, rows)
    finish_session(log, SessionLog.Status.COMPLETED, pain_after=2)
    [h] = history(person)
    assert h["status"] == "completed" and h["pain_after"] == 2
    assert len(h["sets"]) == len(rows) and h["sets"][0]["effort"] == "too_easy"


def test_a_failed_log_saves_nothing():
    person, plan = _setup()
    rows = planned_rows(session_on(plan, START)["session"])
    rows[-1]["status"] = None  # NOT NULL: the last insert fails
    with pytest.raises(IntegrityError):
        log_done_session(person, plan, START, 1, 0, rows, pain_before=None, pain_after=None)
    assert SessionLog.objects.count() == 0 and SetLog.objects.count() == 0


def test_checkin_red_flag_stops_the_program_and_keeps_history():
    person, plan = _setup()
    referral = stop_for_referral(person, plan, ["trouble_peeing"])
    assert referral["level"] == "emergency"
    now = active_plan(person)
    assert now.data["status"] == "refer" and now.profile.version == 2
    assert ProfileVersion.objects.get(person=person, version=1).data.get("red_flags") is None


def test_week_pattern_keeps_strength_days_apart():
    for n in range(4, 8):
        pattern = week_pattern([3, n - 3])
        strength = [d for d, i in pattern if i == 0]
        assert len(strength) == 3 and len(pattern) == n
        assert all(b - a >= 2 for a, b in itertools.pairwise(strength))
    plan = build_plan(parse_profile(PROFILE))
    assert len(schedule(plan, START)) == 42


FIRST_USE = """
import sys, time
from psoas.web.bootstrap import setup
setup()
from psoas.web.programs.services import local_person
time.sleep(max(0, float(sys.argv[1]) - time.time()))
print(local_person().pk)
"""


def test_processes_starting_at_once_on_an_empty_store_make_one_person(env):
    """The web app, the break runner and the CLI may each ask for the local person first,
    at the same moment: they find one person between them, not one each."""
    first = subprocess.run(
        [sys.executable, "-c", "from psoas.web.bootstrap import setup; setup()"], env=env
    )
    assert first.returncode == 0
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_USE, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    answers = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(answers) == 1 and answers != {""}
