"""The invite page (/clinic/invite/): a clinician invites a patient with the answers they
know, and the link works and fills the intake; an admin invites staff; bad input names its
field; an invitation is cancelled; each staff member stays within their own clinics. The
link is shown once, in the POST's answer, and is in no URL; by email, sent by the worker's
job with a link of its own, it goes with the clinic's name only (a real SMTP server on
loopback)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client, override_settings

from psoas.web.audit.models import AuditEvent
from psoas.web.clinic import mail as mail_module
from psoas.web.clinic import scope
from psoas.web.clinic.models import Invitation, Membership, Patient
from tests.clinic_seed import (
    PASSWORD,
    as_staff,
    clinic_mode,
    code_of,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    run_queue,
    world,
)
from tests.smtp_sink import parts, smtp_fixture  # noqa: F401 (the `smtp` fixture)
from tests.test_pages_intake import all_no

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

PAGE = "/clinic/invite/"
LINK = re.compile(r'id="invite_url" value="([^"]+)"')


@pytest.fixture
def w():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield world()


def made_link(response) -> str:
    assert response.status_code == 200, response.content.decode()
    return unescape(LINK.search(response.content.decode()).group(1))


def error_of(response, field: str) -> str:
    assert response.status_code == 422
    page = unescape(response.content.decode())
    return re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', page).group(1)


def accept(link: str) -> Client:
    client = Client()
    data = {"code": code_of(link), "password": PASSWORD, "password2": PASSWORD}
    r = client.post("/invite/", data)
    assert r.status_code == 302, r.content.decode()
    return client


@clinic_mode
def test_a_clinician_invites_a_patient_whose_intake_starts_from_her_answers(w):
    cara = as_staff(w.users["cara"])
    assert '<a href="/clinic/invite/">Invite</a>' in cara.get("/clinic/").content.decode()
    form = cara.get(PAGE).content.decode()
    assert '<a href="/clinic/invite/" aria-current="page">Invite</a>' in form
    assert '<option value="cara@north.example" selected>' in form
    assert "sam@south.example" not in form  # another clinic's staff is no choice
    assert 'value="osteoporosis"' in form and "Osteoporosis (thin bones)" in form
    assert 'name="role" value="patient"' in form and "a clinic admin" not in form
    r = cara.post(
        PAGE,
        {
            "email": " P@Mail.Example ",
            "clinician": "cara@north.example",
            "conditions": ["osteoporosis"],
            "limits": ["no_kneeling"],
        },
    )
    link = made_link(r)
    page = unescape(r.content.decode())
    assert "This page shows the link once." in page and "p@mail.example" in page
    assert not r.has_header("Location")  # no redirect: the link is in no URL
    assert code_of(link) not in cara.get(PAGE).content.decode()  # shown once
    open_list = unescape(cara.get(PAGE).content.decode()).split("Open invitations")[1]
    assert "p@mail.example" in open_list and "cara@north.example" in open_list
    row = Invitation.objects.get(email="p@mail.example")
    assert row.invited_by == w.users["cara"] and row.primary_clinician == w.users["cara"]
    trail = AuditEvent.objects.filter(route="clinic-invite-page", actor_id=w.users["cara"].pk)
    assert trail.filter(action="change").count() == 1

    patient = accept(link)
    with scope.everyone():
        made = Patient.objects.get(person__user__username="p@mail.example")
    assert made.clinic == w.north and made.primary_clinician == w.users["cara"]
    about = {"age": "52", "pregnant": "no", "birth": "no"}
    assert patient.post("/start/about/", about).status_code == 302
    assert patient.post("/start/safety/", all_no(52)).status_code == 302
    health = unescape(patient.get("/start/health/").content.decode())
    assert "Your clinician filled in some answers for you: Osteoporosis" in health
    assert re.search(r'value="osteoporosis"[^>]*checked', health)
    assert "p@mail.example" not in cara.get(PAGE).content.decode()  # no longer open


@clinic_mode
def test_a_patient_may_have_another_clinician_of_the_clinic(w):
    r = as_staff(w.users["cara"]).post(
        PAGE, {"email": "q@mail.example", "clinician": "cole@north.example"}
    )
    made_link(r)
    assert Invitation.objects.get(email="q@mail.example").primary_clinician == w.users["cole"]


@clinic_mode
def test_an_admin_invites_a_clinician_and_an_admin(w):
    admin = as_staff(w.users["north_admin"])
    assert "a clinic admin" in admin.get(PAGE).content.decode()
    for email, role in (("new@north.example", "clinician"), ("boss@north.example", "admin")):
        link = made_link(admin.post(PAGE, {"email": email, "role": role}))
        accept(link)
        assert Membership.objects.get(user__username=email, clinic=w.north).role == role


@clinic_mode
def test_bad_input_names_the_field_and_makes_nothing(w):
    cara = as_staff(w.users["cara"])
    before = Invitation.objects.count()
    given = {"clinician": "cara@north.example"}
    taken = cara.post(PAGE, {**given, "email": "a@mail.example"})
    assert error_of(taken, "email") == "'a@mail.example' has an account already"
    assert "Check the email" in unescape(taken.content.decode())
    bad = cara.post(PAGE, {**given, "email": "not an email"})
    assert error_of(bad, "email") == "'not an email' is not an email address"
    other = cara.post(PAGE, {"email": "n@mail.example", "clinician": "sam@south.example"})
    assert (
        error_of(other, "clinician")
        == "'sam@south.example' is not a member of staff at North Physio"
    )
    sick = cara.post(PAGE, {**given, "email": "n@mail.example", "conditions": ["flu"]})
    assert error_of(sick, "conditions").startswith("'flu' is not one of ")
    assert "osteoporosis" in error_of(sick, "conditions")
    lying = cara.post(PAGE, {**given, "email": "n@mail.example", "limits": ["no_walking"]})
    assert error_of(lying, "limits").startswith("'no_walking' is not one of no_")
    staff = as_staff(w.users["north_admin"]).post(
        PAGE, {"email": "cara@north.example", "role": "clinician"}
    )
    assert (
        error_of(staff, "email") == "'cara@north.example' is on the staff of North Physio already"
    )
    assert 'value="n@mail.example"' in unescape(sick.content.decode())  # the form kept
    assert Invitation.objects.count() == before


@clinic_mode
def test_each_stays_within_their_clinic_and_role(w):
    cara = as_staff(w.users["cara"])
    before = Invitation.objects.count()
    for role in ("clinician", "admin"):  # a clinician invites patients only
        assert cara.post(PAGE, {"email": "x@north.example", "role": role}).status_code == 404
    south = str(w.south.pk)
    r = cara.post(
        PAGE, {"clinic": south, "email": "x@mail.example", "clinician": "sam@south.example"}
    )
    assert r.status_code == 404
    r = as_staff(w.users["south_admin"]).post(
        PAGE, {"clinic": str(w.north.pk), "email": "x@x.example"}
    )
    assert r.status_code == 404
    assert Invitation.objects.count() == before
    # the open list is the user's own clinics'
    made_link(cara.post(PAGE, {"email": "x@mail.example", "clinician": "cara@north.example"}))
    assert "x@mail.example" not in as_staff(w.users["sam"]).get(PAGE).content.decode()


@clinic_mode
def test_an_invitation_is_cancelled_within_its_clinic(w):
    cara, admin = as_staff(w.users["cara"]), as_staff(w.users["north_admin"])
    link = made_link(
        cara.post(PAGE, {"email": "x@mail.example", "clinician": "cara@north.example"})
    )
    staff_link = made_link(admin.post(PAGE, {"email": "y@north.example", "role": "clinician"}))
    row = Invitation.objects.get(email="x@mail.example")
    staff_row = Invitation.objects.get(email="y@north.example")
    cancel = {"action": "cancel", "invitation": str(row.pk)}
    assert as_staff(w.users["sam"]).post(PAGE, cancel).status_code == 404
    assert as_staff(w.users["south_admin"]).post(PAGE, cancel).status_code == 404
    staff_cancel = {"action": "cancel", "invitation": str(staff_row.pk)}
    assert cara.post(PAGE, staff_cancel).status_code == 404  # staff invitations: admins'
    assert cara.post(PAGE, {"action": "cancel", "invitation": "x1"}).status_code == 404
    assert Client().get(link).status_code == 200  # still works

    r = cara.post(PAGE, cancel)
    assert r.status_code == 200
    page = unescape(r.content.decode())
    assert "Cancelled. The link for x@mail.example no longer works." in page
    assert "x@mail.example" not in page.split("Open invitations")[1]
    assert Client().get(link).status_code == 410
    assert cara.post(PAGE, cancel).status_code == 404  # once
    assert admin.post(PAGE, staff_cancel).status_code == 200
    assert Client().get(staff_link).status_code == 410


def test_the_email_has_a_link_of_its_own_and_the_clinic_only(w, smtp, queue):
    cara = as_staff(w.users["cara"])
    with override_settings(CLINIC_INVITE_MAIL=False):
        assert 'name="send"' not in cara.get(PAGE).content.decode()  # no mail server named
    with override_settings(CLINIC_INVITE_MAIL=True):
        assert 'name="send"' in cara.get(PAGE).content.decode()
        data = {"email": "p@mail.example", "clinician": "cara@north.example"}
        r = cara.post(PAGE, {**data, "conditions": ["osteoporosis"], "send": "1"})
    link = made_link(r)
    assert "An email with a link of its own is on its way to p@mail.example." in unescape(
        r.content.decode()
    )
    # the request only queued it, and the queue holds no link
    assert smtp.messages == []
    [job] = [j for j in queue.connector.jobs.values() if j["queue_name"] == "mail"]
    assert code_of(link) not in str(job["args"])
    run_queue(queue, "mail")
    run_queue(queue, "mail")  # nothing more
    [mail] = smtp.messages
    assert mail["To"] == "p@mail.example"
    assert mail["Subject"] == "Your invitation to psoas at North Physio"
    bodies = parts(mail)
    emailed = re.search(r"http://testserver/invite/\?code=[\w-]+", bodies["text/plain"]).group(0)
    assert emailed != link
    for body in bodies.values():
        assert emailed in body and link not in body and "North Physio" in body
        for word in ("osteoporosis", "bone", "pain", "cara", "clinician", "patient"):
            assert word not in body.lower(), word
    # either link is the one invitation: the emailed one makes the account, then both end
    client = accept(emailed)
    assert client.get("/start/about/").status_code == 200
    assert Client().get(link).status_code == 410
    assert Client().get(emailed).status_code == 410


def test_a_refused_email_keeps_no_code_and_its_retry_sends_it(w, smtp, queue):
    smtp.refuse = 1
    with override_settings(CLINIC_INVITE_MAIL=True):
        r = as_staff(w.users["cara"]).post(
            PAGE, {"email": "p@mail.example", "clinician": "cara@north.example", "send": "1"}
        )
    link = made_link(r)
    run_queue(queue, "mail")
    [job] = [j for j in queue.connector.jobs.values() if j["queue_name"] == "mail"]
    assert job["status"] == "todo" and job["attempts"] == 1  # failed; its retry waits
    assert smtp.messages == []
    with scope.everyone():
        row = Invitation.objects.get(email="p@mail.example")
    assert row.mail_code_hash is None  # the failed run's code was rolled back with it
    mail_module.invitation_email(**job["args"])  # the retry's run
    assert len(smtp.messages) == 1
    row.refresh_from_db()
    assert row.mail_code_hash is not None
    assert Client().get(link).status_code == 200  # the page's link works all along


def test_no_email_for_an_invitation_cancelled_before_the_worker_ran(w, smtp, queue):
    cara = as_staff(w.users["cara"])
    with override_settings(CLINIC_INVITE_MAIL=True):
        r = cara.post(
            PAGE, {"email": "p@mail.example", "clinician": "cara@north.example", "send": "1"}
        )
        made_link(r)
        with scope.everyone():
            row = Invitation.objects.get(email="p@mail.example")
        assert cara.post(PAGE, {"action": "cancel", "invitation": row.pk}).status_code == 200
    run_queue(queue, "mail")
    assert smtp.messages == []
