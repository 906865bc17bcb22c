"""The break store on a real database (SQLite here, PostgreSQL again in CI): settings kept
and checked, events per person, on/off recorded, and one reminder claimed once."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from time import time as clock

import pytest

from psoas.core.breaks.model import BreakSettings, Span
from psoas.web.breaks import services
from psoas.web.breaks.codec import FieldError, settings_from_json, settings_to_json
from psoas.web.breaks.models import BreakConfig, BreakLog
from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday


def test_defaults_until_saved_then_kept():
    person = local_person()
    assert services.load_settings(person) == BreakSettings()
    mine = replace(
        BreakSettings(),
        zone="Europe/Berlin",
        interval_min=45,
        working_hours={**BreakSettings().working_hours, "sat": (Span(time(10), time(12)),)},
        fixed_times=(time(15), time(11, 30)),
    )
    services.save_settings(person, mine, NOW, "web")
    loaded = services.load_settings(person)
    assert loaded.interval_min == 45 and loaded.zone == "Europe/Berlin"
    assert loaded.working_hours["sat"] == (Span(time(10), time(12)),)
    assert loaded.fixed_times == (time(11, 30), time(15))  # sorted
    assert BreakConfig.objects.count() == 1
    services.save_settings(person, replace(loaded, interval_min=20))
    assert BreakConfig.objects.count() == 1
    assert services.load_settings(person).interval_min == 20


def test_switching_records_on_and_off_once():
    person = local_person()
    services.switch(person, True, NOW, "cli")
    services.switch(person, True, NOW + timedelta(minutes=1), "web")  # already on: no event
    services.switch(person, False, NOW + timedelta(minutes=2), "web")
    kinds = [(e.kind, e.source, e.at) for e in services.events(person, NOW - timedelta(days=1))]
    assert kinds == [("on", "cli", NOW), ("off", "web", NOW + timedelta(minutes=2))]
    assert services.load_settings(person).enabled is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"interval_min": 15}, "interval_min"),
        ({"interval_min": 61}, "interval_min"),
        ({"interval_min": "30"}, "interval_min"),
        ({"break_min": 0}, "break_min"),
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"zone": "Europe/" + "x" * 300}, "zone"),  # too long for a path: not a crash
        ({"working_hours": {"mon": [["17:00", "09:00"]]}}, "working_hours.mon"),
        ({"working_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "working_hours.mon"),
        ({"working_hours": {"monday": []}}, "working_hours.monday"),
        ({"fixed_times": ["25:00"]}, "fixed_times"),
        ({"snoozes": -1}, "snoozes"),
        ({"enabled": "yes"}, "enabled"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_name_the_field(data, field):
    with pytest.raises(FieldError) as err:
        settings_from_json(data)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_settings_round_trip_through_json():
    s = replace(BreakSettings(), fixed_times=(time(9, 5),), natural_break_min=4)
    assert settings_from_json(settings_to_json(s)) == s


def test_a_stored_row_with_one_bad_field_keeps_the_rest():
    person = local_person()
    BreakConfig.objects.create(person=person, settings={"interval_min": 45, "zone": "Nowhere/X"})
    assert services.load_settings(person) == replace(BreakSettings(), interval_min=45)


def test_events_belong_to_their_person():
    me, other = local_person(), Person.objects.create(name="other")
    services.record(me, "taken", NOW, source="web")
    services.record(other, "skipped", NOW, source="cli")
    services.record(me, "quiet", NOW, until=NOW + timedelta(hours=1), source="web")
    mine = services.events(me, NOW - timedelta(hours=1))
    assert [(e.kind, e.until) for e in mine] == [
        ("taken", None),
        ("quiet", NOW + timedelta(hours=1)),
    ]
    assert [e.kind for e in services.events(other, NOW - timedelta(hours=1))] == ["skipped"]
    assert services.events(me, NOW + timedelta(seconds=1)) == []


@pytest.mark.parametrize(
    ("kind", "at", "until", "source", "field"),
    [
        ("napped", NOW, None, "web", "kind"),
        ("on", NOW, None, "web", "kind"),
        ("taken", NOW.replace(tzinfo=None), None, "web", "at"),
        ("quiet", NOW, None, "web", "until"),
        ("quiet", NOW, NOW, "web", "until"),
        ("taken", NOW, NOW + timedelta(hours=1), "web", "until"),
        ("taken", NOW, None, "phone", "source"),
    ],
)
def test_bad_events_are_refused_and_not_saved(kind, at, until, source, field):
    with pytest.raises(FieldError) as err:
        services.record(local_person(), kind, at, until, source)
    assert err.value.field == field
    assert BreakLog.objects.count() == 0


def test_a_reminder_is_claimed_once():
    person = local_person()
    due = NOW
    assert services.claim_prompt(person, due, NOW + timedelta(seconds=2), "desktop")
    assert not services.claim_prompt(person, due, NOW + timedelta(seconds=3), "web")
    # the next reminder is a new claim
    later = NOW + timedelta(minutes=30)
    assert services.claim_prompt(person, later, later, "web")
    assert [e.source for e in services.events(person, NOW)] == ["desktop", "web"]


CLAIM = """
import sys, time
from datetime import datetime
from psoas.web.bootstrap import setup
setup()
from psoas.web.breaks.services import claim_prompt
from psoas.web.programs.services import local_person
person = local_person()
due = datetime.fromisoformat(sys.argv[1])
time.sleep(max(0, float(sys.argv[2]) - time.time()))
print(claim_prompt(person, due, due, sys.argv[3]))
"""


def test_two_runners_claiming_at_once_show_it_once(env):
    """Three processes (the web app, the desktop runner, the CLI) claim one reminder at the
    same moment on one store: exactly one shows it."""
    first = subprocess.run(
        [sys.executable, "-c", "from psoas.web.bootstrap import setup; setup()"], env=env
    )
    assert first.returncode == 0
    start = clock() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM, NOW.isoformat(), str(start), source],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for source in ("web", "desktop", "cli")
    ]
    answers = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert answers == ["False", "False", "True"]


def _on_at_nine(person, zone="UTC"):
    services.save_settings(
        person, replace(BreakSettings(), enabled=True, zone=zone), NOW.replace(hour=9), "web"
    )


def test_status_follows_the_events():
    person = local_person()
    off = services.status(person, NOW)
    assert not off.enabled and off.next.at is None
    _on_at_nine(person)
    s = services.status(person, NOW)  # on at 9:00, 30 minutes: due since 9:30
    assert s.enabled and s.next.at == NOW and s.shown_at is None
    assert s.snooze_refusal == "There is no reminder to snooze right now."
    assert services.claim_prompt(person, s.next.at, NOW, "web")
    shown = services.status(person, NOW + timedelta(seconds=10))
    assert shown.shown_at == NOW and shown.snooze_refusal is None
    assert shown.today.prompted == 1
    services.record(person, "taken", NOW + timedelta(minutes=1), source="web")
    after = services.status(person, NOW + timedelta(minutes=2))
    assert after.shown_at is None and after.next.at == NOW + timedelta(minutes=31)
    assert after.today.taken == 1 and after.today.longest_sitting_min == 61  # 9:00 to 10:01
    until = NOW + timedelta(hours=1)
    services.record(person, "quiet", NOW + timedelta(minutes=2), until=until, source="web")
    quiet = services.status(person, NOW + timedelta(minutes=3))
    assert quiet.quiet_until == until and quiet.next.at == until


def test_a_week_of_stats_by_the_persons_own_day():
    person = local_person()
    _on_at_nine(person, "Europe/Berlin")
    services.record(person, "taken", NOW, source="web")  # 11:00 in Berlin, Monday
    services.record(person, "skipped", NOW - timedelta(days=2), source="cli")  # Saturday
    # 23:30 UTC on Monday is Tuesday in Berlin
    services.record(person, "natural", NOW.replace(hour=23, minute=30), source="idle")
    later = NOW + timedelta(days=1, hours=2)
    week = services.stats(person, services.today(services.load_settings(person), later), later)
    assert [d.day for d in week][-2:] == ["2026-11-30", "2026-12-01"]
    assert len(week) == 7
    by_day = {d.day: d for d in week}
    assert by_day["2026-11-30"].taken == 1 and by_day["2026-11-28"].skipped == 1
    assert by_day["2026-12-01"].natural == 1 and by_day["2026-11-30"].natural == 0


def test_all_days_agrees_with_the_week(tmp_path):
    person = local_person()
    _on_at_nine(person)
    for day in range(6):
        base = NOW - timedelta(days=day)
        for minutes, kind in ((-40, "prompted"), (-39, "taken"), (20, "prompted"), (25, "skipped")):
            services.record(person, kind, base + timedelta(minutes=minutes), source="web")
    services.switch(person, False, NOW - timedelta(days=3, hours=-3), "web")
    services.switch(person, True, NOW - timedelta(days=2, hours=2), "web")
    now = NOW + timedelta(hours=3)
    week = {d.day: d for d in services.stats(person, NOW.date(), now)}
    every = services.all_days(person, now)
    assert len(every) == 6
    for d in every:
        assert d == week[d.day]
    assert any(
        d.longest_sitting_min != week[NOW.date().isoformat()].longest_sitting_min for d in every
    )
