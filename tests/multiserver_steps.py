"""Child-process steps for tests/test_clinic_multiserver.py, run as
`python -m tests.multiserver_steps STEP ...` in clinic mode on the test's database.

- `seed`: North Physio's clinician Cara with a known authenticator key and a patient with
  a plan (through real invitations, tests/clinic_seed.py); prints them as JSON.
- `alert PATIENT_EMAIL SLEEP_S`: an open red-flag alert for the patient, and a
  `slow_alert_email` job for it, in one transaction, as app code defers; prints its id.

`slow_alert_email` (known to the worker through PSOAS_TEST_JOB_MODULES) waits, then runs
the real alert email job: a worker killed in the wait leaves the job half done."""

from __future__ import annotations

import json
import sys
import time
from datetime import date

from psoas import jobs

KEY = "3132333435363738393031323334353637383930"  # the authenticator's secret (hex)


@jobs.task(queue="mail", retries=3, backoff_s=1)
def slow_alert_email(alert_id: int, sleep_s: float) -> None:
    from psoas.web.clinic.mail import alert_email

    time.sleep(sleep_s)
    alert_email(alert_id=alert_id)


def seed() -> dict:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Clinic, Patient, Role
    from tests.clinic_seed import PASSWORD, give_plan, join

    with scope.everyone():
        north = Clinic.objects.create(name="North Physio")
        cara = join(north, "cara@north.example", Role.CLINICIAN)
        TOTPDevice.objects.create(user=cara, name="phone", key=KEY, confirmed=True)
        pat = join(north, "pat@mail.example", Role.PATIENT, clinician="cara@north.example")
        give_plan(Patient.objects.get(person__user=pat), date.today())
        assert get_user_model().objects.count() == 2
    return {"clinician": "cara@north.example", "patient": "pat@mail.example", "password": PASSWORD}


def alert(patient: str, sleep_s: float) -> int:
    from django.db import transaction

    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Alert, Patient

    with scope.everyone(), transaction.atomic():
        person = Patient.objects.get(person__user__username=patient).person
        made = Alert.objects.create(
            person=person,
            key=f"red_flag:saddle_numbness:{date.today()}",
            rule="red_flag",
            severity="critical",
            since=date.today(),
            fired_on=date.today(),
            message="A test alert",
        )
        slow_alert_email.defer(alert_id=made.pk, sleep_s=sleep_s)
    return made.pk


def main(argv: list[str]) -> None:
    from psoas.web.bootstrap import setup

    setup()
    if argv[0] == "seed":
        print(json.dumps(seed()))
    elif argv[0] == "alert":
        print(alert(argv[1], float(argv[2])))
    else:
        raise SystemExit(f"unknown step {argv[0]!r}")


if __name__ == "__main__":  # run as itself, so the job's name is this module's, not __main__
    from tests import multiserver_steps

    multiserver_steps.main(sys.argv[1:])
