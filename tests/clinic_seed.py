"""Two clinics with look-alike people, for the clinic tests (so a leak across clinics
shows): North has an admin, clinicians Cara (patient A's) and Cole (patient B's), and
patients A and B; South has an admin, a clinician and patient S. Every account is made
through a real invitation. `north_and_cara` and `patient_of` make a clinic, a clinician and
patients directly, for the child-process seeds that need no more. `as_staff` logs a client
in with a verified second factor; `give_plan` gives a patient a profile and a plan; the
`queue` fixture runs clinic mode with its jobs in Procrastinate's in-memory connector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from procrastinate import testing

from psoas import jobs
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.clinic import invitations, scope
from psoas.web.clinic.models import Clinic, Membership, Patient, Role
from psoas.web.programs.models import Person
from psoas.web.programs.services import save_plan, save_profile

ORIGIN = "https://care.example.org"
PASSWORD = "a long and quiet password"
# A patient's profile for the tests that need a plan (give_plan).
PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 3},
}

# Clinic mode as the settings make it from PSOAS_MODE=clinic (tests flip the setting).
clinic_mode = override_settings(CLINIC_MODE=True, REQUIRE_LOGIN=True)


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


def join(clinic: Clinic, email: str, role: str, **kwargs: Any) -> Any:
    new = invitations.invite(clinic, email, role, ORIGIN, **kwargs)
    state, user = invitations.accept(code_of(new.url), PASSWORD)
    assert state is invitations.LinkState.OK
    return user


@dataclass
class World:
    north: Clinic
    south: Clinic
    users: dict[str, Any]  # role name in the matrix -> user
    patients: dict[str, Patient]  # "A", "B", "S"


def world() -> World:
    with scope.everyone():
        north = Clinic.objects.create(name="North Physio")
        south = Clinic.objects.create(name="South Physio")
        users = {
            "north_admin": join(north, "admin@north.example", Role.ADMIN),
            "cara": join(north, "cara@north.example", Role.CLINICIAN),
            "cole": join(north, "cole@north.example", Role.CLINICIAN),
            "south_admin": join(south, "admin@south.example", Role.ADMIN),
            "sam": join(south, "sam@south.example", Role.CLINICIAN),
        }
        users["patient_a"] = join(
            north, "a@mail.example", Role.PATIENT, clinician="cara@north.example"
        )
        users["patient_b"] = join(
            north, "b@mail.example", Role.PATIENT, clinician="cole@north.example"
        )
        users["patient_s"] = join(
            south, "s@mail.example", Role.PATIENT, clinician="sam@south.example"
        )
        patients = {
            k: Patient.objects.get(person__user=users[f"patient_{k.lower()}"]) for k in "ABS"
        }
    return World(north, south, users, patients)


def give_plan(patient: Patient, start: date) -> None:
    """The patient's profile (PROFILE) and a plan made from it, starting on `start`."""
    person = patient.person
    version = save_profile(person, PROFILE)
    save_plan(person, version, build_plan(parse_profile(PROFILE)), start)


def north_and_cara(password: str | None = None) -> tuple[Clinic, Any]:
    """North Physio and its clinician cara@north.example, made directly (no invitation)."""
    clinic = Clinic.objects.create(name="North Physio")
    cara = get_user_model().objects.create_user(
        "cara@north.example", "cara@north.example", password
    )
    Membership.objects.create(user=cara, clinic=clinic, role=Role.CLINICIAN)
    return clinic, cara


def patient_of(clinic: Clinic, clinician: Any, start: date | None, name: str = "") -> Patient:
    """A new patient of the clinician's, with a plan (give_plan) from `start` unless None."""
    person = Person.objects.create(name=name)
    patient = Patient.objects.create(person=person, clinic=clinic, primary_clinician=clinician)
    if start is not None:
        give_plan(patient, start)
    return patient


@pytest.fixture(name="queue")
def queue_fixture(settings, monkeypatch):
    """The `queue` fixture: clinic mode, its jobs queued in Procrastinate's in-memory
    connector (a test module imports it to have it)."""
    settings.CLINIC_MODE = True
    settings.REQUIRE_LOGIN = True
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with jobs.app.replace_connector(testing.InMemoryConnector()) as app:
        yield app


def run_queue(app, queue: str) -> list[dict]:
    """A real worker over one queue of the `queue` fixture's app until it is empty; the
    jobs of that queue it saw."""
    app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False,
                   queues=[queue])  # fmt: skip
    return [j for j in app.connector.jobs.values() if j["queue_name"] == queue]


def as_patient(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_staff(user: Any) -> Client:
    """A staff login with a confirmed authenticator and this session verified by it."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def user_named(email: str) -> Any:
    return get_user_model().objects.get(username=email)
