"""The move-break core (issue 15): the scheduler's rules one by one, its invariants over
generated settings, histories and times (Hypothesis, the "safety" profile), every change
of clock in a year, the day's statistics, and the break routine over generated plans.

The invariants are checked against oracles written here, not the core's own helpers: the
clock a person reads (found by looking at it minute by minute), working hours as wall
time, the quiet time in force from the raw events.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import textstat
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from psoas.core.breaks.model import (
    EVENT_KINDS,
    SNOOZE_WINDOW_S,
    WEEKDAYS,
    BreakEvent,
    BreakSettings,
    Span,
    office_hours,
)
from psoas.core.breaks.routine import (
    BREAK_MIN_REPS,
    NO_FIT,
    NO_PLAN,
    PICKED,
    REFER,
    WALK_CUES,
    WALK_WHY,
    Routine,
    break_routine,
)
from psoas.core.breaks.scheduler import (
    NO_HOURS,
    NO_ROOM,
    OFF,
    can_snooze,
    is_natural_break,
    next_reminder,
    quiet_until,
    snooze_refusal,
)
from psoas.core.breaks.stats import day_stats, week_stats
from psoas.core.content.readability import MOVING, join_sentences
from psoas.core.planning.planner import build_plan
from psoas.core.player.machine import Player, SessionFinished, doses_from_plan_session
from psoas.core.player.timeline import Dose, session_seconds
from psoas.core.profile import parse_profile
from tests.strategies import profiles

SAFETY = settings.get_profile("safety")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")
BERLIN = ZoneInfo("Europe/Berlin")
MON = date(2025, 3, 24)  # a Monday, a week before Berlin's clocks go forward


def at(day: date, hh: int, mm: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone)


def ev(kind: str, when: datetime, until: datetime | None = None) -> BreakEvent:
    return BreakEvent(when, kind, until)  # type: ignore[arg-type]


def on_berlin(**kw) -> BreakSettings:
    return BreakSettings(**{"enabled": True, "zone": "Europe/Berlin", **kw})


def local(t: datetime, zone: ZoneInfo = BERLIN) -> str:
    return t.astimezone(zone).strftime("%a %H:%M")


# --- oracles ----------------------------------------------------------------------------


@functools.cache
def showing(day: date, wall: time, zone_name: str) -> datetime:
    """The first instant at which the clock shows `wall` or later on `day`, found by
    reading the clock minute by minute (no fold, no offset arithmetic)."""
    zone = ZoneInfo(zone_name)
    guess = datetime.combine(day, wall, tzinfo=UTC)
    guess -= guess.astimezone(zone).utcoffset()
    t = guess - timedelta(hours=2)
    for _ in range(5 * 60):
        shown = t.astimezone(zone)
        if (shown.date(), shown.time()) >= (day, wall):
            return t
        t += timedelta(minutes=1)
    raise AssertionError("the clock never showed it")


def work_spans(s: BreakSettings, day: date) -> list[tuple[datetime, datetime]]:
    """One day's working time as instants, spans that touch joined."""
    raw = sorted(
        (showing(day, sp.start, s.zone), showing(day, sp.end, s.zone))
        for sp in s.working_hours.get(WEEKDAYS[day.weekday()], ())
    )
    out: list[tuple[datetime, datetime]] = []
    for a, b in raw:
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def in_hours(s: BreakSettings, t: datetime) -> bool:
    day = t.astimezone(ZoneInfo(s.zone)).date()
    return any(a <= t < b for a, b in work_spans(s, day))


def quiet_at(events: list[BreakEvent], t: datetime) -> datetime | None:
    """The end of the quiet time in force at `t`, from the raw events."""
    end = None
    for e in sorted((e for e in events if e.at <= t), key=lambda e: e.at):
        end = e.until if e.kind == "quiet" else None if e.kind == "on" else end
    return end if end is not None and end > t else None


def switched_off(s: BreakSettings, events: list[BreakEvent], now: datetime) -> bool:
    switches = [e.kind for e in sorted(events, key=lambda e: e.at) if e.at <= now]
    switches = [k for k in switches if k in ("on", "off")]
    return not s.enabled or (bool(switches) and switches[-1] == "off")


def last_reset(s: BreakSettings, resets: list[datetime], t: datetime) -> datetime:
    """The last reset at or before `t`: an event's, or a start of work."""
    day = t.astimezone(ZoneInfo(s.zone)).date()
    starts = [a for i in range(16) for a, _ in work_spans(s, day - timedelta(days=i)) if a <= t]
    return max([*starts, *(r for r in resets if r <= t)])


def fixed_showings(s: BreakSettings, first: date, last: date) -> set[datetime]:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {showing(d, f, s.zone) for d in days for f in s.fixed_times}


