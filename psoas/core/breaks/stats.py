"""A day's and a week's move breaks in numbers: what Progress, `psoas breaks stats`, the
report and the CSV show. Days are the person's own (the settings' zone), so a break at
00:30 in Berlin counts on the Berlin day, whatever zone the store keeps times in.

The longest sitting stretch is the longest time on the day, in working hours and while
breaks were on, with no break taken and no natural break in it. A skipped reminder does
not end a stretch (the person kept sitting). Time when breaks were off, and a day with no
break event at all (psoas was not running, or it was a day off), count no sitting: nothing
was watching. Today's stretch runs up to `now`; a day to come has none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from psoas.core.breaks.hours import Interval, WorkingHours, local_day
from psoas.core.breaks.model import BreakEvent, BreakSettings, DayStats
from psoas.core.breaks.scheduler import Happened, history, utc

COUNTED = ("prompted", "taken", "natural", "snoozed", "skipped")
MOVED = frozenset({"taken", "natural"})  # what ends a sitting stretch
ALWAYS = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def on_periods(settings: BreakSettings, hist: Sequence[Happened]) -> list[Interval]:
    """When breaks were on, from the "on" and "off" events; with none, the settings say."""
    switches = [h for h in hist if h.kind in ("on", "off")]
    if not switches:
        return [ALWAYS] if settings.enabled else []
    out, since = [], ALWAYS[0] if switches[0].kind == "off" else None
    for h in switches:
        if h.kind == "on" and since is None:
            since = h.at
        elif h.kind == "off" and since is not None:
            out.append((since, h.at))
            since = None
    if since is not None:
        out.append((since, ALWAYS[1]))
    return out


def _overlap(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    return [(max(x, u), min(y, v)) for x, y in a for u, v in b if max(x, u) < min(y, v)]


def longest_sitting(watched: Sequence[Interval], moves: Sequence[datetime]) -> timedelta:
    """The longest part of the watched time that no move splits."""
    best = timedelta(0)
    for a, b in watched:
        cuts = [a, *sorted(m for m in moves if a < m < b), b]
        best = max([best, *(y - x for x, y in pairwise(cuts))])
    return best


def _day(settings: BreakSettings, hist: Sequence[Happened], day: date, now: datetime) -> DayStats:
    hours = WorkingHours(settings)
    on_day = [h for h in hist if local_day(h.at, hours.zone) == day]
    counts = Counter(h.kind for h in on_day)
    watched = []
    if on_day:  # a day with no event at all: psoas was not running, or it was a day off
        watched = _overlap(_overlap(hours.day(day), on_periods(settings, hist)), [(ALWAYS[0], now)])
    sitting = longest_sitting(watched, [h.at for h in hist if h.kind in MOVED])
    return DayStats(
        day=day.isoformat(),
        **{k: counts[k] for k in COUNTED},
        longest_sitting_min=int(sitting.total_seconds() // 60),
    )


def day_stats(
    settings: BreakSettings, events: Iterable[BreakEvent], day: date, now: datetime
) -> DayStats:
    """One day's numbers, from the events up to `now`."""
    now = utc(now, "now")
    return _day(settings, history(events, now), day, now)


def week_stats(
    settings: BreakSettings, events: Iterable[BreakEvent], day: date, now: datetime
) -> list[DayStats]:
    """The 7 days ending on `day`, oldest first: the week's trend."""
    now = utc(now, "now")
    hist = history(events, now)
    return [_day(settings, hist, day - timedelta(days=6 - i), now) for i in range(7)]
