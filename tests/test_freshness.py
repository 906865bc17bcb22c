"""The data revision that page caches are keyed on changes with every kind of write the
app makes for a person, and only for that person."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from psoas.core.planning.blocks import Measures
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.breaks import services as breaks
from psoas.web.outcomes.services import add_checkin, add_response
from psoas.web.programs.blocks import choose, save_review
from psoas.web.programs.models import Person
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.site.freshness import data_revision, per_revision
from psoas.web.tracking.queries import planned_rows, session_on
from psoas.web.tracking.services import finish_session, record_sets, start_session
from tests.block_seed import first_block

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {"schema": "psoas.profile/1", "age": 40, "sitting_hours_per_day": 8}


def test_every_write_changes_the_revision_of_its_person_only():
    me, other = Person.objects.create(name="me"), Person.objects.create(name="other")
    seen = [data_revision(me.id)]
    theirs = data_revision(other.id)

    def changed() -> None:
        now = data_revision(me.id)
        assert now not in seen, "a write left the revision as it was"
        seen.append(now)
        assert data_revision(other.id) == theirs

    version = save_profile(me, PROFILE)
    changed()
    start = date.today() - timedelta(days=2)
    plan = save_plan(me, version, build_plan(parse_profile(PROFILE)), start)
    changed()
    info = session_on(plan, date.today())
    log = start_session(me, plan, date.today(), info["week"], info["session_index"])
    changed()
    record_sets(log, planned_rows(info["session"])[:1])
    changed()
    finish_session(log, "completed", 3)
    changed()
    add_checkin(me, date.today(), 4, [])
    changed()
    add_response(me, "psfs", "1", date.today(), {"a": 5}, 5.0)
    changed()
    breaks.switch(me, True, source="web")
    changed()
    breaks.save_settings(me, replace(breaks.load_settings(me), interval_min=45))
    changed()
    breaks.record(me, "taken", timezone.now(), source="web")
    changed()


def test_per_revision_computes_once_per_state_and_day():
    me = Person.objects.create(name="me")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    today = date.today()
    assert per_revision(me.id, "t", today, compute) == {"n": 1}
    assert per_revision(me.id, "t", today, compute) == {"n": 1}
    assert per_revision(me.id, "t", today - timedelta(days=1), compute) == {"n": 2}
    add_checkin(me, today, 2, [])
    assert per_revision(me.id, "t", today, compute) == {"n": 3}


def test_a_blocks_retest_and_each_choice_change_the_revision():
    """The end of a block: the re-test is a new row; choosing "see a clinician first" only
    records the choice and its time on that row, and choosing again later does the same."""
    plan = first_block()
    me = plan.person
    seen = [data_revision(me.id)]

    def changed() -> None:
        now = data_revision(me.id)
        assert now not in seen, "a write left the revision as it was"
        seen.append(now)

    after = Measures({"left": "negative", "right": "negative"}, {"left": 20.0}, None, None)
    saved = save_review(me, plan, date.today(), after)  # no pain: no check-in either
    changed()
    choose(me, saved, "see_clinician", None, date.today())
    changed()
    choose(me, saved, "see_clinician", None, date.today())  # after the visit, again
    changed()
