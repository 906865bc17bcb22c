"""API keys in a clinic, on PostgreSQL: the keys page (a refusal naming the field, the key
shown once and only its hash kept, revoking, the limit), and the key at work: the API
only, no session, 401 for an unknown, expired or revoked key, a staff key that needs the
second factor behind it and leaves its audit row, another user's key row out of reach,
and no keys page in local mode. The matrix (tests/test_clinic_matrix.py) asks every API
cell again with each role's key."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from psoas.web.audit.models import AuditEvent
from psoas.web.clinic import scope
from psoas.web.clinic.api_tokens import MAX_TOKENS, mint
from psoas.web.clinic.models import ApiToken
from tests.clinic_seed import as_patient, as_staff, clinic_mode, give_plan, world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]


def keyed(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@clinic_mode
def test_a_patient_makes_a_key_sees_it_once_and_revokes_it():
    w = world()
    with scope.everyone():
        give_plan(w.patients["A"], timezone.localdate())
    client = as_patient(w.users["patient_a"])
    page = client.get("/settings/api-tokens/")
    assert page.status_code == 200 and "You have no keys." in page.content.decode()
    assert page["Cache-Control"] == "no-store"

    for form, words in (
        ({"action": "make", "name": "", "days": "90"}, "Name: give 1 to 60 characters"),
        ({"action": "make", "name": "x" * 61, "days": "90"}, "Name: give 1 to 60 characters"),
        ({"action": "make", "name": "steps", "days": "7"}, "Lasts: choose 30, 90, 365 days"),
    ):
        r = client.post("/settings/api-tokens/", form)
        assert r.status_code == 422 and words in r.content.decode()
    assert not ApiToken.objects.exists()

    made = client.post("/settings/api-tokens/", {"action": "make", "name": "steps", "days": "30"})
    text = made.content.decode()
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    key = re.search(r'value="(psoas_[\w-]{40,})"', text).group(1)
    row = ApiToken.objects.get()
    assert key not in (row.key_hash, row.shown) and row.shown == key[:10]
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    again = client.get("/settings/api-tokens/").content.decode()
    assert key not in again and "steps" in again and row.shown in again  # shown once only

    answer = keyed(key).get("/api/today")
    assert answer.status_code == 200 and answer.json()["status"] in ("session", "rest_day")
    assert not answer.cookies  # no session, no cookie
    assert keyed(key).get("/today/").status_code == 302  # pages need a login, not a key

    r = client.post("/settings/api-tokens/", {"action": "revoke", "id": str(row.pk)})
    assert r.status_code == 302 and r["Location"] == "/settings/api-tokens/?revoked=1"
    gone = keyed(key).get("/api/today")
    assert gone.status_code == 401 and gone.json()["detail"].startswith("Authorization:")


@clinic_mode
def test_unknown_and_expired_keys_are_refused_by_name():
    w = world()
    row, key = mint(w.users["patient_a"], "old", 30)
    assert keyed(key).get("/api/messages").status_code == 200
    row.expires_at = timezone.now() - timedelta(seconds=1)
    row.save()
    for given in (key, "psoas_nothing-like-a-key", ""):
        r = keyed(given).get("/api/messages")
        assert r.status_code == 401 and "Authorization: the token is unknown" in r.json()["detail"]
    w.users["patient_a"].is_active = False  # a closed login (an erased patient)
    w.users["patient_a"].save()
    _row, live = mint(w.users["patient_a"], "new", 30)
    assert keyed(live).get("/api/messages").status_code == 401


@clinic_mode
def test_a_staff_key_works_behind_the_second_factor_and_is_audited():
    w = world()
    cara = w.users["cara"]
    a = w.patients["A"]
    with scope.everyone():
        give_plan(a, timezone.localdate())
    page = as_staff(cara).get("/clinic/api-tokens/")  # verified: the page is there
    assert page.status_code == 200
    made = as_staff(cara).post(
        "/clinic/api-tokens/", {"action": "make", "name": "ehr", "days": "365"}
    )
    key = re.search(r'value="(psoas_[\w-]{40,})"', made.content.decode()).group(1)

    r = keyed(key).get(f"/api/clinic/patients/{a.public_id}/program")
    assert r.status_code == 200 and r.json()["public_id"] == a.public_id
    row = AuditEvent.objects.filter(patient=a.public_id).latest("id")
    assert row.actor == "cara@north.example" and row.action == "view"
    other = w.patients["S"].public_id  # South's patient: as if it did not exist
    assert keyed(key).get(f"/api/clinic/patients/{other}/program").status_code == 404
    refused = keyed(key).get("/api/today")  # a patient's API, not staff's: JSON like any
    assert refused.status_code == 404 and refused.json() == {"detail": "not found"}

    TOTPDevice.objects.filter(user=cara).delete()  # the authenticator removed
    r = keyed(key).get(f"/api/clinic/patients/{a.public_id}/program")
    assert r.status_code == 401 and "second factor" in r.json()["detail"]


@clinic_mode
def test_keys_are_their_owners_only_and_limited():
    w = world()
    b_row, _b_key = mint(w.users["patient_b"], "b's", 30)
    client = as_patient(w.users["patient_a"])
    client.post("/settings/api-tokens/", {"action": "revoke", "id": str(b_row.pk)})
    client.post("/settings/api-tokens/", {"action": "revoke", "id": "not a number"})
    assert ApiToken.objects.filter(pk=b_row.pk).exists()  # B's key stays
    assert "b&#x27;s" not in client.get("/settings/api-tokens/").content.decode()
    for n in range(MAX_TOKENS):
        mint(w.users["patient_a"], f"k{n}", 30)
    r = client.post("/settings/api-tokens/", {"action": "make", "name": "one more", "days": "30"})
    assert r.status_code == 422 and f"you have {MAX_TOKENS} keys already" in r.content.decode()


@override_settings(CLINIC_MODE=False, REQUIRE_LOGIN=False)
def test_local_mode_has_no_keys_page(client):
    assert client.get("/settings/api-tokens/").status_code == 404
