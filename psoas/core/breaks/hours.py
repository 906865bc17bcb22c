"""Working hours as real instants, so the scheduler can set them beside any time.

Working hours and fixed times are wall-clock times in the person's zone, but the scheduler
counts real minutes, so every wall time becomes a UTC instant for its local day. A change
of clock (DST) moves them with the day. A wall time is "the first moment the clock shows
it, or a later time, that day": a time the clock skips in spring is the first instant
after the gap, and a time the clock shows twice in autumn is its first showing. So a set
time fires once on both days, never twice and never not at all.

Spans that touch or overlap are joined, so that a span's start is a real start of work
(the scheduler resets its clock there).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from psoas.core.breaks.model import WEEKDAYS, BreakSettings, Span

LOOK_DAYS = 15  # a week with hours always has a span within two weeks, even across DST
Interval = tuple[datetime, datetime]  # [start, end), UTC


@functools.lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(t: datetime, zone: ZoneInfo) -> date:
    return t.astimezone(zone).date()


def hhmm(t: datetime, zone: ZoneInfo) -> str:
    """A time as a person reads it on their clock: "15:00"."""
    return t.astimezone(zone).strftime("%H:%M")


@functools.lru_cache(maxsize=65536)
def to_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock in `zone` shows `wall` or later on `day`."""
    naive = datetime.combine(day, wall)
    after = naive.replace(tzinfo=zone).astimezone(UTC)  # fold 0: the first of two showings
    if after.astimezone(zone).replace(tzinfo=None) == naive:
        return after
    # The clock skips `wall`: find the change of offset, to the second, between the
    # reading with the offset after it (too late) and the one with the offset before it.
    lo = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(after.timestamp())
    offset = after.astimezone(zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == offset:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


@functools.lru_cache(maxsize=16384)
def _day_spans(day: date, spans: tuple[Span, ...], zone: ZoneInfo) -> tuple[Interval, ...]:
    out = ((to_instant(day, s.start, zone), to_instant(day, s.end, zone)) for s in spans)
    return tuple(sorted((a, b) for a, b in out if a < b))  # a span the clock skips is empty


def _merge(spans: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class WorkingHours:
    """A person's working hours, asked about real instants (UTC)."""

    def __init__(self, settings: BreakSettings):
        self.zone = zone_of(settings.zone)
        self.week = tuple(tuple(settings.working_hours.get(d, ())) for d in WEEKDAYS)

    def any(self) -> bool:
        return any(self.week)

    def spans(self, first: date, last: date) -> list[Interval]:
        """The joined spans of the local days `first` to `last`, in order."""
        days = (first + timedelta(days=i) for i in range((last - first).days + 1))
        return _merge([s for d in days for s in _day_spans(d, self.week[d.weekday()], self.zone)])

    def around(self, t: datetime, before: int, after: int) -> list[Interval]:
        d = local_day(t, self.zone)
        return self.spans(d - timedelta(days=before), d + timedelta(days=after))

    def contains(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.around(t, 1, 1))

    def next_start(self, after: datetime) -> datetime | None:
        """The first start of work later than `after`."""
        return next((a for a, _ in self.around(after, 1, LOOK_DAYS) if a > after), None)

    def last_start(self, at: datetime) -> datetime | None:
        """The latest start of work at or before `at`."""
        starts = [a for a, _ in self.around(at, LOOK_DAYS, 0) if a <= at]
        return starts[-1] if starts else None

    def first_start_after_day(self, t: datetime) -> datetime | None:
        """The first start of work on a later local day than the day of `t`."""
        d = local_day(t, self.zone)
        later = (a for a, _ in self.around(t, 0, LOOK_DAYS) if local_day(a, self.zone) > d)
        return next(later, None)

    def day(self, d: date) -> list[Interval]:
        """The working time of one local day (a day's spans end by its midnight)."""
        return self.spans(d, d)