# --- strategies -------------------------------------------------------------------------

# Night hours are drawn often: the clocks change there.
MINUTES = st.integers(0, 1439) | st.sampled_from([0, 60, 90, 105, 120, 135, 150, 180, 540, 1020])
WALLS = MINUTES.map(lambda m: time(m // 60, m % 60))


MARKS = st.lists(MINUTES, unique=True, min_size=2, max_size=6)
HOW = st.sampled_from(["usual", "usual", "off", "other"])
ZONE = st.sampled_from(ZONES)
INTERVAL, BREAK, SNOOZE_MIN, SNOOZES = (
    st.integers(a, b) for a, b in ((20, 60), (1, 5), (1, 30), (0, 5))
)
NATURAL = st.none() | st.integers(1, 60)
FIXED = st.lists(WALLS, max_size=4)


@st.composite
def spans(draw) -> tuple[Span, ...]:
    marks = sorted(draw(MARKS))
    marks = marks[: len(marks) // 2 * 2]
    return tuple(
        Span(time(a // 60, a % 60), time(b // 60, b % 60))
        for a, b in zip(marks[::2], marks[1::2], strict=True)
    )


@st.composite
def break_settings(draw, enabled: bool = True) -> BreakSettings:
    usual = draw(spans())
    week = {d: draw(HOW) for d in WEEKDAYS}
    hours = {
        d: usual if how == "usual" else () if how == "off" else draw(spans())
        for d, how in week.items()
    }
    if not any(hours.values()):
        hours["mon"] = usual
    return BreakSettings(
        enabled=enabled,
        zone=draw(ZONE),
        interval_min=draw(INTERVAL),
        break_min=draw(BREAK),
        working_hours=hours,
        fixed_times=tuple(sorted(set(draw(FIXED)))),
        snooze_min=draw(SNOOZE_MIN),
        snoozes=draw(SNOOZES),
        natural_break_min=draw(NATURAL),
    )


YEAR = st.integers(0, 364 * 24 * 60).map(
    lambda m: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=m)
)


RAW_EVENTS = st.lists(
    st.tuples(st.integers(-4000, 600), st.sampled_from(EVENT_KINDS), st.integers(1, 3000)),
    max_size=25,
)


def histories(base: datetime) -> st.SearchStrategy[list[BreakEvent]]:
    """Any events around `base`: any kind, any order, quiet times of any length."""
    return RAW_EVENTS.map(
        lambda raw: [
            BreakEvent(
                base + timedelta(minutes=m),
                kind,
                base + timedelta(minutes=m + q) if kind == "quiet" else None,
            )
            for m, kind, q in raw
        ]
    )


# --- the rules, one by one --------------------------------------------------------------


def test_the_first_reminder_comes_one_interval_after_work_starts():
    r = next_reminder(on_berlin(), at(MON, 8), [])
    assert local(r.at) == "Mon 09:30" and r.reason == "30 minutes after your work started"
    assert r.snoozes_left == 2 and r.can_snooze_until == r.at + timedelta(seconds=60)


def test_off_in_the_settings_or_by_an_off_event_means_no_reminder():
    assert next_reminder(BreakSettings(), at(MON, 10), []).at is None
    events = [ev("on", at(MON, 9)), ev("off", at(MON, 10))]
    r = next_reminder(on_berlin(), at(MON, 11), events)
    assert (r.at, r.reason, r.snoozes_left, r.can_snooze_until) == (None, OFF, 0, None)
    events.append(ev("on", at(MON, 11, 10)))
    r = next_reminder(on_berlin(), at(MON, 11, 15), events)
    assert local(r.at) == "Mon 11:40" and r.reason == "30 minutes after you turned breaks on"


def test_no_working_hours_means_no_reminder():
    none = {d: () for d in WEEKDAYS}
    assert next_reminder(on_berlin(working_hours=none), at(MON, 10), []).reason == NO_HOURS


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("taken", "your last break"),
        ("natural", "your last break"),
        ("skipped", "you skipped the last one"),
    ],
)
def test_a_break_a_natural_break_or_a_skip_resets_the_interval(kind, why):
    s = on_berlin(interval_min=45)
    events = [ev("prompted", at(MON, 9, 45)), ev(kind, at(MON, 10, 2))]
    r = next_reminder(s, at(MON, 10, 5), events)
    assert local(r.at) == "Mon 10:47" and r.reason == f"45 minutes after {why}"


def test_a_reminder_not_answered_comes_again_only_an_interval_later():
    """Rule: a reminder shown and not acted on is not shown again until it is acted on or
    `interval_min` more passes; it keeps its snoozes, and it holds back set times."""
    s = on_berlin(fixed_times=(time(10, 15),))
    events = [ev("snoozed", at(MON, 9, 31)), ev("prompted", at(MON, 9, 36))]
    r = next_reminder(s, at(MON, 9, 40), events)
    assert local(r.at) == "Mon 10:06"
    assert r.reason == "30 minutes after a reminder you did not answer"
    assert r.snoozes_left == 1
    # Answered: the set time is back.
    events.append(ev("skipped", at(MON, 9, 50)))
    r = next_reminder(s, at(MON, 9, 50), events)
    assert local(r.at) == "Mon 10:15" and r.reason == "at 10:15, one of your set times"


def test_a_reminder_that_falls_after_work_is_dropped_and_the_next_day_starts_fresh():
    events = [ev("taken", at(MON, 16, 45))]
    r = next_reminder(on_berlin(), at(MON, 16, 50), events)
    assert local(r.at) == "Tue 09:30" and r.reason == "30 minutes after your work started"
    friday = MON + timedelta(days=4)
    r = next_reminder(on_berlin(), at(friday, 16, 50), [ev("taken", at(friday, 16, 45))])
    assert local(r.at) == "Mon 09:30"


def test_a_lunch_break_between_two_spans_resets_the_clock():
    split = (Span(time(9), time(12)), Span(time(13), time(17)))
    s = on_berlin(working_hours={d: split for d in WEEKDAYS})
    r = next_reminder(s, at(MON, 11, 50), [ev("taken", at(MON, 11, 40))])
    assert local(r.at) == "Mon 13:30"
    joined = (Span(time(9), time(12)), Span(time(12), time(17)))
    s = on_berlin(working_hours={d: joined for d in WEEKDAYS})
    r = next_reminder(s, at(MON, 11, 50), [ev("taken", at(MON, 11, 40))])
    assert local(r.at) == "Mon 12:10"  # spans that touch are one: no reset at 12:00


def test_a_reminder_already_due_is_due_now():
    r = next_reminder(on_berlin(), at(MON, 11, 7), [ev("taken", at(MON, 10))])
    assert r.at == at(MON, 11, 7) and r.reason == "30 minutes after your last break"


def test_fixed_times_come_in_working_hours_once():
    s = on_berlin(interval_min=60, fixed_times=(time(7), time(14, 40), time(18)))
    events = [ev("taken", at(MON, 14, 10))]
    r = next_reminder(s, at(MON, 14, 20), events)
    assert local(r.at) == "Mon 14:40" and r.reason == "at 14:40, one of your set times"
    events += [ev("prompted", at(MON, 14, 40)), ev("taken", at(MON, 14, 41))]
    r = next_reminder(s, at(MON, 14, 41), events)
    assert local(r.at) == "Mon 15:41"  # 07:00 and 18:00 are outside working hours
    events.append(ev("taken", at(MON, 16, 30)))
    assert local(next_reminder(s, at(MON, 16, 30), events).at) == "Tue 10:00"


def test_a_set_time_missed_while_the_computer_slept_comes_once_on_waking():
    s = on_berlin(interval_min=60, fixed_times=(time(15),))
    events = [ev("taken", at(MON, 14, 50))]
    r = next_reminder(s, at(MON, 15, 20), events)
    assert r.at == at(MON, 15, 20) and r.reason == "at 15:00, one of your set times"
    events.append(ev("prompted", at(MON, 15, 20)))
    r = next_reminder(s, at(MON, 15, 21), events)
    assert local(r.at) == "Mon 16:20"


def test_quiet_for_an_hour_holds_a_reminder_until_it_ends():
    now = at(MON, 10, 10)
    until = quiet_until(on_berlin(), now, "1h")
    assert until == at(MON, 11, 10)
    events = [ev("taken", at(MON, 10)), ev("quiet", now, until)]
    r = next_reminder(on_berlin(), now, events)
    assert local(r.at) == "Mon 11:10" and r.reason == "when your quiet time ends at 11:10"


def test_quiet_until_tomorrow_ends_when_work_starts_on_a_later_day():
    s = on_berlin()
    friday = MON + timedelta(days=4)
    assert local(quiet_until(s, at(MON, 10), "until-tomorrow")) == "Tue 09:00"
    assert local(quiet_until(s, at(MON, 7), "until-tomorrow")) == "Tue 09:00"
    assert local(quiet_until(s, at(friday, 10), "until-tomorrow")) == "Mon 09:00"
    none = on_berlin(working_hours={d: () for d in WEEKDAYS})
    assert local(quiet_until(none, at(MON, 10), "until-tomorrow")) == "Tue 00:00"
    now = at(MON, 10)
    events = [ev("quiet", now, quiet_until(s, now, "until-tomorrow"))]
    r = next_reminder(s, now, events)
    assert local(r.at) == "Tue 09:30" and r.reason == "30 minutes after your work started"


def test_a_new_quiet_time_replaces_the_last_and_switching_on_ends_it():
    s = on_berlin()
    events = [ev("quiet", at(MON, 9, 5), at(MON, 15)), ev("quiet", at(MON, 9, 10), at(MON, 9, 11))]
    assert local(next_reminder(s, at(MON, 9, 20), events).at) == "Mon 09:30"
    events = [ev("quiet", at(MON, 9, 5), at(MON, 15)), ev("on", at(MON, 9, 10))]
    assert local(next_reminder(s, at(MON, 9, 20), events).at) == "Mon 09:40"


def test_quiet_until_refuses_other_words():
    with pytest.raises(
        ValueError, match="pause: '2 weeks' is not a choice; use 1h or until-tomorrow"
    ):
        quiet_until(on_berlin(), at(MON, 10), "2 weeks")


def test_a_snooze_puts_the_reminder_off_and_counts_down():
    s = on_berlin(snooze_min=5, snoozes=2)
    events = [ev("prompted", at(MON, 9, 30)), ev("snoozed", at(MON, 9, 30))]
    r = next_reminder(s, at(MON, 9, 31), events)
    assert local(r.at) == "Mon 09:35" and r.reason == "5 minutes after your snooze"
    assert r.snoozes_left == 1 and r.can_snooze_until == r.at + timedelta(seconds=SNOOZE_WINDOW_S)
    events += [ev("prompted", at(MON, 9, 35)), ev("snoozed", at(MON, 9, 35))]
    r = next_reminder(s, at(MON, 9, 36), events)
    assert (r.snoozes_left, r.can_snooze_until) == (0, None)
    events.append(ev("prompted", at(MON, 9, 40)))
    refusal = "You have snoozed this reminder 2 times. You can take the break now or skip it."
    assert snooze_refusal(s, at(MON, 9, 40), events) == refusal
    assert not can_snooze(s, at(MON, 9, 40), events)


def test_a_snooze_is_offered_only_early():
    s = on_berlin()
    shown = at(MON, 9, 30)
    events = [ev("prompted", shown)]
    assert can_snooze(s, shown + timedelta(seconds=SNOOZE_WINDOW_S), events)
    late = shown + timedelta(seconds=SNOOZE_WINDOW_S + 1)
    assert snooze_refusal(s, late, events) == (
        "Snooze is only offered in the first 60 seconds. You can take the break now or skip it."
    )
    assert snooze_refusal(s, at(MON, 9, 20), []) == "There is no reminder to snooze right now."
    assert snooze_refusal(on_berlin(snoozes=0), shown, events).startswith("Snooze is turned off")
    assert snooze_refusal(BreakSettings(), shown, events) == OFF


def test_time_away_as_long_as_a_break_is_a_natural_break():
    assert is_natural_break(on_berlin(break_min=2), 120)
    assert not is_natural_break(on_berlin(break_min=2), 119)
    assert is_natural_break(on_berlin(break_min=2, natural_break_min=10), 600)
    assert not is_natural_break(on_berlin(break_min=2, natural_break_min=10), 599)


def test_times_without_a_zone_are_refused_by_name():
    with pytest.raises(ValueError, match=r"^now: a time needs its time zone"):
        next_reminder(on_berlin(), datetime(2025, 3, 24, 10), [])
    with pytest.raises(ValueError, match=r"^at: a time needs its time zone"):
        next_reminder(on_berlin(), at(MON, 10), [BreakEvent(datetime(2025, 3, 24, 9), "taken")])


def test_intervals_are_real_minutes_across_a_change_of_clock():
    night = {d: (Span(time(0), time(6)),) for d in WEEKDAYS}
    s = on_berlin(working_hours=night)
    spring = date(2025, 3, 30)
    r = next_reminder(s, at(spring, 1, 50), [ev("taken", at(spring, 1, 45))])
    assert r.at.astimezone(BERLIN).strftime("%H:%M %Z") == "03:15 CEST"  # 30 real minutes


def test_a_set_time_the_clock_skips_or_shows_twice_comes_once():
    night = {d: (Span(time(0), time(6)),) for d in WEEKDAYS}
    s = on_berlin(working_hours=night, interval_min=60, fixed_times=(time(2, 30),))
    spring, autumn = date(2025, 3, 30), date(2025, 10, 26)
    r = next_reminder(s, at(spring, 1, 59), [ev("on", at(spring, 1, 50))])
    assert r.at.astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"
    start = datetime(2025, 10, 26, 0, 20, tzinfo=UTC)  # 02:20 CEST, the first 02:20
    events = [ev("on", start)]
    r = next_reminder(s, start, events)
    assert r.at.astimezone(BERLIN).strftime("%H:%M %Z") == "02:30 CEST"
    events += [ev("prompted", r.at), ev("taken", r.at)]
    r = next_reminder(s, r.at, events)
    assert r.at.astimezone(BERLIN).strftime("%H:%M %Z") == "02:30 CET"  # the interval
    assert r.reason == "60 minutes after your last break"
    assert autumn == r.at.astimezone(BERLIN).date()


def test_later_events_are_not_looked_at():
    r = next_reminder(on_berlin(), at(MON, 9, 40), [ev("taken", at(MON, 9, 50))])
    assert local(r.at) == "Mon 09:40"


# --- invariants over generated settings and histories ------------------------------------


@settings(SAFETY)
@given(data=st.data())
def test_never_inside_quiet_time_or_outside_working_hours(data):
    s = data.draw(break_settings(enabled=data.draw(st.booleans() | st.just(True))))
    base = data.draw(YEAR)
    events = data.draw(histories(base))
    now = base + timedelta(minutes=data.draw(st.integers(-60, 600)))
    r = next_reminder(s, now, events)
    every = timedelta(minutes=s.interval_min)
    if switched_off(s, events, now):
        assert (r.at, r.reason, r.snoozes_left, r.can_snooze_until) == (None, OFF, 0, None)
        return
    if r.at is None:  # only when no span is longer than the interval and no set time fits
        assert r.reason == NO_ROOM
        day = now.astimezone(ZoneInfo(s.zone)).date()
        days = [day + timedelta(days=i) for i in range(15)]
        assert all(b - a <= every for d in days for a, b in work_spans(s, d))
        assert not [f for f in fixed_showings(s, day, days[-1]) if f >= now and in_hours(s, f)]
        return
    assert r.at >= now
    assert in_hours(s, r.at), (s, local(r.at, ZoneInfo(s.zone)))
    quiet = quiet_at(events, now)
    assert quiet is None or r.at >= quiet
    assert 0 <= r.snoozes_left <= s.snoozes
    window = r.at + timedelta(seconds=SNOOZE_WINDOW_S)
    assert r.can_snooze_until == (window if r.snoozes_left else None)
    assert r.reason


ACTS = ("take", "take", "skip", "snooze", "snooze", "ignore", "natural", "quiet", "tomorrow")


@settings(SAFETY)
@given(data=st.data())
def test_a_simulated_person_gets_reminders_only_as_the_rules_allow(data):
    """A person answers each reminder at random (take, skip, snooze, ignore, go quiet,
    leave the desk) a little while after it shows. Every reminder is in working hours and
    outside quiet time; no two come closer than the interval unless a snooze or a set time
    asked; snoozes keep to their number and their window."""
    s = data.draw(break_settings())
    now = data.draw(YEAR)
    events = [ev("on", now)]
    prompts: list[tuple[datetime, int]] = []  # (when, snoozes_left said)
    snoozes: list[datetime] = []
    resets: list[datetime] = [now]
    for _ in range(data.draw(st.integers(1, 30))):
        r = next_reminder(s, now, events)
        if r.at is None:
            assert r.reason == NO_ROOM
            break
        assert r.at >= now
        assert not prompts or r.at > prompts[-1][0], "a reminder doubled"
        now = r.at
        assert in_hours(s, now)
        quiet = quiet_at(events, now)
        assert quiet is None or now >= quiet
        events.append(ev("prompted", now))
        prompts.append((now, r.snoozes_left))
        act = data.draw(st.sampled_from(ACTS))
        now += timedelta(seconds=data.draw(st.integers(0, 90)))
        used = sum(1 for t in snoozes if t >= last_reset(s, resets, prompts[-1][0]))
        allowed = used < s.snoozes and now - prompts[-1][0] <= timedelta(seconds=SNOOZE_WINDOW_S)
        if act == "snooze":
            assert can_snooze(s, now, events) == allowed
            assert r.snoozes_left == max(s.snoozes - used, 0)
            if allowed:
                events.append(ev("snoozed", now))
                snoozes.append(now)
                continue
            assert snooze_refusal(s, now, events)
            act = "skip"
        if act in ("take", "skip"):
            events.append(ev("taken" if act == "take" else "skipped", now))
            resets.append(now)
        elif act == "natural":
            now += timedelta(minutes=data.draw(st.integers(1, 90)))
            events.append(ev("natural", now))
            resets.append(now)
        elif act in ("quiet", "tomorrow"):
            how = "1h" if act == "quiet" else "until-tomorrow"
            events.append(ev("quiet", now, quiet_until(s, now, how)))
    if not prompts:
        return
    every = timedelta(minutes=s.interval_min)
    days = [t.astimezone(ZoneInfo(s.zone)).date() for t, _ in prompts]
    fixed = fixed_showings(s, min(days) - timedelta(days=1), max(days))
    for (p1, _), (p2, _) in pairwise(prompts):
        if p2 - p1 >= every:
            continue
        asked = any(p1 <= t <= p2 for t in snoozes) or any(p1 < f <= p2 for f in fixed)
        assert asked, f"{p1} then {p2}: closer than {s.interval_min} minutes, unasked"
    for when in snoozes:  # each snooze early, and no reminder snoozed too often
        shown = max(p for p, _ in prompts if p <= when)
        assert when - shown <= timedelta(seconds=SNOOZE_WINDOW_S)
        since = last_reset(s, resets, shown)
        assert sum(1 for t in snoozes if since <= t <= when) <= s.snoozes


def clock_changes(zone_name: str, year: int = 2025) -> list[date]:
    """The local days on which the clock changes in a year."""
    zone = ZoneInfo(zone_name)
    out, day = [], date(year, 1, 1)
    while day.year == year:
        a = datetime.combine(day, time(0), tzinfo=zone).utcoffset()
        b = datetime.combine(day, time(23, 59), tzinfo=zone).utcoffset()
        if a != b:
            out.append(day)
        day += timedelta(days=1)
    return out


CHANGES = [(z, d) for z in ZONES for d in clock_changes(z)]


def test_the_zones_change_their_clocks():
    assert {z for z, _ in CHANGES} == {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}
    assert len(CHANGES) == 6


def expected_day(s: BreakSettings, day: date) -> list[datetime]:
    """A day where every reminder is taken at once: in each working span, a reminder an
    interval after the span starts or after the last one, or at a set time, if sooner."""
    every = timedelta(minutes=s.interval_min)
    fixed = sorted(fixed_showings(s, day, day))
    out = []
    for start, end in work_spans(s, day):
        nxt = min([start + every, *(f for f in fixed if f >= start)])
        while nxt < end:
            out.append(nxt)
            nxt = min([nxt + every, *(f for f in fixed if f > nxt)])
    return out


@settings(SAFETY)
@given(data=st.data())
def test_a_change_of_clock_neither_skips_nor_doubles_a_reminder(data):
    """Every change of clock in 2025 in every zone: a day of reminders, each taken at once,
    is exactly the day the rules give when counted on the clock minute by minute. So each
    set time fires once (a time the clock skips at the first instant after the gap, a time
    it shows twice at its first showing) and no interval reminder is skipped or doubled.
    The run starts the day before, so the day is one in a row of working days."""
    zone, day = data.draw(st.sampled_from(CHANGES))
    night = data.draw(spans())
    s = replace(data.draw(break_settings()), zone=zone, working_hours={d: night for d in WEEKDAYS})
    assume(work_spans(s, day))
    now = showing(day - timedelta(days=1), time(0), zone)
    start, end = showing(day, time(0), zone), showing(day + timedelta(days=1), time(0), zone)
    events = [ev("on", now)]
    got: list[datetime] = []
    while True:
        r = next_reminder(s, now, events)
        if r.at is None or r.at >= end:
            break
        assert not got or r.at > got[-1], "a reminder doubled"
        now = r.at
        got.append(now)
        events += [ev("prompted", now), ev("taken", now)]
    today = [t for t in got if t >= start]
    assert today == expected_day(s, day)
    fixed = [f for f in fixed_showings(s, day, day) if in_hours(s, f)]
    assert all(today.count(f) == 1 for f in fixed)
    stats = day_stats(s, events, day, end)
    assert stats.prompted == stats.taken == len(today)
    assert stats.longest_sitting_min <= s.interval_min  # a break at least every interval


# --- statistics -------------------------------------------------------------------------


def test_a_days_numbers_and_its_longest_sitting_stretch():
    s = on_berlin()
    events = [
        ev("on", at(MON, 8)),
        ev("prompted", at(MON, 9, 30)),
        ev("taken", at(MON, 9, 31)),
        ev("natural", at(MON, 12)),
        ev("prompted", at(MON, 12, 30)),
        ev("snoozed", at(MON, 12, 30)),
        ev("prompted", at(MON, 12, 35)),
        ev("skipped", at(MON, 12, 36)),
    ]
    st_ = day_stats(s, events, MON, at(MON, 14))
    assert (st_.day, st_.prompted, st_.taken, st_.natural, st_.snoozed, st_.skipped) == (
        "2025-03-24",
        3,
        1,
        1,
        1,
        1,
    )
    assert st_.longest_sitting_min == 149  # 09:31 to 12:00; a skip does not end sitting
    assert day_stats(s, events, MON, at(MON, 23)).longest_sitting_min == 300  # 12:00 to 17:00


def test_days_with_nothing_watching_count_no_sitting():
    s = on_berlin()
    events = [ev("on", at(MON, 8)), ev("taken", at(MON, 10)), ev("off", at(MON, 11))]
    tue = MON + timedelta(days=1)
    assert day_stats(s, events, MON, at(tue, 12)).longest_sitting_min == 60  # 09-10, 10-11
    assert day_stats(s, events, tue, at(tue, 12)).longest_sitting_min == 0  # off, no events
    week = week_stats(s, events, tue, at(tue, 12))
    assert [d.day for d in week] == [(tue - timedelta(days=6 - i)).isoformat() for i in range(7)]
    assert sum(d.taken for d in week) == 1


def test_a_day_is_the_persons_own_day():
    s = BreakSettings(enabled=True, zone="America/New_York")
    late = datetime(2025, 3, 25, 2, 30, tzinfo=UTC)  # 22:30 on Monday in New York
    stats = week_stats(s, [ev("taken", late)], date(2025, 3, 25), late)
    assert [d.taken for d in stats[-2:]] == [1, 0]


@settings(SAFETY)
@given(data=st.data())
def test_the_numbers_add_up(data):
    """Each count is that kind's events on the person's day; a week's counts are its days'
    counts; a sitting stretch is never longer than the day's working time (up to now)."""
    s = data.draw(break_settings())
    zone = ZoneInfo(s.zone)
    base = data.draw(YEAR)
    events = data.draw(histories(base))
    now = base + timedelta(minutes=data.draw(st.integers(-600, 3000)))
    day = now.astimezone(zone).date() - timedelta(days=data.draw(st.integers(-1, 8)))
    week = week_stats(s, events, day, now)
    assert [d.day for d in week] == [(day - timedelta(days=6 - i)).isoformat() for i in range(7)]
    for d in week:
        one = day_stats(s, events, date.fromisoformat(d.day), now)
        assert one == d
        mine = [
            e for e in events if e.at <= now and e.at.astimezone(zone).date().isoformat() == d.day
        ]
        for kind in ("prompted", "taken", "natural", "snoozed", "skipped"):
            assert getattr(d, kind) == sum(1 for e in mine if e.kind == kind)
        work = sum(
            (min(b, now) - a for a, b in work_spans(s, date.fromisoformat(d.day)) if a < now),
            timedelta(0),
        )
        assert 0 <= d.longest_sitting_min <= work.total_seconds() // 60
        if not mine:
            assert d.longest_sitting_min == 0


# --- the break routine ------------------------------------------------------------------


def plan_for(**fields):
    profile = parse_profile({"schema": "psoas.profile/1", **fields})
    return build_plan(profile), profile


def test_the_usual_break_is_a_hip_flexor_stretch_and_knee_lifts(cat):
    plan, profile = plan_for(equipment=["chair"])
    r = break_routine(plan, profile, cat, 3)
    assert r.kind == "exercises" and r.why == PICKED
    assert [e["id"] for e in r.exercises] == ["standing_hip_flexor_stretch", "standing_knee_lift"]
    assert r.seconds <= 180
    lift = r.exercises[1]
    assert lift["sets"] == 1 and BREAK_MIN_REPS <= lift["reps"] < 10
    assert lift["why"].endswith(f"In a break: 1 set of {lift['reps']} reps on each side.")
    assert set(lift) == set(plan["weeks"][0]["sessions"][0]["exercises"][0])


def test_a_break_plays_in_the_session_player_for_as_long_as_it_says(cat):
    plan, profile = plan_for()
    r = break_routine(plan, profile, cat, 3)
    clock = [0.0]
    player = Player(doses_from_plan_session(r.session()), lambda: clock[0])
    player.start()
    clock[0] = r.seconds - 1.0
    assert not [e for e in player.tick() if isinstance(e, SessionFinished)]
    clock[0] = float(r.seconds)
    assert [e for e in player.tick() if isinstance(e, SessionFinished)]
    assert r.session()["estimated_minutes"] == 3


def test_a_short_break_takes_one_exercise_and_turn_varies_it(cat):
    plan, profile = plan_for()
    picks = {break_routine(plan, profile, cat, 2, turn=n).exercises[0]["id"] for n in range(3)}
    assert picks == {"standing_hip_flexor_stretch", "standing_knee_lift"}


def test_a_one_minute_break_is_a_walk(cat):
    plan, profile = plan_for()
    r = break_routine(plan, profile, cat, 1)
    assert (r.kind, r.seconds, r.why, r.exercises, r.cues) == ("walk", 60, NO_FIT, (), WALK_CUES)


def test_after_an_anterior_hip_replacement_no_standing_lunge_stretch(cat):
    plan, profile = plan_for(conditions=["hip_replacement_anterior"])
    for n in range(4):
        r = break_routine(plan, profile, cat, 3, turn=n)
        assert [e["id"] for e in r.exercises] == ["standing_knee_lift"]


def test_an_acute_injury_leaves_only_the_walk(cat):
    plan, profile = plan_for(conditions=["acute_injury"])
    r = break_routine(plan, profile, cat, 3)
    assert (r.kind, r.seconds, r.why) == ("walk", 180, NO_FIT)


def test_a_referral_a_stopped_program_or_no_plan_walk_and_say_why(cat):
    plan, profile = plan_for(red_flags=["saddle_numbness"])
    assert plan["status"] == "refer"
    assert break_routine(plan, profile, cat, 2) == Routine("walk", 120, REFER, (), WALK_CUES)
    ok, profile = plan_for()
    stop = "Your pain went up, so your program is on hold. For now, your break is a walk."
    r = break_routine(ok, profile, cat, 4, stopped=stop)
    assert (r.kind, r.seconds, r.why) == ("walk", 240, stop)
    assert break_routine(None, profile, cat, 2).why == NO_PLAN
    assert WALK_WHY


def test_the_walk_and_the_messages_read_at_grade_6():
    from psoas.core.breaks import routine, scheduler

    texts = [
        join_sentences(list(WALK_CUES)),
        *(getattr(routine, n) for n in ("WALK_WHY", "NO_PLAN", "REFER", "NO_FIT", "PICKED")),
        scheduler.OFF,
        scheduler.NO_HOURS,
        scheduler.NO_ROOM,
    ]
    s = on_berlin()
    events = [
        ev("prompted", at(MON, 9, 30)),
        ev("snoozed", at(MON, 9, 30)),
        ev("snoozed", at(MON, 9, 30)),
    ]
    texts += [
        snooze_refusal(s, at(MON, 9, 31), [*events, ev("prompted", at(MON, 9, 31))]),
        snooze_refusal(s, at(MON, 9, 33), [ev("prompted", at(MON, 9, 30))]),
        snooze_refusal(s, at(MON, 9, 33), []),
    ]
    for text in texts:
        assert textstat.flesch_kincaid_grade(text) <= MOVING, text


@settings(SAFETY)
@given(
    profile=profiles(),
    break_min=st.integers(1, 5),
    week=st.none() | st.integers(-1, 9),
    turn=st.integers(0, 6),
)
def test_a_break_never_holds_an_exercise_outside_the_plans_week_and_always_fits(
    cat, profile, break_min, week, turn
):
    plan = build_plan(profile, cat)
    r = break_routine(plan, profile, cat, break_min, week, turn=turn)
    assert 60 <= r.seconds <= break_min * 60
    if plan["status"] != "ok":
        assert (r.kind, r.why) == ("walk", REFER)
        return
    n = min(max(week or 1, 1), len(plan["weeks"]))
    allowed = {
        e["id"]: e
        for w in plan["weeks"]
        if w["week"] == n
        for sess in w["sessions"]
        for e in sess["exercises"]
    }
    if r.kind == "walk":
        assert r.exercises == () and r.seconds == break_min * 60 and r.cues == WALK_CUES
        return
    assert 1 <= len(r.exercises) <= 2
    assert r.seconds == pytest.approx(
        session_seconds([Dose.from_plan(e) for e in r.exercises]), abs=1
    )
    for e in r.exercises:
        mine = [p for p in allowed.values() if p["id"] == e["id"]]
        assert mine, f"{e['id']} is not in week {n} of the plan"
        p = mine[0]
        assert set(e) == set(p)
        assert {k: e[k] for k in e if k not in ("sets", "reps", "focus_side", "why")} == {
            k: p[k] for k in p if k not in ("sets", "reps", "focus_side", "why")
        }
        assert e["sets"] <= p["sets"] and e["hold_s"] == p["hold_s"]
        assert p["reps"] is None or min(p["reps"], BREAK_MIN_REPS) <= e["reps"] <= p["reps"]
        assert e["position"] == "standing" and set(e["equipment"]) <= {"chair"}
        assert cat.exercises[e["id"]].movement.position == "standing"


def test_the_defaults_come_from_the_research_notes():
    s = BreakSettings()
    assert (s.interval_min, s.break_min, s.snooze_min, s.snoozes) == (30, 2, 5, 2)
    assert s.working_hours == office_hours() and not s.enabled
