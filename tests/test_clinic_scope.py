"""Clinic mode's scoping (psoas/web/clinic/scope.py), on PostgreSQL: who sees which
patients, the guard that makes an unscoped query of people's rows raise in clinic mode
(and do nothing in local mode), person_for, and staff kept off the patients' pages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.http import Http404
from django.test import RequestFactory

from psoas.web.clinic import scope
from psoas.web.clinic.models import Patient
from psoas.web.programs.models import Person, Plan
from psoas.web.site.people import person_for
from tests.clinic_seed import as_patient, as_staff, clinic_mode, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]


@pytest.fixture
def w():
    return world()


def ids(user) -> set[str]:
    return set(scope.visible_patients(user).values_list("public_id", flat=True))


def test_each_role_sees_its_patients_and_no_other_clinics(w):
    pid = {k: p.public_id for k, p in w.patients.items()}
    u = w.users
    assert ids(u["cara"]) == {pid["A"]}
    assert ids(u["cole"]) == {pid["B"]}
    assert ids(u["north_admin"]) == {pid["A"], pid["B"]}
    assert ids(u["south_admin"]) == {pid["S"]} == ids(u["sam"])
    assert ids(u["patient_a"]) == {pid["A"]}
    assert ids(u["patient_b"]) == {pid["B"]}
    assert ids(None) == set()


def test_another_clinician_on_the_team_sees_the_patient_until_they_leave_the_clinic(w):
    a = w.patients["A"]
    a.other_clinicians.add(w.users["cole"])
    assert a.public_id in ids(w.users["cole"])
    w.users["cole"].clinic_memberships.all().delete()
    assert ids(w.users["cole"]) == set()
    a.other_clinicians.add(w.users["sam"])  # on the team, but of another clinic
    assert a.public_id not in ids(w.users["sam"])


def test_another_clinics_patient_is_not_found_the_same_as_an_unknown_id(w):
    with pytest.raises(Http404):
        scope.patient_or_404(w.users["south_admin"], w.patients["A"].public_id)
    with pytest.raises(Http404):
        scope.patient_or_404(w.users["south_admin"], "no-such-id")
    assert scope.patient_or_404(w.users["cara"], w.patients["A"].public_id) == w.patients["A"]


def test_public_ids_are_random_and_say_nothing(w):
    for p in w.patients.values():
        assert len(p.public_id) == 16 and str(p.pk) != p.public_id
        assert "mail" not in p.public_id


def guarded_models():
    return [
        m
        for m in apps.get_models()
        if any(getattr(f, "related_model", None) is Person for f in m._meta.concrete_fields)
    ]


def test_every_model_of_peoples_rows_is_guarded():
    found = guarded_models()
    assert Plan in found and Patient in found and len(found) >= 10
    for model in [Person, *found]:
        assert scope.is_guarded(model), model.__name__


@clinic_mode
def test_in_clinic_mode_an_unscoped_query_raises(w):
    person = w.patients["A"].person
    for query in (
        lambda: Person.objects.count(),
        lambda: list(Plan.objects.all()),
        lambda: person.plans.exists(),
        lambda: Patient.objects.first(),
        lambda: Person.objects.create(name="x"),
    ):
        with pytest.raises(scope.ScopeError, match="outside a scope"):
            query()


@clinic_mode
def test_in_clinic_mode_a_forgotten_filter_shows_only_what_the_user_may_see(w):
    with scope.acting_as(w.users["cara"]):
        assert list(Person.objects.all()) == [w.patients["A"].person]
    with scope.acting_as(w.users["north_admin"]):
        assert Person.objects.count() == 2
    with scope.acting_as(w.users["patient_b"]):
        assert list(Patient.objects.all()) == [w.patients["B"]]
    with scope.acting_as(None):
        assert Person.objects.count() == 0
    with scope.everyone():
        assert Person.objects.count() == 3


def test_in_local_mode_the_guard_does_nothing(w):
    assert Person.objects.count() == 3
    assert Plan.objects.count() == 0


@clinic_mode
def test_person_for_is_the_logged_in_patient_and_never_staff(w):
    request = RequestFactory().get("/today/")
    for name, key in (("patient_a", "A"), ("patient_s", "S")):
        request.user = w.users[name]
        with scope.acting_as(request.user):
            assert person_for(request) == w.patients[key].person
    for name in ("cara", "north_admin"):
        request.user = w.users[name]
        with scope.acting_as(request.user), pytest.raises(Http404):
            person_for(request)


@clinic_mode
def test_staff_do_not_get_patient_pages_and_start_at_their_own(w):
    staff = as_staff(w.users["cara"])
    assert staff.get("/").headers["Location"] == "/clinic/"
    for url in ("/today/", "/plan/", "/start/about/", "/settings/", "/api/plan"):
        assert staff.get(url).status_code == 404, url
    patient = as_patient(w.users["patient_a"])
    assert patient.get("/start/about/").status_code == 200
    assert patient.get("/clinic/").status_code == 404


@clinic_mode
def test_a_patients_settings_offer_no_tools_over_the_whole_store(w):
    patient = as_patient(w.users["patient_a"])
    page = patient.get("/settings/").content.decode()
    assert "Downloads" in page
    for gone in ("/settings/backup", "/settings/restore", "/settings/delete", "calendar-link"):
        assert gone not in page, gone
    assert patient.get("/settings/backup").status_code == 404
    assert patient.post("/settings/delete", {"confirm": "delete"}).status_code == 404
    with scope.everyone():
        assert Person.objects.count() == 3
