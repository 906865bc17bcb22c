"""Clinic alerts in the store and the worklist, on PostgreSQL (psoas/web/clinic/alerts.py,
worklist.py and their pages).

The writes that matter queue an evaluation in the writer's transaction (clinic mode); a
real in-process Procrastinate worker (the in-memory connector, as tests/test_jobs_local.py
runs it) takes the alerts queue, so each trigger is shown firing without any sweep. Then:
idempotent reruns and duplicated jobs give one row, the worklist's order and figures, a
fixed number of queries for 3 and 30 patients, scoping (another clinic's alert is 404),
handling with notes, and the thresholds page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from psoas.core.alerts.records import Records
from psoas.web.clinic import alerts, scope
from psoas.web.clinic.models import Alert, Patient, WorklistEntry
from psoas.web.outcomes.services import add_checkin, add_response
from psoas.web.programs.models import Person
from psoas.web.tracking.services import finish_session, record_exercise, start_session
from tests.clinic_seed import (
    as_patient,
    as_staff,
    give_plan,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    run_queue,
    world,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

TODAY = date.today()


@pytest.fixture
def w(queue):
    with scope.everyone():
        made = world()
        for key in "AB":
            give_plan(made.patients[key], TODAY - timedelta(20))
    return made


def rows(patient: Patient, rule: str | None = None) -> list[Alert]:
    with scope.everyone():
        found = Alert.objects.filter(person=patient.person)
        return list(found.filter(rule=rule) if rule else found)


def test_a_red_flag_before_a_session_fires_at_once_without_a_sweep(w, queue):
    a = w.patients["A"]
    client = as_patient(w.users["patient_a"])
    answer = client.post(
        "/api/sessions",
        {"pain_before": 2, "red_flags": ["saddle_numbness"]},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "refer"
    assert rows(a) == []  # queued with the write, not yet run
    seen = run_queue(queue, "alerts")
    assert {j["task_name"] for j in seen} == {"psoas.web.clinic.alerts.evaluate_patient"}
    [alert] = rows(a, "red_flag")
    assert alert.flag == "saddle_numbness" and alert.level == "emergency"
    assert alert.severity == "critical" and alert.status == "open"
    assert rows(w.patients["B"]) == []


def test_a_red_flag_without_pain_given_fires_from_the_stopped_program(w, queue):
    a = w.patients["A"]
    client = as_patient(w.users["patient_a"])
    answer = client.post(
        "/api/sessions", {"red_flags": ["trouble_peeing"]}, content_type="application/json"
    )
    assert answer.json()["status"] == "refer"
    run_queue(queue, "alerts")
    [alert] = rows(a, "red_flag")
    assert alert.flag == "trouble_peeing" and alert.evidence[0]["ref"].startswith("profile:")


def test_pain_up_on_two_check_ins_in_a_row_fires_on_the_second(w, queue):
    a = w.patients["A"]
    with scope.everyone():
        add_checkin(a.person, TODAY - timedelta(2), 5, [])
    run_queue(queue, "alerts")
    assert rows(a, "pain_rise") == []  # one report up is not yet an alert
    with scope.everyone():
        add_checkin(a.person, TODAY - timedelta(1), 6, [])
    run_queue(queue, "alerts")
    [alert] = rows(a, "pain_rise")
    assert alert.severity == "high" and "5/10" in alert.message and "6/10" in alert.message


def test_a_pain_stop_during_a_session_fires_at_once(w, queue):
    a = w.patients["A"]
    with scope.everyone():
        log = start_session(a.person, a.person.plans.get(active=True), TODAY, 1, 0)
        record_exercise(
            log,
            "glute_bridge",
            [{"side": "both", "set_number": 1, "status": "stopped_for_pain", "pain_during": 7}],
        )
    run_queue(queue, "alerts")
    [alert] = rows(a, "pain_stop")
    assert alert.fired_on == TODAY
    with scope.everyone():
        finish_session(log, "stopped_for_pain", 6)  # the session saved: the same episode
    run_queue(queue, "alerts")
    assert len(rows(a, "pain_stop")) == 1


def test_the_store_builds_rows_the_checked_constructors_accept_unchanged(w):
    """The sweep reads rows through the unchecked `trusted` path: each must equal the row
    the public, checking constructor makes of the same fields."""
    a = w.patients["A"]
    with scope.everyone():
        add_checkin(a.person, TODAY - timedelta(3), 4, [])
        add_checkin(a.person, TODAY - timedelta(2), 5, ["trouble_peeing", "saddle_numbness"])
        add_response(a.person, "psfs", "1", TODAY - timedelta(2), {}, 6.5)
        log = start_session(a.person, a.person.plans.get(active=True), TODAY, 1, 0)
        record_exercise(log, "glute_bridge", [
            {"side": "both", "set_number": 1, "status": "done", "pain_during": 2},
            {"side": "both", "set_number": 2, "status": "stopped_for_pain", "pain_during": 7},
        ])  # fmt: skip
        finish_session(log, "stopped_for_pain", 6)
        rec = alerts.records_for([a.person_id])[a.person_id]
    kinds = ("pain", "sessions", "psfs", "screens")
    assert all(getattr(rec, k) for k in kinds)
    assert ("saddle_numbness", "trouble_peeing") in {s.red_flags for s in rec.screens}
    checked = Records(
        pain_baseline=rec.pain_baseline,
        scheduled=rec.scheduled,
        **{k: [type(row)(**vars(row)) for row in getattr(rec, k)] for k in kinds},
    )
    assert checked == rec and vars(checked) == vars(rec)


def test_reruns_and_duplicated_jobs_leave_one_row_per_episode(w, queue):
    a = w.patients["A"]
    with scope.everyone():
        add_checkin(a.person, TODAY - timedelta(1), 2, ["saddle_numbness"])
    for _ in range(3):
        alerts.evaluate_patient.defer(person_id=a.person_id)
    seen = run_queue(queue, "alerts")
    assert len(seen) == 4 and {j["status"] for j in seen} == {"succeeded"}
    with scope.everyone():
        assert alerts.evaluate_people([a.person_id], TODAY) == 0  # nothing new
        assert alerts.sweep_all(TODAY) == len(rows(w.patients["B"]))  # B's own, if any
    keys = [r.key for r in rows(a)]
    assert len(keys) == len(set(keys)) and len(rows(a, "red_flag")) == 1


def test_an_ended_episode_stays_as_it_fired_until_resolved(w, queue):
    a = w.patients["A"]
    with scope.everyone():
        add_checkin(a.person, TODAY - timedelta(3), 1, ["saddle_numbness"])
        alerts.evaluate_people([a.person_id], TODAY)
        [first] = rows(a, "red_flag")
        add_checkin(a.person, TODAY - timedelta(1), 1, [])  # the sign is gone
        alerts.evaluate_people([a.person_id], TODAY)
    [again] = rows(a, "red_flag")
    assert (again.pk, again.status, again.message) == (first.pk, "open", first.message)


def test_the_sweep_fires_the_no_session_alert_once(w):
    b = w.patients["B"]  # planned 20 days ago, never a session
    with scope.everyone():
        assert alerts.sweep_all(TODAY) >= 1
        assert alerts.sweep_all(TODAY) == 0
    [alert] = rows(b, "no_session")
    assert alert.severity == "high"  # 20 days: past no_session_high_days (14)


def test_a_gap_still_going_rises_to_high_on_the_same_row(w):
    b = w.patients["B"]  # planned 20 days ago, never a session
    with scope.everyone():
        alerts.evaluate_people([b.person_id], TODAY - timedelta(10))  # 11 days: low
        [low] = rows(b, "no_session")
        alerts.evaluate_people([b.person_id], TODAY)
    [high] = rows(b, "no_session")
    assert (low.severity, high.severity, high.pk) == ("low", "high", low.pk)
    assert "No session for 11 days" in low.message  # from the eve of the first planned day
    assert "No session for 21 days" in high.message


# --- handling --------------------------------------------------------------------------------


def red_flag_for_a(w) -> Alert:
    with scope.everyone():
        add_checkin(w.patients["A"].person, TODAY, 2, ["saddle_numbness"])
        alerts.evaluate_people([w.patients["A"].person_id], TODAY)
    return rows(w.patients["A"], "red_flag")[0]


def test_another_clinics_staff_and_other_clinicians_get_404_on_an_alert(w):
    alert = red_flag_for_a(w)
    url = f"/clinic/alerts/{alert.public_id}/"
    for who in ("south_admin", "sam", "cole"):
        answer = as_staff(w.users[who]).post(url, {"action": "acknowledge", "note": "seen"})
        assert answer.status_code == 404, who
    assert as_staff(w.users["cara"]).post("/clinic/alerts/no-such-id/", {}).status_code == 404
    assert rows(w.patients["A"], "red_flag")[0].status == "open"
    page = as_staff(w.users["south_admin"]).get("/clinic/alerts/").content.decode()
    assert alert.public_id not in page and "No open alerts" in page


def test_acknowledge_then_resolve_with_notes_and_clear_refusals(w):
    alert = red_flag_for_a(w)
    cara = as_staff(w.users["cara"])
    url = f"/clinic/alerts/{alert.public_id}/"
    page = cara.get("/clinic/alerts/").content.decode()
    assert "Red flag alert:" in page and "Emergency: advise emergency care now." in page
    too_long = cara.post(url, {"action": "acknowledge", "note": "x" * 1001})
    assert too_long.status_code == 422
    assert "note: write at most 1000 characters, not 1001" in too_long.content.decode()
    ok = cara.post(url, {"action": "acknowledge", "note": "Called the patient."})
    assert ok.status_code == 302 and ok["Location"] == "/clinic/alerts/?done=acknowledge"
    no_note = cara.post(url, {"action": "resolve", "note": "  "})
    assert no_note.status_code == 422
    assert "note: say in a few words how it was resolved" in no_note.content.decode()
    assert cara.post(url, {"action": "resolve", "note": "Seen in A&E; fine."}).status_code == 302
    done = rows(w.patients["A"], "red_flag")[0]
    assert done.status == "resolved" and done.resolve_note == "Seen in A&E; fine."
    assert (
        done.acknowledged_by == w.users["cara"] and done.acknowledge_note == "Called the patient."
    )
    again = cara.post(url, {"action": "resolve", "note": "again"})
    assert again.status_code == 422 and "already resolved" in again.content.decode()


def test_a_get_of_the_handling_url_is_refused(w):
    alert = red_flag_for_a(w)
    assert as_staff(w.users["cara"]).get(f"/clinic/alerts/{alert.public_id}/").status_code == 405


# --- the worklist ----------------------------------------------------------------------------


def test_worklist_orders_by_need_with_its_figures_and_scope(w):
    red_flag_for_a(w)  # A: a red flag today; B: quiet for 20 days
    with scope.everyone():
        alerts.sweep_all(TODAY)
    page = as_staff(w.users["north_admin"]).get("/clinic/").content.decode()
    a, b = w.patients["A"].public_id, w.patients["B"].public_id
    assert page.index(a) < page.index(b)
    assert "Red flag alert:</strong> Red flag. Emergency: advise emergency care now." in page
    assert "Alert (high):</strong> No session" in page
    assert "0 % in 7 days" in page  # B did nothing of what was due
    assert "2/10, baseline 3/10: better by 1, a real change" in page  # A's pain (33 %)
    assert w.patients["S"].public_id not in page
    cara = as_staff(w.users["cara"]).get("/clinic/").content.decode()
    assert a in cara and b not in cara
    only = as_staff(w.users["north_admin"]).get(f"/clinic/?q={b[:6]}").content.decode()
    assert b in only and f"Patient {a}" not in only


def more_patients(w, n: int) -> None:
    cara = w.users["cara"]
    with scope.everyone():
        for i in range(n):
            person = Person.objects.create(name=f"extra {i}")
            Patient.objects.create(person=person, clinic=w.north, primary_clinician=cara)
            add_checkin(person, TODAY, 4, [])
        alerts.sweep_all(TODAY)


def worklist_queries(w) -> int:
    client = as_staff(w.users["north_admin"])
    client.get("/clinic/")  # the session and the login's first reads
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/clinic/").status_code == 200
    return len(ctx.captured_queries)


def test_worklist_reads_a_fixed_number_of_queries_for_3_or_30_patients(w):
    more_patients(w, 1)
    few = worklist_queries(w)
    more_patients(w, 27)
    with scope.everyone():
        assert WorklistEntry.objects.filter(person__clinic_patient__clinic=w.north).count() == 30
    assert worklist_queries(w) == few <= 18  # the login, second factor, scope, audit


# --- the thresholds page ---------------------------------------------------------------------


def test_thresholds_page_is_for_admins_and_names_the_field_and_range(w):
    assert as_staff(w.users["cara"]).get("/clinic/settings/").status_code == 404
    admin = as_staff(w.users["north_admin"])
    page = admin.get("/clinic/settings/").content.decode()
    assert "North Physio" in page and "South Physio" not in page
    assert "A whole number from 2 to 90." in page  # no_session_days
    fields = {n: str(v) for n, v in alerts.Thresholds().model_dump().items()}
    bad = admin.post("/clinic/settings/", {**fields, "clinic": w.north.id, "no_session_days": "1"})
    assert bad.status_code == 422
    assert "no_session_days must be a whole number from 2 to 90" in bad.content.decode()
    other = admin.post("/clinic/settings/", {**fields, "clinic": w.south.id})
    assert other.status_code == 404
    good = admin.post("/clinic/settings/", {**fields, "clinic": w.north.id, "no_session_days": "5"})
    assert good.status_code == 302
    w.north.refresh_from_db()
    assert w.north.alert_thresholds["no_session_days"] == 5
    assert alerts.thresholds_of(w.north).no_session_days == 5
