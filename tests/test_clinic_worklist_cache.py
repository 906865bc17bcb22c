"""The worklist kept per state of its rows (psoas/web/clinic/worklist.py,
`per_list_revision`), on PostgreSQL: a later visit gets the kept list without reading the
patients again; one clinician's kept list is never another's; every write that changes
what the list shows (the figures the evaluation keeps, an alert fired, acknowledged or
resolved, the care team, a role) shows on the next visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from psoas.web.clinic import alerts, scope, worklist
from psoas.web.clinic.models import Alert, Membership
from psoas.web.outcomes.services import add_checkin
from tests.clinic_seed import (
    as_staff,
    give_plan,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    world,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

TODAY = timezone.localdate()


@pytest.fixture
def w(queue):
    with scope.everyone():
        made = world()
        for key in "AB":
            give_plan(made.patients[key], TODAY - timedelta(20))
        alerts.sweep_all(TODAY)
    return made


def page(client) -> str:
    answer = client.get("/clinic/")
    assert answer.status_code == 200
    return answer.content.decode()


def list_reads(client) -> int:
    """How many queries of the patients' kept figures a visit made."""
    with CaptureQueriesContext(connection) as ctx:
        page(client)
    return sum("clinic_worklistentry" in q["sql"] and "figures" in q["sql"] for q in ctx)


def test_a_later_visit_gets_the_kept_list_and_the_frame_is_drawn_each_time(w):
    cara = as_staff(w.users["cara"])
    assert list_reads(cara) == 1
    assert list_reads(cara) == 0
    # the frame is this visit's own: its log-out form's token is on every page
    assert "csrfmiddlewaretoken" in page(cara)


def test_a_sweep_that_finds_nothing_new_leaves_the_kept_list_valid(w):
    """The fixture's sweep fired alerts (gaps of 20 days) with their figures; the next
    sweep the same day writes no row, so the list kept since stays good."""
    cara = as_staff(w.users["cara"])
    assert list_reads(cara) == 1
    with scope.everyone():
        assert Alert.objects.exists()
        before = worklist.list_revision()
        assert alerts.sweep_all(TODAY) == 0
        assert worklist.list_revision() == before
    assert list_reads(cara) == 0
    # a new day's sweep works the figures out again (the day is in them)
    with scope.everyone():
        alerts.sweep_all(TODAY + timedelta(days=1))
        assert worklist.list_revision() != before


def test_a_second_clinician_never_gets_the_first_ones_kept_list(w):
    a, b = w.patients["A"].public_id, w.patients["B"].public_id
    cara, cole = as_staff(w.users["cara"]), as_staff(w.users["cole"])
    for _ in range(2):  # drawn, then kept: the same for each of them
        mine, theirs = page(cara), page(cole)
        assert f"Patient {a}" in mine and f"Patient {b}" not in mine
        assert f"Patient {b}" in theirs and f"Patient {a}" not in theirs
    admin = page(as_staff(w.users["north_admin"]))
    assert f"Patient {a}" in admin and f"Patient {b}" in admin
    assert w.patients["A"].public_id not in page(as_staff(w.users["sam"]))


def test_an_alert_and_its_handling_show_at_once(w):
    cara = as_staff(w.users["cara"])
    assert "Red flag alert" not in page(cara)
    with scope.everyone():  # what the worker does after the check-in
        add_checkin(w.patients["A"].person, TODAY, 2, ["saddle_numbness"])
        alerts.evaluate_people([w.patients["A"].person_id], TODAY)
        alert = Alert.objects.get(person=w.patients["A"].person, rule="red_flag")
    shown = page(cara)
    assert "Red flag alert" in shown and "(acknowledged)" not in shown
    url = f"/clinic/alerts/{alert.public_id}/"
    assert cara.post(url, {"action": "acknowledge", "note": "called"}).status_code in (200, 302)
    assert "(acknowledged)" in page(cara)
    assert cara.post(url, {"action": "resolve", "note": "seen in clinic"}).status_code in (200, 302)
    assert "Red flag alert" not in page(cara)


def test_a_changed_care_team_or_role_shows_at_once(w):
    a = w.patients["A"]
    cara, cole = as_staff(w.users["cara"]), as_staff(w.users["cole"])
    assert f"Patient {a.public_id}" not in page(cole)
    with scope.everyone():
        a.other_clinicians.add(w.users["cole"])
    assert f"Patient {a.public_id}" in page(cole)
    with scope.everyone():
        a.other_clinicians.remove(w.users["cole"])
    assert f"Patient {a.public_id}" not in page(cole)
    page(cara)
    with scope.everyone():
        type(a).objects.filter(pk=a.pk).update(primary_clinician=w.users["cole"])
    assert f"Patient {a.public_id}" not in page(cara)
    assert f"Patient {a.public_id}" in page(cole)
    Membership.objects.filter(user=w.users["cole"]).update(role="admin")
    assert "Clinic admin at North Physio" in page(cole)


def test_a_review_date_shows_and_is_marked_due_once_it_has_come(w):
    """A clinician's edit of the dates (a new program version) shows on the next visit:
    a date to come, then one that has come, marked due."""
    from psoas.core.planning.edits import EditSet
    from psoas.web.programs.versions import edit_plan

    a = w.patients["A"]
    cara = as_staff(w.users["cara"])
    assert "<dt>Review</dt>" not in page(cara)
    with scope.everyone():
        plan = a.person.plans.get(active=True)
        later = TODAY + timedelta(days=14)
        edits = EditSet.model_validate({"review_date": later.isoformat(), "reason": "two weeks"})
        assert edit_plan(plan, edits, w.users["cara"], TODAY).version is not None
    shown = page(cara)
    assert f"<dt>Review</dt><dd>{later.day} {later:%b %Y}</dd>" in shown
    with scope.everyone():
        plan.refresh_from_db()
        edits = EditSet.model_validate({"review_date": TODAY.isoformat(), "reason": "today"})
        assert edit_plan(plan, edits, w.users["cara"], TODAY).version is not None
    assert f"<strong>Due</strong> since {TODAY.day} {TODAY:%b %Y}" in page(cara)
