"""The clinic pages no other browser test opens, on a real clinic server (PostgreSQL): the
admin's alert settings (a refusal naming the field, then a save), the failed jobs page (a
Retry of a job the queue no longer holds), the API keys page (a key made and shown once),
and a forgotten password
from the ask page through the link the worker emailed to the new password, with a real
SMTP server on loopback. axe-core and 375 px on every page; the forms are sent from the keyboard."""

from __future__ import annotations

import re
import time
from typing import Any

import psycopg
import pytest

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.clinic_flows import admin_joins, check_wide_and_narrow
from tests.e2e.conftest import end_worker, spawn_worker, start_server, stop_server
from tests.smtp_sink import Sink, parts

pytestmark = [pytest.mark.store, pytest.mark.postgres]

NEW_PASSWORD = "a new and equally quiet password"


@pytest.fixture
def clinic_with_mail(env, tmp_path):
    """A clinic server and its worker (which sends the emails), with a mail server."""
    with Sink() as sink:
        server = start_server(
            {
                **env,
                "PSOAS_MODE": "clinic",
                "PSOAS_SMTP_HOST": "127.0.0.1",
                "PSOAS_SMTP_PORT": str(sink.port),
            }
        )
        worker = spawn_worker(server.env, tmp_path / "worker.log")
        yield server, sink
        end_worker(worker)
        stop_server(server)


def first_mail(sink: Sink, timeout_s: float = 60) -> Any:
    """The first email the worker sent, once it has."""
    deadline = time.monotonic() + timeout_s
    while not sink.box.messages:
        assert time.monotonic() < deadline, "no email within a minute"
        time.sleep(0.2)
    return sink.box.messages[0]


def test_alert_settings_and_a_forgotten_password(clinic_with_mail, page, phone):
    server, sink = clinic_with_mail
    admin_joins(server, page, "account-1-join")

    page.goto(server.url + "clinic/settings/")
    assert "Alert settings" in main_text(page)
    check_wide_and_narrow(page, "account-2-alert-settings")
    field = page.get_by_label("No session for this many days", exact=True)
    field.fill("many")
    field.press("Enter")
    page.get_by_role("alert").wait_for()
    assert "no_session_days" in page.get_by_role("alert").inner_text()
    check_wide_and_narrow(page, "account-3-alert-settings-refused")
    field = page.get_by_label("No session for this many days", exact=True)
    field.fill("10")
    field.press("Enter")
    page.wait_for_url("**/clinic/settings/?saved=1")
    assert page.get_by_label("No session for this many days", exact=True).input_value() == "10"
    check_page(page, "account-4-alert-settings-saved")

    # a failed job for no one patient, whose job the queue no longer holds
    with psycopg.connect(server.env["PSOAS_DATABASE_URL"], autocommit=True) as db:
        db.execute(
            "INSERT INTO jobs_jobfailure (job_id, task, patient, error, place, runs, final,"
            " failed_at, retried_by) VALUES (424242, 'psoas.web.clinic.alerts.sweep', '',"
            " 'OperationalError', 'psoas/web/clinic/alerts.py, line 340', 1, true, now(), '')"
        )
    page.goto(server.url + "clinic/")
    page.get_by_role("link", name="failed jobs").click()
    page.wait_for_url("**/clinic/jobs/")
    text = main_text(page)
    assert "The alert check of every patient" in text and "OperationalError" in text
    check_wide_and_narrow(page, "account-5-failed-jobs")
    page.get_by_role("button", name=re.compile("Retry job 424242")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/jobs/?gone=1")
    assert "no longer in the queue" in main_text(page) and "No failed jobs" in main_text(page)
    check_page(page, "account-6-failed-jobs-gone")

    # an API key: made from the keyboard, shown once, then listed by its first characters
    page.goto(server.url + "clinic/")
    page.get_by_role("link", name="Your API keys").click()
    page.wait_for_url("**/clinic/api-tokens/")
    assert grade(main_text(page)) <= 8
    check_wide_and_narrow(page, "account-6b-api-keys")
    page.get_by_label("Name").fill("our records system")
    page.get_by_label("365 days").check()
    page.get_by_role("button", name="Make the key").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your new key: copy it now").wait_for()
    key = page.get_by_label('Key "our records system"').input_value()
    assert key.startswith("psoas_") and len(key) > 40
    check_wide_and_narrow(page, "account-6c-api-key-made")

    phone.goto(server.url + "login/")
    phone.get_by_role("link", name=re.compile("Forgot")).click()
    phone.wait_for_url("**/password-reset/")
    check_page(phone, "account-7-reset-ask")
    phone.get_by_label("Email").fill("ann@north.example")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/password-reset/sent/")
    check_page(phone, "account-8-reset-sent")
    mail = first_mail(sink)
    assert mail["To"] == "ann@north.example"
    link = re.search(r"https?://\S+/password-reset/\S+/", parts(mail)["text/plain"]).group(0)
    phone.goto(server.url + link.split("/", 3)[3])
    check_page(phone, "account-9-reset-new")
    phone.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label(re.compile("again")).fill(NEW_PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/password-reset/done/")
    check_page(phone, "account-10-reset-done")
