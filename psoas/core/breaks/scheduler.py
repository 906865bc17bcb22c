"""When the next move-break reminder comes: a pure function of the settings, the time now
and what has happened, so that the desktop runner and the browser agree, and tests can
replay a day, a change of clock or a whole year without waiting.

Each rule is its own small function; `next_reminder` puts them together:

- off: nothing while breaks are off (settings, or an "off" with no "on" after it).
- interval: `interval_min` real minutes after the last reset. A reset is a break taken, a
  natural break, a skipped reminder, breaks switched on, or the start of a working span.
- open reminder: one shown and not answered comes again only `interval_min` after it was
  shown (it holds back set times too), so an ignored reminder does not nag.
- snooze: `snooze_min` after a snooze; `snoozes` per reminder; offered only in the first
  SNOOZE_WINDOW_S after the reminder shows, then only take or skip (as Stretchly does).
- fixed times: a reminder at each set clock time in working hours, once.
- working hours: never outside them. A reminder that falls outside is dropped; the next
  span's start resets the clock, so the day's first reminder comes one interval in.
- quiet: nothing before a quiet time ends. What fell due in it comes when it ends, if that
  is in working hours; a span that starts inside the quiet time resets the clock instead.

All arithmetic is on UTC instants (a zone-aware datetime adds wall-clock minutes, which
would stretch or shrink an interval across a change of clock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from psoas.core.breaks.hours import LOOK_DAYS, WorkingHours, hhmm, local_day, to_instant
from psoas.core.breaks.model import SNOOZE_WINDOW_S, BreakEvent, BreakSettings, NextReminder

OFF = "Move breaks are off."
NO_HOURS = "No working hours are set, so no reminder comes."
NO_ROOM = (
    "No reminder fits in your working hours. "
    "Each part of your day is shorter than the time between breaks."
)
RESETS = {  # what each reset is, in words: "30 minutes after ..."
    "taken": "your last break",
    "natural": "your last break",
    "skipped": "you skipped the last one",
    "on": "you turned breaks on",
}
WORK_STARTED = "your work started"
ACTIONS = frozenset({"prompted", "taken", "natural", "skipped", "snoozed", "on"})
QUIET_CHOICES = ("1h", "until-tomorrow")


@dataclass(frozen=True)
class Happened:
    """One event, its times in UTC."""

    at: datetime
    kind: str
    until: datetime | None = None


@dataclass(frozen=True)
class Cycle:
    """The reminder in progress: from the last reset, what was shown and snoozed since."""

    anchor: datetime  # the last reset
    why: str  # the reset, in words
    shown: datetime | None = None  # the latest showing, when nothing came after it
    snoozed: datetime | None = None  # the latest snooze, when nothing came after it
    snoozes_used: int = 0


def utc(t: datetime, field: str = "at") -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{field}: a time needs its time zone (got {t.isoformat()})")
    return t.astimezone(UTC)


def history(events: Iterable[BreakEvent], now: datetime) -> list[Happened]:
    """The events up to `now`, oldest first (events at the same instant keep their order)."""
    out = [
        Happened(utc(e.at), e.kind, None if e.until is None else utc(e.until, "until"))
        for e in events
    ]
    return sorted((h for h in out if h.at <= now), key=lambda h: h.at)


def is_on(settings: BreakSettings, hist: Sequence[Happened]) -> bool:
    """Off rule: on in the settings, and no "off" without an "on" after it."""
    last = next((h.kind for h in reversed(hist) if h.kind in ("on", "off")), "on")
    return settings.enabled and last == "on"


def quiet_end(hist: Sequence[Happened], now: datetime) -> datetime | None:
    """Quiet rule: the end of the quiet time in force at `now`, if any. The latest quiet
    event wins (a shorter one ends it early); switching breaks on ends it."""
    end = None
    for h in hist:
        if h.kind == "quiet":
            end = h.until
        elif h.kind == "on":
            end = None
    return end if end is not None and end > now else None


def current_cycle(hist: Sequence[Happened], hours: WorkingHours, now: datetime) -> Cycle:
    """Interval rule: the last reset, and what happened to the reminder since it."""
    i = next((i for i in range(len(hist) - 1, -1, -1) if hist[i].kind in RESETS), None)
    start = hours.last_start(now)
    if i is not None and (start is None or hist[i].at >= start):
        anchor, why, since = hist[i].at, RESETS[hist[i].kind], hist[i + 1 :]
    elif start is not None:
        anchor, why, since = start, WORK_STARTED, [h for h in hist if h.at >= start]
    else:  # no reset in reach: count from now
        anchor, why, since = now, "", []
    shown = snoozed = None
    used = 0
    for h in since:
        if h.kind == "prompted":
            shown, snoozed = h.at, None
        elif h.kind == "snoozed":
            shown, snoozed, used = None, h.at, used + 1
    return Cycle(anchor, why, shown, snoozed, used)


def cycle_due(settings: BreakSettings, cycle: Cycle) -> tuple[datetime, str, bool]:
    """When the reminder in progress falls due, why, and whether it is one already shown
    (open or snoozed: it keeps its snooze count and holds back set times)."""
    if cycle.snoozed is not None:
        return cycle.snoozed + timedelta(minutes=settings.snooze_min), after_snooze(settings), True
    every = timedelta(minutes=settings.interval_min)
    n = settings.interval_min
    if cycle.shown is not None:
        return cycle.shown + every, f"{n} minutes after a reminder you did not answer", True
    reason = f"{n} minutes after {cycle.why}" if cycle.why else f"{n} minutes from now"
    return cycle.anchor + every, reason, False


def after_snooze(settings: BreakSettings) -> str:
    return f"{settings.snooze_min} minutes after your snooze"


def fixed_due(
    settings: BreakSettings,
    hours: WorkingHours,
    since: datetime,
    answered: datetime | None,
    until: datetime,
) -> tuple[datetime, str] | None:
    """Fixed-time rule: the first set time in working hours from `since` (a start of work,
    or the time to look from) and before `until`, that nothing has answered yet (no
    reminder shown, break, skip or snooze at or after it)."""
    day, last = local_day(since, hours.zone), local_day(until, hours.zone)
    while day <= last:
        for wall in sorted(settings.fixed_times):
            t = to_instant(day, wall, hours.zone)
            if since <= t < until and (answered is None or t > answered) and hours.contains(t):
                return t, f"at {hhmm(t, hours.zone)}, one of your set times"
        day += timedelta(days=1)
    return None


def next_reminder(
    settings: BreakSettings, now: datetime, events: Iterable[BreakEvent]
) -> NextReminder:
    """The next reminder after the events up to `now` (later events are not looked at).
    `at` is in UTC and never before `now`: a reminder already due is due `now`."""
    now = utc(now, "now")
    hist = history(events, now)
    hours = WorkingHours(settings)
    if not is_on(settings, hist):
        return NextReminder(None, OFF, 0, None)
    if not hours.any():
        return NextReminder(None, NO_HOURS, 0, None)
    quiet = quiet_end(hist, now)
    cycle = current_cycle(hist, hours, now)
    answered = max((h.at for h in hist if h.kind in ACTIONS), default=None)
    look_from = hours.last_start(now) or now
    give_up = (quiet or now) + timedelta(days=LOOK_DAYS)  # weeks repeat after this
    while cycle.anchor < give_up:
        start = hours.next_start(cycle.anchor)
        due, reason, held = cycle_due(settings, cycle)
        found = []  # a set time first: at a tie, its reason says more
        if not held:
            until = start or look_from + timedelta(days=LOOK_DAYS)
            fixed = fixed_due(settings, hours, look_from, answered, until)
            if fixed is not None:
                found.append(place(*fixed, now, quiet, start, hours))
        found.append(place(due, reason, now, quiet, start, hours))
        best = min((f for f in found if f is not None), key=lambda f: f[0], default=None)
        if best is not None:
            left = settings.snoozes - cycle.snoozes_used if held else settings.snoozes
            left = max(left, 0)
            window = best[0] + timedelta(seconds=SNOOZE_WINDOW_S) if left else None
            return NextReminder(best[0], best[1], left, window)
        if start is None:
            break
        # Nothing before work starts again: that start (the last one inside a quiet
        # time that runs past it) resets the clock.
        anchor = hours.last_start(quiet) if quiet is not None and quiet > start else start
        cycle = Cycle(anchor or start, WORK_STARTED)
        look_from = cycle.anchor
    return NextReminder(None, NO_ROOM, 0, None)


def place(
    t: datetime,
    reason: str,
    now: datetime,
    quiet: datetime | None,
    start: datetime | None,
    hours: WorkingHours,
) -> tuple[datetime, str] | None:
    """Working-hours and quiet rules for one reminder: when it can come, or None when it
    is dropped (outside working hours, or a new start of work comes first)."""
    t = max(t, now)
    if quiet is not None and t < quiet:
        t, reason = quiet, f"when your quiet time ends at {hhmm(quiet, hours.zone)}"
    if start is not None and t >= start:
        return None
    return (t, reason) if hours.contains(t) else None


def snooze_refusal(
    settings: BreakSettings, now: datetime, events: Iterable[BreakEvent]
) -> str | None:
    """Snooze rule: why a snooze now is not allowed, in plain words, or None if it is."""
    now = utc(now, "now")
    hist = history(events, now)
    if not is_on(settings, hist):
        return OFF
    cycle = current_cycle(hist, WorkingHours(settings), now)
    if cycle.shown is None:
        return "There is no reminder to snooze right now."
    if settings.snoozes == 0:
        return "Snooze is turned off. You can take the break now or skip it."
    if cycle.snoozes_used >= settings.snoozes:
        times = "once" if settings.snoozes == 1 else f"{settings.snoozes} times"
        return f"You have snoozed this reminder {times}. You can take the break now or skip it."
    if now - cycle.shown > timedelta(seconds=SNOOZE_WINDOW_S):
        return (
            f"Snooze is only offered in the first {SNOOZE_WINDOW_S} seconds. "
            "You can take the break now or skip it."
        )
    return None


def can_snooze(settings: BreakSettings, now: datetime, events: Iterable[BreakEvent]) -> bool:
    return snooze_refusal(settings, now, events) is None


def quiet_until(settings: BreakSettings, now: datetime, how: str) -> datetime:
    """When a quiet time asked for `now` ends (UTC): "1h" is an hour from now;
    "until-tomorrow" is the start of work on a later day (midnight when no work is set)."""
    now = utc(now, "now")
    if how == "1h":
        return now + timedelta(hours=1)
    if how == "until-tomorrow":
        hours = WorkingHours(settings)
        start = hours.first_start_after_day(now)
        if start is not None:
            return start
        return to_instant(local_day(now, hours.zone) + timedelta(days=1), time(0), hours.zone)
    raise ValueError(f"pause: '{how}' is not a choice; use {' or '.join(QUIET_CHOICES)}")


def is_natural_break(settings: BreakSettings, idle_s: float) -> bool:
    """Natural-break rule: time away from the computer at least as long as a break (or
    `natural_break_min`, when set) counts as one."""
    need = settings.natural_break_min or settings.break_min
    return idle_s >= need * 60
