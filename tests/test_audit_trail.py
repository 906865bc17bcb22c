"""The clinic's audit trail (psoas/web/audit), on PostgreSQL: a row for every staff view,
change, download and export, with the staff member, the patient, the address and the
route; none for a patient's own reads; rows nobody can change; the admins' page and CSV,
each admin seeing their own clinic only; a clinician's downloads of their patient's files
(404 across clinics); and every staff route that names a patient, from the authorization
matrix's own list, writing its row."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings

from psoas.web.audit.models import AuditEvent, TrailIsAppendOnly
from psoas.web.clinic import scope
from tests.clinic_seed import as_patient, as_staff, clinic_mode, give_plan, world
from tests.pdf_text import pdf_text
from tests.test_clinic_matrix import API, KINDS, OK, PAGES, api_operations, resolver_routes, url_for
from tests.test_pages_account import CSV_FILES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@pytest.fixture
def w():
    with fast:
        made = world()
    with scope.everyone():
        for key in "AB":
            give_plan(made.patients[key], date.today())
    return made


def rows(**match) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**match).order_by("id"))


@clinic_mode
def test_a_staff_view_is_recorded_with_who_what_when_and_where(w):
    a = w.patients["A"].public_id
    before = date.today()
    r = as_staff(w.users["cara"]).get(f"/clinic/patients/{a}/", REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 200
    [row] = rows(patient=a)
    assert (row.actor, row.actor_id) == ("cara@north.example", w.users["cara"].pk)
    assert (row.action, row.route, row.record) == ("view", "clinic-patient", "clinic-patient")
    assert row.address == "203.0.113.9" and row.clinic_id == w.north.id
    assert row.at.date() >= before


@clinic_mode
def test_a_list_page_is_one_row_with_no_patient(w):
    assert as_staff(w.users["cara"]).get("/clinic/").status_code == 200
    [row] = rows()
    assert row.patient == "" and row.clinic_id is None and row.route == "clinic-landing"


@clinic_mode
def test_a_change_is_recorded_with_the_kind_of_record(w):
    a = w.patients["A"].public_id
    client = as_staff(w.users["cara"])
    r = client.post(f"/clinic/patients/{a}/messages/", {"text": "How is the hip today?"})
    assert r.status_code == 302
    found = {(e.action, e.record) for e in rows(patient=a)}
    assert ("change", "clinic-patient-messages") in found and ("change", "Message") in found
    assert all(e.actor == "cara@north.example" for e in rows())
    assert "hip" not in json.dumps([vars(e) for e in rows()], default=str)  # no health text


@clinic_mode
def test_a_refused_change_is_a_view(w):
    a = w.patients["A"].public_id
    r = as_staff(w.users["cara"]).post(f"/clinic/patients/{a}/messages/", {"text": ""})
    assert r.status_code == 422
    assert [(e.action, e.route) for e in rows()] == [("view", "clinic-patient-messages")]


@clinic_mode
def test_another_clinics_patient_is_404_and_writes_nothing(w):
    a = w.patients["A"].public_id
    for role in ("sam", "south_admin", "cole"):
        client = as_staff(w.users[role])
        for tail in ("", "report.pdf", "export/csv", "export/fhir"):
            assert client.get(f"/clinic/patients/{a}/{tail}").status_code == 404, (role, tail)
    assert rows() == []


@clinic_mode
def test_a_patients_own_reads_are_not_audited(w):
    client = as_patient(w.users["patient_a"])
    for url in ("/today/", "/plan/", "/progress/", "/settings/", "/settings/export/csv"):
        assert client.get(url).status_code == 200, url
    assert rows() == []


def test_local_mode_writes_no_row(client):
    assert client.get("/today/").status_code == 200
    assert rows() == []


# --- downloads -----------------------------------------------------------------------------


@clinic_mode
def test_a_clinician_downloads_their_patients_files(w):
    from fhir.resources.R4B.bundle import Bundle

    a = w.patients["A"].public_id
    client = as_staff(w.users["cara"])
    r = client.get(f"/clinic/patients/{a}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "no-store" and "attachment" in r["Content-Disposition"]
    words = pdf_text(r.content, layout=True)
    assert "report for your physiotherapist" in words and "Page 2 of 2" in words

    r = client.get(f"/clinic/patients/{a}/export/csv")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert {Path(n).name for n in zf.namelist()} == CSV_FILES
        plan_rows = list(csv.DictReader(io.StringIO(zf.read("psoas-export/plans.csv").decode())))
    assert plan_rows  # the patient's plan, not an empty store

    r = client.get(f"/clinic/patients/{a}/export/fhir")
    assert r.status_code == 200 and "fhir+json" in r["Content-Type"]
    bundle = Bundle.model_validate(json.loads(r.content))
    assert len(bundle.entry) >= 2

    got = [(e.action, e.record, e.patient) for e in rows()]
    assert got == [
        ("download", "report (PDF)", a),
        ("download", "export (CSV)", a),
        ("download", "export (FHIR)", a),
    ]


@clinic_mode
def test_a_report_before_the_intake_says_so(w):
    with scope.everyone():
        p = w.patients["A"].person
        p.plans.all().delete()
    a = w.patients["A"].public_id
    r = as_staff(w.users["north_admin"]).get(f"/clinic/patients/{a}/report.pdf")
    assert r.status_code == 409 and b"has no plan yet" in r.content
    assert [(e.action, e.patient) for e in rows()] == [("view", a)]


# --- the trail cannot be changed -----------------------------------------------------------


@clinic_mode
def test_the_trail_cannot_be_changed_or_deleted(w):
    as_staff(w.users["cara"]).get("/clinic/")
    [row] = rows()
    row.actor = "someone else"
    with pytest.raises(TrailIsAppendOnly):
        row.save()
    with pytest.raises(TrailIsAppendOnly):
        row.delete()
    with pytest.raises(TrailIsAppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(actor="x")
    with pytest.raises(TrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert rows()[0].actor == "cara@north.example"
    admin = as_staff(w.users["north_admin"])
    for url in ("/clinic/audit/", "/clinic/audit.csv"):
        assert admin.post(url, {"id": row.pk}).status_code == 405


# --- the admins' page and export -----------------------------------------------------------


@clinic_mode
def test_admins_read_their_clinics_trail_only(w):
    a, s = w.patients["A"].public_id, w.patients["S"].public_id
    as_staff(w.users["cara"]).get(f"/clinic/patients/{a}/")
    as_staff(w.users["sam"]).get(f"/clinic/patients/{s}/")
    north = as_staff(w.users["north_admin"])
    page = north.get("/clinic/audit/")
    assert page.status_code == 200
    shown = [e.patient for e in page.context["page"].object_list]
    assert a in shown and s not in shown
    assert "sam@south.example" not in page.content.decode()
    south = as_staff(w.users["south_admin"]).get("/clinic/audit/")
    assert a not in south.content.decode() and "cara@north.example" not in south.content.decode()
    assert as_staff(w.users["cara"]).get("/clinic/audit/").status_code == 404


@clinic_mode
def test_the_admins_page_filters_and_pages(w):
    a, b = w.patients["A"].public_id, w.patients["B"].public_id
    cara, cole = as_staff(w.users["cara"]), as_staff(w.users["cole"])
    for _ in range(30):
        cara.get(f"/clinic/patients/{a}/")
        cole.get(f"/clinic/patients/{b}/")
    admin = as_staff(w.users["north_admin"])
    page = admin.get("/clinic/audit/", {"patient": a}).context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 30
    assert {e.patient for e in page.object_list} == {a}
    page = admin.get("/clinic/audit/", {"staff": "cole@north.example"}).context["page"]
    assert {e.actor for e in page.object_list} == {"cole@north.example"}
    everything = admin.get("/clinic/audit/")
    assert everything.context["page"].paginator.num_pages == 2  # 60 rows and 2 filtered views
    second = admin.get("/clinic/audit/", {"page": 2})
    assert len(second.context["page"].object_list) == 13  # and the first page's own view
    bad = admin.get("/clinic/audit/", {"patient": "A'; drop", "staff": "sam@south.example"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Patient: a patient&#x27;s id is up to 32 letters" in text
    assert "Staff member: choose one of your clinic&#x27;s staff" in text


@clinic_mode
def test_the_csv_export_holds_the_rows_and_is_itself_audited(w):
    a = w.patients["A"].public_id
    as_staff(w.users["cara"]).get(f"/clinic/patients/{a}/", REMOTE_ADDR="198.51.100.4")
    admin = as_staff(w.users["north_admin"])
    r = admin.get("/clinic/audit.csv", {"patient": a})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["Cache-Control"] == "no-store"
    table = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [(t["staff"], t["patient"], t["action"], t["address"]) for t in table] == [
        ("cara@north.example", a, "view", "198.51.100.4")
    ]
    assert table[0]["when_utc"].endswith("+00:00")
    [export] = rows(route="clinic-audit-csv")
    assert (export.action, export.actor, export.patient) == ("export", "admin@north.example", "")
    south = as_staff(w.users["south_admin"]).get("/clinic/audit.csv")
    assert a not in south.content.decode()


# --- no staff route can forget it ----------------------------------------------------------

PATIENT_ROUTES = sorted(r for r in PAGES if "patients/<" in r and KINDS[PAGES[r]]["cara"] == 200)
PATIENT_API = sorted(
    path
    for (method, path), name in API.items()
    if method == "GET" and "patients/{" in path and KINDS[name]["cara"] in (200, OK)
)


def test_the_matrix_lists_the_patient_routes():
    assert "clinic/patients/<str:public_id>/" in PATIENT_ROUTES
    assert "clinic/patients/<str:public_id>/report.pdf" in PATIENT_ROUTES


def a_clip(patient) -> str:
    """The public id of a clip uploaded for `patient` (its analysis failed)."""
    from psoas.web.clips.models import ClipAnalysis

    with scope.everyone():
        return ClipAnalysis.objects.create(
            public_id="trail-clip", person=patient.person, uploader_name="cara",
            exercise="forward_lunge", side="right", suffix=".mp4", status="failed",
        ).public_id  # fmt: skip


def a_batch(w) -> str:
    """The public id of a batch of reports Cara asked for, with A's report ready."""
    from psoas.web.batches.models import BatchReport, ReportBatch, State
    from psoas.web.jobs.tasks import keep_report

    person = w.patients["A"].person
    with scope.everyone():
        batch = ReportBatch.objects.create(owner=w.users["cara"], end=date.today())
        BatchReport.objects.create(
            batch=batch, person=person, state=State.READY,
            file=keep_report(person, "psoas-report.pdf", b"%PDF-1.7 a stand-in"),
        )  # fmt: skip
    return batch.public_id


