"""A clinician's program editor and a program's versions (psoas/web/programs/versions.py,
psoas/web/clinic/program.py), on PostgreSQL: an edit is a new version of the same plan, so
a session done under version 1 stays version 1 (the player's day, the report) while today
uses version 2; a change that breaks a safety rule is refused with the rule in plain
words and nothing saved; an override needs its own reason and is shown to the patient; the
history tells who, when, why and what changed; another clinic's patient is not found."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta

import pytest

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.clinic import scope
from psoas.web.programs.models import Plan, ProgramVersion, ScheduledSession
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.programs.versions import plan_on
from psoas.web.reports.data import report_data
from psoas.web.tracking.day import log_day
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.queries import adjusted_session, session_on
from tests.clinic_seed import as_patient, as_staff, clinic_mode, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "equipment": ["mat", "chair"],
    "minutes_per_session": 30,
}
HIP_PROFILE = {
    **PROFILE,
    "conditions": ["hip_replacement_posterior"],
    "hip_replacement_weeks": 6,
}
SAME = "http://testserver"  # the test client's own origin: a change from the same site
HIP = "condition.hip_replacement_posterior"
CSV = "psoas-export/program_versions.csv"
KNEEL = "kneeling_hip_flexor_stretch"
REASON = "Her knees ache on the floor, so fewer reps for now."
CLEARED = "Her surgeon lifted the hip rules on 20 November."


def _plan(patient, profile, start):
    person = patient.person
    version = save_profile(person, profile)
    return save_plan(person, version, build_plan(parse_profile(profile)), start)


@pytest.fixture
def w():
    made = world()
    today = date.today()
    with scope.everyone():
        start = today - timedelta(days=7)
        made.plan_a = _plan(made.patients["A"], PROFILE, start)
        made.plan_b = _plan(made.patients["B"], HIP_PROFILE, today)
        # patient A did the first session of the program, under version 1
        made.first_day = ScheduledSession.objects.filter(plan=made.plan_a).earliest("date").date
        person = made.patients["A"].person
        log_day(person, made.plan_a, made.first_day, adjusted_session(made.plan_a, made.first_day))
    return made


def url(w, key="A", tail=""):
    return f"/clinic/patients/{w.patients[key].public_id}/program/{tail}"


def post(client, address, **data):
    return client.post(address, data, HTTP_ORIGIN=SAME)


def entry(data, week, ex_id):
    return next(
        e for s in data["weeks"][week - 1]["sessions"] for e in s["exercises"] if e["id"] == ex_id
    )


@clinic_mode
def test_the_care_team_sees_the_program_and_another_clinic_gets_404(w):
    cara = as_staff(w.users["cara"])
    page = cara.get(url(w))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Week 1" in text and "Glute bridge" in text and "Add an exercise" in text
    chosen = cara.get(url(w) + "?exercise=glute_bridge").content.decode()
    assert "Change glute bridge" in chosen and "Reps (10 to 15 reps)" in chosen
    assert as_staff(w.users["north_admin"]).get(url(w)).status_code == 200
    for who in ("sam", "south_admin", "cole"):
        client = as_staff(w.users[who])
        assert client.get(url(w)).status_code == 404
        assert client.get(url(w, tail="history/")).status_code == 404
        body = {"action": "dose", "exercise": "glute_bridge", "reps": "11", "reason": REASON}
        assert post(client, url(w), **body).status_code == 404
    assert as_patient(w.users["patient_a"]).get(url(w)).status_code == 404
    with scope.everyone():
        assert Plan.objects.get(pk=w.plan_a.pk).version == 1
        assert not ProgramVersion.objects.exists()


@clinic_mode
def test_a_dose_change_is_version_2_and_a_past_session_keeps_version_1(w):
    cara = as_staff(w.users["cara"])
    body = {"action": "dose", "exercise": "glute_bridge", "reps": "11", "reason": REASON}
    done = post(cara, url(w), **body)
    assert done.status_code == 303 and done["Location"].endswith("?saved=2")
    assert "Saved as version 2" in cara.get(done["Location"]).content.decode()
    today = date.today()
    with scope.everyone():
        plan = Plan.objects.get(pk=w.plan_a.pk)
        assert plan.version == 2
        rows = list(ProgramVersion.objects.filter(plan=plan).values_list("number", "reason"))
        assert rows == [(1, ""), (2, REASON)]
        v2 = ProgramVersion.objects.get(plan=plan, number=2)
        assert v2.author == w.users["cara"] and v2.valid_from == today
        # today and later: version 2; the day of the logged session: version 1
        assert entry(plan_on(plan, today), 1, "glute_bridge")["reps"] == 11
        assert entry(plan_on(plan, w.first_day), 1, "glute_bridge")["reps"] == 10
        past = session_on(plan, w.first_day)["session"]["exercises"]
        assert {e["id"]: e["reps"] for e in past}["glute_bridge"] == 10
        log = SessionLog.objects.get(plan=plan)
        assert log.sets.filter(exercise_id="glute_bridge").first().planned_reps == 10
        report = report_data(plan.person, plan, w.first_day, w.first_day, today)
        assert (
            "10 reps" in next(r for r in report["program"] if r["name"] == "Glute bridge")["dose"]
        )
        # the schedule and the logs stay tied to the one program
        assert plan.scheduled.count() > 0 and log.plan_id == plan.pk
    # the CSV export keeps every version, who and why
    export = cara.get(f"/clinic/patients/{w.patients['A'].public_id}/export/csv")
    with zipfile.ZipFile(io.BytesIO(export.getvalue())) as zf:
        versions = list(csv.DictReader(io.StringIO(zf.read(CSV).decode("utf-8"))))
    assert [(v["number"], v["changed_by"], v["reason"]) for v in versions] == [
        ("1", "", ""),
        ("2", "cara@north.example", REASON),
    ]
    assert entry(json.loads(versions[0]["data"]), 1, "glute_bridge")["reps"] == 10
    history = cara.get(url(w, tail="history/")).content.decode()
    assert "Version 2" in history and "Version 1" in history
    assert "cara@north.example" in history and REASON in history
    assert "Glute bridge: 1 set of 10 reps" in history and "now 1 set of 11 reps" in history
    # the patient sees the new version at once, as their clinician's choice
    patient = as_patient(w.users["patient_a"])
    plan_page = patient.get("/plan/").content.decode()
    assert f"Your clinician changed this: {REASON}" in plan_page


@clinic_mode
def test_a_change_that_breaks_a_safety_rule_is_refused_and_nothing_is_saved(w):
    cara = as_staff(w.users["cara"])
    body = {"action": "dose", "exercise": "glute_bridge", "sets": "9", "reason": REASON}
    refused = post(cara, url(w), **body)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "breaks a safety rule, so nothing was saved" in text
    assert "Sets must be 1 to 3" in text and "This rule cannot be overruled" in text
    assert REASON in text  # what was typed stays
    no_reason = post(cara, url(w), action="dose", exercise="glute_bridge", reps="11")
    assert no_reason.status_code == 422 and "at least 3 characters" in no_reason.content.decode()
    not_a_number = post(cara, url(w), **{**body, "sets": "two"})
    assert "type a whole number" in not_a_number.content.decode()
    moved = post(
        cara, url(w), action="dates", start_date=date.today().isoformat(), reason="Later start."
    )
    assert moved.status_code == 422 and "so its start date stays" in moved.content.decode()
    with scope.everyone():
        assert Plan.objects.get(pk=w.plan_a.pk).version == 1
        assert not ProgramVersion.objects.exists()


@clinic_mode
def test_an_override_needs_its_own_reason_and_the_patient_sees_it(w):
    cole = as_staff(w.users["cole"])
    body = {"action": "add", "exercise": KNEEL, "session": "1", "reason": "Add a hip stretch."}
    refused = post(cole, url(w, "B"), **body)
    assert refused.status_code == 422
    text = refused.content.decode()
    box = f'name="override:{HIP}:{KNEEL}"'
    assert box in text and "Reason to overrule this rule" in text
    empty = post(cole, url(w, "B"), **body, **{f"override:{HIP}:{KNEEL}": "  "})
    assert empty.status_code == 422
    with scope.everyone():
        assert not ProgramVersion.objects.exists()
    done = post(cole, url(w, "B"), **body, **{f"override:{HIP}:{KNEEL}": CLEARED})
    assert done.status_code == 303
    with scope.everyone():
        v2 = ProgramVersion.objects.get(plan=w.plan_b, number=2)
        assert [(o["rule"], o["exercise"], o["reason"]) for o in v2.overrides] == [
            (HIP, KNEEL, CLEARED)
        ]
    history = cole.get(url(w, "B", "history/")).content.decode()
    assert CLEARED in history and "Kneeling hip flexor stretch added" in history
    patient = as_patient(w.users["patient_b"])
    today_page = patient.get("/today/").content.decode()
    assert f"Your clinician chose this for you: {CLEARED}" in today_page
    assert "Your clinician changed this: Add a hip stretch." in today_page


@clinic_mode
def test_a_review_date_and_a_start_before_the_first_session(w):
    cole = as_staff(w.users["cole"])
    start = date.today() + timedelta(days=2)
    review = start + timedelta(days=28)
    done = post(
        cole,
        url(w, "B"),
        action="dates",
        start_date=start.isoformat(),
        review_date=review.isoformat(),
        reason="She starts after her check-up.",
    )
    assert done.status_code == 303
    with scope.everyone():
        plan = Plan.objects.get(pk=w.plan_b.pk)
        assert plan.start_date == start and plan.data["review_date"] == review.isoformat()
        assert plan.scheduled.earliest("date").date >= start
    history = cole.get(url(w, "B", "history/")).content.decode()
    assert f"Review date set to {review:%-d %B %Y}" in history


# --- the same edit through the JSON API -----------------------------------------------------


def api(w, key="A"):
    return f"/api/clinic/patients/{w.patients[key].public_id}/program"


def send(client, address, body):
    return client.post(address, json.dumps(body), content_type="application/json", HTTP_ORIGIN=SAME)


@clinic_mode
def test_the_api_edits_with_the_same_rules_and_scope(w):
    cara = as_staff(w.users["cara"])
    first = cara.get(api(w)).json()
    assert first["version"] == 1 and [v["number"] for v in first["versions"]] == [1]
    dose = {"kind": "dose", "exercise": "glute_bridge", "reps": 11}
    refused = send(cara, api(w), {"reason": REASON, "changes": [{**dose, "reps": 40}]})
    assert refused.status_code == 422
    problems = refused.json()["detail"]
    assert "safety.dose.range" in {p["type"] for p in problems}
    assert all(p["loc"] == ["body", "payload", "changes"] for p in problems)
    assert any("reps must be 10 to 15 reps" in p["msg"] for p in problems)
    missing = send(cara, api(w), {"changes": [dose]})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "reason"
    unknown = send(cara, api(w), {"reason": REASON, "changes": [{**dose, "exercise": "nope"}]})
    assert unknown.status_code == 422 and "not an exercise" in unknown.json()["detail"][0]["msg"]
    with scope.everyone():
        assert not ProgramVersion.objects.exists()
    done = send(cara, api(w), {"reason": REASON, "changes": [dose]})
    assert done.status_code == 200
    body = done.json()
    assert body["version"] == 2 and entry(body["plan"], 1, "glute_bridge")["reps"] == 11
    newest = body["versions"][0]
    assert newest["author"] == "cara@north.example" and newest["reason"] == REASON
    assert any("now 1 set of 11 reps" in line for line in newest["changes"])
    for who in ("sam", "south_admin", "cole"):
        client = as_staff(w.users[who])
        assert client.get(api(w)).status_code == 404
        assert send(client, api(w), {"reason": REASON, "changes": [dose]}).status_code == 404
    assert as_patient(w.users["patient_a"]).get(api(w)).status_code == 404


@clinic_mode
def test_the_api_needs_an_override_with_a_reason(w):
    cole = as_staff(w.users["cole"])
    add = {"reason": "Add a hip stretch.", "changes": [{"kind": "add", "exercise": KNEEL}]}
    refused = send(cole, api(w, "B"), add)
    assert refused.status_code == 422
    assert {p["type"] for p in refused.json()["detail"]} == {f"safety.{HIP}"}
    assert all(p["loc"][-1] == "overrides" for p in refused.json()["detail"])
    override = {"rule": HIP, "exercise": KNEEL, "reason": CLEARED}
    done = send(cole, api(w, "B"), {**add, "overrides": [override]})
    assert done.status_code == 200
    assert done.json()["versions"][0]["overrides"][0]["reason"] == CLEARED
