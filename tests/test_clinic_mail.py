"""The clinic's emails through Django's SMTP backend and a real SMTP server on loopback
(tests/smtp_sink.py), on PostgreSQL with the queue's in-memory connector: a red flag
queues one email to the patient's primary clinician, which says nothing about the patient
and links to the app; a duplicated email job sends nothing more, and one the mail server
refused is sent by its retry; an invitation email
carries its link. Each email has a text part and a plain HTML part."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from psoas.web.clinic import mail, scope
from psoas.web.clinic.models import Alert, Invitation
from tests.clinic_seed import (
    as_patient,
    give_plan,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    run_queue,
    world,
)
from tests.smtp_sink import parts, smtp_fixture  # noqa: F401 (the `smtp` fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]


def check_plain(html: str, link: str) -> None:
    assert '<html lang="en">' in html and "<h1>" in html
    assert f'<a href="{link}">' in html
    assert "<img" not in html and "style" not in html and "<script" not in html


def red_flag_evaluated(queue):
    """The two clinics; patient A, with a plan from today (no gap: the red flag alone),
    answers yes to a red flag before a session, and the alerts queue runs."""
    w = world()
    with scope.everyone():
        give_plan(w.patients["A"], timezone.localdate())
    answer = as_patient(w.users["patient_a"]).post(
        "/api/sessions",
        {"pain_before": 2, "red_flags": ["saddle_numbness"]},
        content_type="application/json",
    )
    assert answer.status_code == 200
    run_queue(queue, "alerts")
    return w


def test_a_red_flag_mails_the_primary_clinician_once_and_nothing_about_the_patient(
    queue, smtp, settings
):
    settings.APP_ORIGIN = "https://care.example.org"
    w = red_flag_evaluated(queue)
    assert smtp.messages == []  # queued on the mail queue, not sent by the evaluation
    jobs_seen = run_queue(queue, "mail")
    assert [j["status"] for j in jobs_seen] == ["succeeded"], jobs_seen
    [message] = smtp.messages
    assert message["To"] == "cara@north.example"
    assert message["Subject"] == "A patient of yours has a new alert"
    text = parts(message)
    link = "https://care.example.org/clinic/alerts/"
    assert "Open psoas to see it." in text["text/plain"] and link in text["text/plain"]
    assert "North Physio" in text["text/plain"]
    check_plain(text["text/html"], link)
    for body in text.values():
        for word in ("a@mail.example", "saddle", "numb", "red flag", "pain", "emergency"):
            assert word not in body.lower(), word
    with scope.everyone():
        alert = Alert.objects.get(person=w.patients["A"].person, rule="red_flag")
    mail.alert_email.defer(alert_id=alert.pk)  # a duplicate, as a retry would be
    run_queue(queue, "mail")
    assert len(smtp.messages) == 1


def test_an_email_the_mail_server_refused_is_sent_by_the_retry_once(queue, smtp):
    """The mail server refuses the first try: the job fails and leaves no key, so its
    retry sends the email; a run after that sends nothing more."""
    w = red_flag_evaluated(queue)
    smtp.refuse = 1
    run_queue(queue, "mail")
    [job] = [j for j in queue.connector.jobs.values() if j["queue_name"] == "mail"]
    assert job["status"] == "todo" and job["attempts"] == 1  # failed; its retry waits
    assert smtp.messages == []
    with scope.everyone():
        alert = Alert.objects.get(person=w.patients["A"].person, rule="red_flag")
    mail.alert_email(alert_id=alert.pk)  # the retry's run
    mail.alert_email(alert_id=alert.pk)  # and a duplicate's
    [message] = smtp.messages
    assert message["Subject"] == "A patient of yours has a new alert"


def test_the_sweep_mails_red_flags_and_high_alerts_only(queue, smtp):
    w = world()
    with scope.everyone():
        give_plan(w.patients["B"], timezone.localdate() - timedelta(20))
        from psoas.web.clinic.alerts import sweep_all

        assert sweep_all(timezone.localdate()) >= 2  # B: no session for 20 days, and more
        severities = [a.severity for a in Alert.objects.all()]
    assert "low" in severities and "high" in severities, severities
    run_queue(queue, "mail")
    assert len(smtp.messages) == sum(s in mail.ALERT_SEVERITIES for s in severities)
    assert {m["To"] for m in smtp.messages} == {"cole@north.example"}  # B's clinician


def test_an_invitation_email_has_the_clinic_the_link_and_the_expiry(queue, smtp):
    w = world()
    with scope.everyone():
        invitation = Invitation.objects.filter(clinic=w.north).first()
    link = "https://care.example.org/join/?code=abc123"
    mail.send_invitation(invitation, link)
    [message] = smtp.messages
    assert message["To"] == invitation.email
    assert message["Subject"] == "Your invitation to psoas at North Physio"
    text = parts(message)
    assert link in text["text/plain"]
    assert re.search(r"until \d{2} \w+ \d{4}", text["text/plain"])
    check_plain(text["text/html"], link)