@pytest.mark.parametrize("route", PATIENT_ROUTES)
@clinic_mode
def test_every_staff_route_with_a_patient_writes_a_row(route, w):
    """Each route of the matrix that names a patient and serves A's clinician a GET."""
    if route not in resolver_routes():
        pytest.skip("a route another branch adds")
    a = w.patients["A"].public_id
    values = {"public_id": a, "clip_id": a_clip(w.patients["A"]), "batch_id": a_batch(w)}
    url = url_for(route, values)
    r = as_staff(w.users["cara"]).get(url)
    assert r.status_code == 200, url
    assert [(e.patient, e.actor) for e in rows()] == [(a, "cara@north.example")]


@clinic_mode
def test_a_second_factor_page_is_not_a_patients_record(w):
    as_staff(w.users["cara"]).get("/clinic/second-factor/")
    assert rows() == []


@pytest.mark.parametrize("path", PATIENT_API)
@clinic_mode
def test_every_staff_api_read_with_a_patient_writes_a_row(path, w):
    if ("GET", path) not in api_operations():
        pytest.skip("an operation another branch adds")
    a = w.patients["A"].public_id
    r = as_staff(w.users["cara"]).get(url_for(path, {"public_id": a}))
    assert r.status_code == 200, path
    assert [(e.patient, e.actor) for e in rows()] == [(a, "cara@north.example")]


@clinic_mode
def test_staff_reads_write_the_audit_trail_and_nothing_else(w):
    """Every staff page, read by A's clinician and by the clinic's admin: the one write is
    the trail's (tests/test_reads_never_write.py's allowance)."""
    from tests.test_reads_never_write import snapshot

    a = w.patients["A"].public_id
    clients = {role: as_staff(w.users[role]) for role in ("cara", "north_admin")}
    here = resolver_routes()
    values = {"public_id": a, "clip_id": a_clip(w.patients["A"]), "batch_id": a_batch(w)}
    values["job_id"] = 1  # clinic/jobs/<job_id>/retry: POST only
    urls = [
        url_for(route, values)
        for route in sorted(PAGES)
        if route in here and route.startswith("clinic/") and "second-factor" not in route
    ]
    before = snapshot()
    served = 0
    for url in urls:
        for client in clients.values():
            served += client.get(url).status_code == 200
    assert snapshot() == before
    assert served >= 8 and AuditEvent.objects.count() >= served
