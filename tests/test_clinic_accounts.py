"""Clinic mode's accounts, on PostgreSQL through Django's test client: invitation links
(a look spends nothing; one use; used or expired 410, unknown 404; only a hash kept), the
staff's second factor (set up from the shown secret, asked at each login, wrong codes
counted by django-axes), logins that end after inactivity, password reset by email through
a real SMTP server on loopback (aiosmtpd), and a patient's intake that starts from the
clinician's answers. The browser test is tests/e2e/test_clinic.py."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp

from psoas.web.clinic import invitations, scope
from psoas.web.clinic import mail as mail_module
from psoas.web.clinic.middleware import SEEN_KEY
from psoas.web.clinic.models import Clinic, Invitation, Membership, Patient, Role
from tests.clinic_seed import (
    ORIGIN,
    PASSWORD,
    clinic_mode,
    code_of,
    join,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    run_queue,
)
from tests.smtp_sink import parts, smtp_fixture  # noqa: F401 (the `smtp` fixture)
from tests.test_pages_intake import all_no

CARA = "cara@north.example"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]


@pytest.fixture
def north():
    clinic = Clinic.objects.create(name="North Physio")
    join(clinic, "cara@north.example", Role.CLINICIAN)
    return clinic


def invite(clinic, email_="new@mail.example", role=Role.CLINICIAN, **kw):
    return invitations.invite(clinic, email_, role, ORIGIN, **kw)


def path_of(url: str) -> str:
    return url.removeprefix(ORIGIN)


def accept(client: Client, url: str, password: str = PASSWORD, again: str | None = None):
    data = {"code": code_of(url), "password": password, "password2": again or password}
    return client.post("/invite/", data)


# --- invitations -------------------------------------------------------------------------


@clinic_mode
def test_a_look_spends_nothing_and_the_form_makes_the_account_once(north):
    new = invite(north, "Dana@North.Example")
    assert new.email == "dana@north.example"
    client = Client()
    before = list(Invitation.objects.order_by("pk").values_list())
    for _ in range(2):  # a mail program's preview, then the person
        page = client.get(path_of(new.url))
        assert page.status_code == 200 and "Join North Physio" in page.content.decode()
        assert page["Cache-Control"] == "no-store"
    assert list(Invitation.objects.order_by("pk").values_list()) == before
    r = accept(client, new.url)
    assert r.status_code == 302 and r["Location"] == "/clinic/second-factor/"
    user = get_user_model().objects.get(username="dana@north.example")
    assert Membership.objects.get(user=user).role == Role.CLINICIAN
    assert Invitation.objects.get(email=new.email).used_at is not None
    used = Client().get(path_of(new.url))
    assert used.status_code == 410 and "used this link already" in used.content.decode()
    assert accept(Client(), new.url).status_code == 410


@clinic_mode
def test_expired_is_410_unknown_is_404_and_the_code_is_never_stored(north):
    new = invite(north)
    code = code_of(new.url)
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM clinic_invitation")
        assert code not in repr(cur.fetchall())
    past = timezone.now() - timedelta(seconds=1)
    Invitation.objects.filter(email=new.email).update(expires_at=past)
    page = Client().get(path_of(new.url))
    assert page.status_code == 410 and "7 days" in page.content.decode()
    assert accept(Client(), new.url).status_code == 410
    assert not get_user_model().objects.filter(username="new@mail.example").exists()
    assert Client().get("/invite/?code=nothing-like-it").status_code == 404


@clinic_mode
def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(north):
    new = invite(north)
    r = accept(Client(), new.url, "1234567890")
    assert r.status_code == 422 and "too common" in unescape(r.content.decode())
    r = accept(Client(), new.url, PASSWORD, again=PASSWORD + "x")
    assert r.status_code == 422 and "not the same" in r.content.decode()
    assert Invitation.objects.get(email=new.email).used_at is None
    assert accept(Client(), new.url).status_code == 302


@clinic_mode
def test_staff_of_another_clinic_join_with_the_password_they_have(north):
    south = Clinic.objects.create(name="South Physio")
    new = invite(south, "cara@north.example", Role.ADMIN)
    page = Client().get(path_of(new.url)).content.decode()
    assert "You have an account already" in page
    assert accept(Client(), new.url, "not her password").status_code == 422
    assert accept(Client(), new.url).status_code == 302
    cara = get_user_model().objects.get(username="cara@north.example")
    assert set(cara.clinic_memberships.values_list("clinic__name", "role")) == {
        ("North Physio", "clinician"),
        ("South Physio", "admin"),
    }


def test_bad_invitations_name_the_field(north):
    cases = [
        (dict(email_="not-an-email"), "--email"),
        (dict(role="owner"), "--role"),
        (dict(role=Role.PATIENT), "--clinician"),
        (dict(role=Role.PATIENT, clinician="nobody@x.example"), "--clinician"),
        (
            dict(role=Role.PATIENT, clinician="cara@north.example", conditions=["flu"]),
            "--condition",
        ),
        (dict(role=Role.PATIENT, clinician="cara@north.example", limits=["no_running"]), "--limit"),
        (dict(email_="cara@north.example"), "--email"),
        (dict(role=Role.ADMIN, conditions=["cancer"]), "--condition"),
    ]
    for kwargs, field in cases:
        with pytest.raises(invitations.InvitationError) as err:
            invite(north, **kwargs)
        assert err.value.field == field, (kwargs, str(err.value))
    assert Invitation.objects.filter(role=Role.PATIENT).count() == 0


def test_invitation_pages_do_not_exist_in_local_mode(north):
    new = invite(north)
    assert Client().get(path_of(new.url)).status_code == 404
    assert Client().get("/password-reset/").status_code == 404


# --- the second factor -------------------------------------------------------------------


def shown_secret(page: str) -> bytes:
    text = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def code(key: bytes, offset: int = 0) -> str:
    return f"{totp(key, t0=-offset * 30):06d}"


@clinic_mode
def test_first_login_sets_the_app_up_and_later_logins_ask_for_a_code(north):
    client = Client()
    accept(client, invite(north).url)
    assert client.get("/clinic/").headers["Location"].startswith("/clinic/second-factor/")
    page = client.get("/clinic/second-factor/").content.decode()
    assert "Set up your code app" in page and 'src="data:image/svg+xml' in page
    key = shown_secret(page)
    assert client.get("/clinic/second-factor/").content.decode().count("totp-secret") == 1
    wrong = client.post("/clinic/second-factor/", {"code": "000000"})
    assert wrong.status_code == 422 and "did not work" in wrong.content.decode()
    ok = client.post("/clinic/second-factor/", {"code": code(key), "next": "/clinic/"})
    assert ok.status_code == 302 and ok["Location"] == "/clinic/"
    landing = client.get("/clinic/")
    assert landing.status_code == 200 and "Your patients" in landing.content.decode()
    assert landing["Cache-Control"] == "no-store"
    # a later login: password, then a code from the same app
    later = Client()
    r = later.post("/login/", {"username": " New@Mail.example", "password": PASSWORD})
    assert r.status_code == 302
    assert later.get("/clinic/").status_code == 302
    page = later.get("/clinic/second-factor/").content.decode()
    assert "Type your code" in page and "totp-secret" not in page
    r = later.post("/clinic/second-factor/", {"code": code(key, offset=1)})
    assert r.status_code == 302 and later.get("/clinic/").status_code == 200


@clinic_mode
def test_wrong_codes_pause_the_account_like_wrong_passwords(north):
    client = Client()
    accept(client, invite(north).url)
    client.get("/clinic/second-factor/")
    for _ in range(4):
        assert client.post("/clinic/second-factor/", {"code": "000000"}).status_code == 422
    assert client.post("/clinic/second-factor/", {"code": "000000"}).status_code == 429
    assert client.get("/clinic/second-factor/").status_code == 429
    other = Client()  # the password login is paused for this account too
    r = other.post("/login/", {"username": "new@mail.example", "password": PASSWORD})
    assert r.status_code == 429


@clinic_mode
def test_the_clinic_login_is_limited_by_django_axes(north):
    client = Client()
    for _ in range(4):
        r = client.post("/login/", {"username": "cara@north.example", "password": "wrong"})
        assert r.status_code == 200
    r = client.post("/login/", {"username": "cara@north.example", "password": "wrong"})
    assert r.status_code == 429
    r = client.post("/login/", {"username": "cara@north.example", "password": PASSWORD})
    assert r.status_code == 429


@clinic_mode
def test_the_login_page_asks_for_an_email_and_offers_a_reset():
    page = Client().get("/login/").content.decode()
    assert '<label for="id_username">Email</label>' in page
    assert 'href="/password-reset/"' in page


# --- inactivity --------------------------------------------------------------------------


@clinic_mode
def test_a_login_ends_after_inactivity_30_minutes_for_staff(north):
    client = Client()
    accept(client, invite(north).url)
    assert client.get("/clinic/second-factor/").status_code == 200
    session = client.session
    assert time.time() - session[SEEN_KEY] < 60
    session[SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get("/clinic/second-factor/").status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 31 * 60
    session.save()
    r = client.get("/clinic/second-factor/")
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert r["Location"].startswith("/login/?next=%2Fclinic%2Fsecond-factor%2F")
    assert client.get("/clinic/second-factor/")["Location"].startswith("/login/")
    assert "logged out because" in client.get("/login/?timeout=1").content.decode()


@clinic_mode
@override_settings(CLINIC_STAFF_IDLE=timedelta(minutes=5))
def test_the_staff_timeout_is_a_setting_and_patients_have_their_own(north):
    staff = Client()
    accept(staff, invite(north).url)
    patient = Client()
    accept(
        patient, invite(north, "p@mail.example", Role.PATIENT, clinician="cara@north.example").url
    )
    for client in (staff, patient):
        client.get("/login/")
        session = client.session
        session[SEEN_KEY] = time.time() - 6 * 60
        session.save()
    assert staff.get("/clinic/second-factor/").status_code == 302
    assert patient.get("/start/about/").status_code == 200


# --- password reset ----------------------------------------------------------------------


def test_password_reset_mails_a_link_from_a_job_once_and_nothing_else(north, smtp, queue, settings):
    settings.APP_ORIGIN = ORIGIN
    client = Client()
    patient_url = invite(north, "p@mail.example", Role.PATIENT, clinician="cara@north.example").url
    accept(client, patient_url)
    r = client.post("/password-reset/", {"email": "p@mail.example"})
    assert r.status_code == 302 and r["Location"] == "/password-reset/sent/"
    assert Client().post("/password-reset/", {"email": "nobody@x.example"}).status_code == 302
    # the request only queued it: one job, for the account that exists, holding no link
    assert smtp.messages == []
    [job] = [j for j in queue.connector.jobs.values() if j["queue_name"] == "mail"]
    assert set(job["args"]) == {"user_id", "asked"}
    assert "reset" not in str(job["args"]).lower()
    run_queue(queue, "mail")
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "p@mail.example" and mail["From"] == "care@north.example"
    text, html = parts(mail)["text/plain"], parts(mail)["text/html"]
    for word in ("pain", "plan", "North", "clinician", "hip"):
        assert word.lower() not in text.lower(), word
        assert word.lower() not in html.lower(), word
    link = re.search(rf"{ORIGIN}(/password-reset/\S+/)", text).group(1)
    assert f'<a href="{ORIGIN}{link}">' in html and '<html lang="en">' in html
    # the same job again (a retry, a duplicate) sends nothing more
    mail_module.reset_email(**job["args"])
    assert len(smtp.messages) == 1
    fresh = Client()
    form = fresh.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another long quiet password"
    done = fresh.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    r = Client().post("/login/", {"username": "p@mail.example", "password": new})
    assert r.status_code == 302
    assert "<h1>This link does not work</h1>" in fresh.get(link, follow=True).content.decode()


# --- the clinician's answers in the intake -----------------------------------------------


@clinic_mode
def test_a_patient_sees_the_clinicians_answers_in_the_intake(north):
    new = invite(
        north,
        "p@mail.example",
        Role.PATIENT,
        clinician="cara@north.example",
        conditions=["osteoporosis"],
        limits=["no_kneeling"],
    )
    client = Client()
    r = accept(client, new.url)
    assert r.status_code == 302 and r["Location"] == "/start/"
    with scope.everyone():
        patient = Patient.objects.get(person__user__username="p@mail.example")
    assert patient.primary_clinician.username == "cara@north.example"
    assert patient.clinician_answers == {"conditions": ["osteoporosis"], "limits": ["no_kneeling"]}
    assert client.get("/start/").status_code == 302
    about = client.get("/start/about/").content.decode()
    assert "Your clinician filled in" not in about
    r = client.post("/start/about/", {"age": "52", "pregnant": "no", "birth": "no"})
    assert r.status_code == 302
    assert client.post("/start/safety/", all_no(52)).status_code == 302
    health = client.get("/start/health/").content.decode()
    assert "Your clinician filled in some answers for you: Osteoporosis" in unescape(health)
    assert re.search(r'value="osteoporosis"[^>]*checked', health)
    limits = client.get("/start/limits/").content.decode()
    assert "No kneeling" in unescape(limits.split("Your clinician filled in")[1])
    assert re.search(r'value="no_kneeling"[^>]*checked', limits)


@clinic_mode
def test_a_patient_invitation_makes_no_second_account_for_one_email(north):
    new = invite(north, "p@mail.example", Role.PATIENT, clinician=CARA)
    get_user_model().objects.create_user("p@mail.example", password=PASSWORD)
    r = accept(Client(), new.url)
    assert r.status_code == 422 and "has an account already" in r.content.decode()
    assert Invitation.objects.get(email=new.email).used_at is None
    with scope.everyone():
        assert not Patient.objects.exists()
