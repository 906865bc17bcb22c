"""Session reminder emails: the rule in the core, then, on PostgreSQL with the queue's
in-memory connector and a real SMTP server on loopback, the patient's form (refusals
naming the field, nothing lost), the periodic job at the patient's own time in their own
time zone, one email a day that says nothing about their health, none on a rest day or
once the session is done, and none in local mode."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from psoas.core.reminders import LATE_BY, reminder_due
from tests.clinic_seed import queue_fixture  # noqa: F401 (the `queue` fixture)
from tests.smtp_sink import smtp_fixture  # noqa: F401 (the `smtp` fixture)

MADRID = ZoneInfo("Europe/Madrid")


def at(day: date, hh: int, mm: int, zone=MADRID) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone)


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        (at(date(2026, 3, 2), 7, 29), None, False),  # a minute early
        (at(date(2026, 3, 2), 7, 30), None, True),
        (at(date(2026, 3, 2), 13, 29), None, True),  # late, within LATE_BY
        (at(date(2026, 3, 2), 13, 30), None, False),  # too late to help
        (at(date(2026, 3, 2), 9, 0), date(2026, 3, 2), False),  # sent today already
        (at(date(2026, 3, 2), 9, 0), date(2026, 3, 1), True),  # sent yesterday
    ],
)
def test_a_reminder_is_due_once_a_day_from_its_time(now, last, expected):
    assert timedelta(hours=6) == LATE_BY
    assert reminder_due(now, time(7, 30), last) is expected


def test_the_day_is_the_patients_own_across_midnight_utc():
    """23:30 in Madrid is 22:30 UTC the same day in winter; 00:30 in Madrid is the next
    day's reminder, not the last one's."""
    winter = at(date(2026, 1, 10), 23, 30)
    assert winter.astimezone(UTC).date() == date(2026, 1, 10)
    assert reminder_due(winter, time(23, 0), date(2026, 1, 9)) is True
    after = at(date(2026, 1, 11), 0, 30)
    assert reminder_due(after, time(0, 15), date(2026, 1, 10)) is True


# --- in the store ---------------------------------------------------------------------------


def on_postgres(test):
    """A test of clinic mode: PostgreSQL, committed rows (the queue's jobs read them)."""
    for mark in (pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres):
        test = mark(test)
    return test


@pytest.fixture
def patient_a(queue, db):
    from psoas.web.clinic import scope
    from tests.clinic_seed import give_plan, world

    w = world()
    with scope.everyone():
        give_plan(w.patients["A"], date(2026, 3, 2))
        plan = w.patients["A"].person.plans.get()
        days = sorted(plan.scheduled.values_list("date", flat=True))
    rest = next(d for d in (days[0] + timedelta(n) for n in range(7)) if d not in days)
    return w, days[0], rest


def sent_now(queue, now: datetime) -> None:
    """The periodic job at `now`, then the mail queue's jobs."""
    from psoas.web.account.reminders import remind
    from tests.clinic_seed import run_queue

    remind(timestamp=int(now.timestamp()))
    run_queue(queue, "mail")


@on_postgres
def test_the_form_saves_refuses_naming_the_field_and_turns_off(queue, patient_a):
    from psoas.web.account.models import SessionReminder
    from psoas.web.clinic import scope
    from tests.clinic_seed import as_patient

    w, _day, _rest = patient_a
    client = as_patient(w.users["patient_a"])
    page = client.get("/settings/").content.decode()
    assert "Reminder emails" in page and "<strong>Off.</strong>" in page
    r = client.post("/settings/reminder", {"at": "07:30", "zone": "Europe/Madrid"})
    assert r.status_code == 302 and r["Location"] == "/settings/?done=reminder-on#reminders"
    assert "at 07:30, Europe/Madrid time" in client.get("/settings/").content.decode()

    for form, field, words in (
        ({"at": "25:00", "zone": "Europe/Madrid"}, "reminder_at", "Time: give a time from"),
        ({"at": "08:00", "zone": "Mars/Base"}, "reminder_zone", "Time zone: give a place"),
        ({"at": "", "zone": "Europe/Madrid"}, "reminder_at", "Time: give a time from"),
    ):
        r = client.post("/settings/reminder", form)
        text = r.content.decode()
        assert r.status_code == 422 and words in text, text
        assert f'href="#{field}"' in text and 'aria-invalid="true"' in text
    with scope.everyone():
        kept = SessionReminder.objects.get()
    assert (kept.at, kept.zone) == (time(7, 30), "Europe/Madrid")  # nothing lost

    r = client.post("/settings/reminder", {"action": "off"})
    assert r["Location"] == "/settings/?done=reminder-off#reminders"
    with scope.everyone():
        assert not SessionReminder.objects.exists()


@on_postgres
def test_one_email_at_the_patients_time_on_a_session_day_only(queue, patient_a, smtp, settings):
    from psoas.web.account.reminders import due
    from psoas.web.clinic import scope
    from psoas.web.tracking.models import SessionLog
    from tests.clinic_seed import as_patient
    from tests.smtp_sink import parts

    settings.APP_ORIGIN = "https://care.example.org"
    w, day, rest = patient_a
    client = as_patient(w.users["patient_a"])
    client.post("/settings/reminder", {"at": "07:30", "zone": "Europe/Madrid"})
    person = w.patients["A"].person

    with scope.everyone():  # as the job runs it
        assert due(at(day, 7, 29)) == []
        assert due(at(day, 7, 30)) == [(person.pk, day.isoformat())]
        assert due(at(rest, 7, 30)) == []  # a rest day
    sent_now(queue, at(day, 7, 29))
    assert smtp.messages == []
    sent_now(queue, at(day, 7, 35))
    [message] = smtp.messages
    assert message["To"] == "a@mail.example"
    assert message["Subject"] == "Your psoas session for today"
    text = parts(message)
    assert "https://care.example.org/today/" in text["text/plain"]
    assert "North Physio" in text["text/plain"] and "turn these emails off" in text["text/plain"]
    for body in text.values():
        for word in ("pain", "bridge", "stretch", "lunge", "psoas is", "week"):
            assert word not in body.lower(), word

    sent_now(queue, at(day, 7, 40))  # five minutes on: sent today already
    sent_now(queue, at(day, 12, 0))
    assert len(smtp.messages) == 1

    # the next session day, done before the time: no email
    with scope.everyone():
        later = sorted(person.plans.get().scheduled.values_list("date", flat=True))[1]
        SessionLog.objects.create(
            person=person, plan=person.plans.get(), date=later, week=1, session_index=1,
            status="completed", source="player",
        )  # fmt: skip
        assert due(at(later, 7, 30)) == []


@pytest.mark.django_db(transaction=True)
def test_local_mode_has_no_reminder_emails(client):
    from psoas.web.programs.services import local_person

    local_person()
    assert client.post("/settings/reminder", {"at": "07:30", "zone": "UTC"}).status_code == 404
    assert "Reminder emails" not in client.get("/settings/").content.decode()
