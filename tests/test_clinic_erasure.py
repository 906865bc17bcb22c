"""A clinic patient deleting their data (psoas/web/audit/erasure.py), on PostgreSQL: the
login, name, invitation and what is not care are erased; the clinical record is kept
under the public id, exactly as docs/clinic.md says; the erasure is in the audit trail;
another patient's records are untouched; the page says what goes and what stays; local
mode keeps its own "Delete all my data"."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from psoas.core.breaks.model import WEEKDAYS
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.account.models import CalendarFeed, SessionReminder
from psoas.web.audit import erasure
from psoas.web.audit.models import AuditEvent
from psoas.web.batches.models import BatchReport, ReportBatch
from psoas.web.breaks import services as breaks
from psoas.web.breaks.codec import settings_from_json
from psoas.web.clinic import scope
from psoas.web.clinic.models import Invitation
from psoas.web.jobs.models import GeneratedFile
from psoas.web.messages import threads
from psoas.web.outcomes.services import add_checkin
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.tracking.day import log_day
from psoas.web.tracking.models import CoachRun
from psoas.web.tracking.queries import adjusted_session
from tests.clinic_seed import PASSWORD, as_patient, as_staff, clinic_mode, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

TODAY = date.today()
PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 4},
}


def give_records(person, clinician) -> None:
    """Some of everything: care records and the things that are not care."""
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), TODAY - timedelta(3))
    day = TODAY - timedelta(2)
    session, *_ = log_day(
        person, plan, day, adjusted_session(plan, day), pain_before=4, pain_after=3
    )
    add_checkin(person, day, 4, [], "ok")
    CalendarFeed.objects.create(person=person)
    SessionReminder.objects.create(person=person, at=time(7, 30), zone="Europe/Madrid")
    every_day = {d: [["00:00", "23:59"]] for d in WEEKDAYS}
    now = timezone.now()
    breaks.save_settings(person, settings_from_json({"enabled": True, "working_hours": every_day}))
    breaks.record(person, "taken", now - timedelta(hours=1), source="web")
    CoachRun.objects.create(
        person=person, session=session, exercise_id="glute_bridge", side="left", t0=0, state="{}"
    )
    report = GeneratedFile.objects.create(
        token=f"t-{person.pk}",
        person=person,
        kind="report",
        name="r.pdf",
        content_type="application/pdf",
        data=b"%PDF",
        expires_at=now + timedelta(days=1),
    )
    batch = ReportBatch.objects.create(owner=clinician, end=TODAY)
    BatchReport.objects.create(batch=batch, person=person, state="ready", file=report)
    threads.send(person, clinician, "How did the bridge feel?")
    threads.send(person, person.user, "Fine, a bit tight.")


def counts(person) -> dict[str, int]:
    out = {}
    for model, _field in scope.person_models():
        label = model._meta.label
        field = "pk" if label == "programs.Person" else "person_id"
        out[label] = model.objects.filter(**{field: person.pk}).count()
    return out


@pytest.fixture
def w():
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast:
        made = world()
    with scope.everyone():
        for key, clinician in (("A", "cara"), ("B", "cole")):
            give_records(made.patients[key].person, made.users[clinician])
    return made


def test_every_model_of_peoples_records_is_sorted():
    labels = {model._meta.label for model, _field in scope.person_models()}
    assert labels <= set(erasure.ERASED) | set(erasure.KEPT), labels - set(erasure.KEPT)
    assert not set(erasure.ERASED) & set(erasure.KEPT)


@clinic_mode
def test_erasure_keeps_exactly_what_the_docs_say(w):
    a, user = w.patients["A"], w.users["patient_a"]
    with scope.everyone():
        before_a, before_b = counts(a.person), counts(w.patients["B"].person)
    assert all(before_a[label] > 0 for label in erasure.ERASED), before_a  # some of each
    client = as_patient(user)
    page = client.get("/settings/erase/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "What North Physio must keep" in text and f"for {erasure.RETENTION_YEARS} years" in text

    wrong = client.post("/settings/erase/", {"confirm": "yes"})
    assert wrong.status_code == 400 and "type the word delete" in wrong.content.decode()
    with scope.everyone():
        assert counts(a.person) == before_a

    done = client.post("/settings/erase/", {"confirm": " Delete "})
    assert done.status_code == 200 and "Your data is deleted" in done.content.decode()
    assert client.get("/today/").status_code == 302  # logged out

    with scope.everyone():
        after_a, after_b = counts(a.person), counts(w.patients["B"].person)
        a.person.refresh_from_db()
    assert after_b == before_b
    for label in after_a:
        kept = label in erasure.KEPT
        assert after_a[label] == (before_a[label] if kept else 0), label
    user.refresh_from_db()
    assert user.username == f"erased-{a.public_id}" and user.email == ""
    assert not user.is_active and not user.has_usable_password()
    assert a.person.name == "" and a.person.user_id == user.pk
    assert not user.check_password(PASSWORD)
    assert not Invitation.objects.filter(email="a@mail.example").exists()
    assert Invitation.objects.filter(email="b@mail.example").exists()

    [row] = AuditEvent.objects.filter(action="delete")
    assert (row.actor, row.patient, row.clinic_id) == ("patient", a.public_id, w.north.id)
    assert row.route == "settings-erase"
    # the care team still reads the kept record under the public id
    assert as_staff(w.users["cara"]).get(f"/clinic/patients/{a.public_id}/").status_code == 200


@clinic_mode
def test_staff_cannot_reach_the_erase_page(w):
    assert as_staff(w.users["cara"]).get("/settings/erase/").status_code == 404


def test_local_mode_has_no_erase_page_and_keeps_its_own_delete():
    client = Client()
    assert client.get("/settings/erase/").status_code == 404
    assert 'action="/settings/delete"' in client.get("/settings/").content.decode()


def test_the_docs_say_what_is_kept_and_for_how_long():
    text = Path("docs/clinic.md").read_text()
    section = text[text.index("## Deleting a patient's data") :]
    assert f"{erasure.RETENTION_YEARS} years" in section
    for word in ("calendar link", "move-break", "camera coach", "program version", "audit trail"):
        assert re.search(word.replace(" ", r"\s+"), section, re.I), word
