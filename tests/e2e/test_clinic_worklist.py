"""The worklist and an alert handled, in a real browser on a real clinic server (`psoas
serve` with PSOAS_MODE=clinic on a fresh PostgreSQL database), on a 375 px phone: a
clinician logs in with their password and the second factor, sees the patient with a red
flag first on the worklist (said in words with the action to take), opens the alerts,
and acknowledges it with a note from the keyboard. Every page passes axe-core and fits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.clinic_seed import PASSWORD
from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import staff_logs_in
from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.store, pytest.mark.postgres]

SEED = """
import sys
from datetime import date, timedelta
from psoas.web.bootstrap import setup
setup()
from django_otp.plugins.otp_totp.models import TOTPDevice
from psoas.web.clinic import alerts, scope
from psoas.web.outcomes.models import PainCheckin
from tests.clinic_seed import north_and_cara, patient_of
with scope.everyone():
    clinic, cara = north_and_cara(sys.argv[1])
    device = TOTPDevice.objects.create(user=cara, name="phone", confirmed=True)
    ids = []
    for flag in ([], ["saddle_numbness"]):
        patient = patient_of(clinic, cara, date.today() - timedelta(3))
        PainCheckin.objects.create(
            person=patient.person, date=date.today(), nprs=2, red_flags=flag)
        ids.append(patient.public_id)
    alerts.sweep_all(date.today())
    print(device.key, *ids)
"""


def test_worklist_and_acknowledging_a_red_flag_on_a_phone(clinic, phone):
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, PASSWORD], env={**clinic.env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    key, quiet, flagged = seeded.stdout.split()[-3:]
    staff_logs_in(phone, clinic.url, "cara@north.example", PASSWORD, key)
    text = main_text(phone)
    assert text.index(flagged) < text.index(quiet)  # the red flag first
    assert "Red flag alert: Red flag. Emergency: advise emergency care now." in text
    check_page(phone, "clinic-worklist")

    phone.get_by_role("link", name="Alerts").click()
    phone.wait_for_url("**/clinic/alerts/")
    assert "Red flag alert: Red flag" in main_text(phone)
    check_page(phone, "clinic-alerts")
    card = phone.locator(".alert-list > li").filter(has_text="Red flag alert")
    card.get_by_label("Note").fill("Called the patient; going to A&E today.")
    card.get_by_role("button", name="Acknowledge").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/clinic/alerts/?done=acknowledge")
    assert "Saved. The alert is acknowledged." in main_text(phone)
    check_page(phone, "clinic-alert-acknowledged")
    phone.goto(clinic.url + "clinic/")
    assert "(acknowledged)" in main_text(phone)
