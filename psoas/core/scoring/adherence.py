"""Adherence (share of scheduled sessions done, per week and overall) and streaks.

Matching: within one week, each session done makes up the most recent missed session on or
before its day, or else counts for the next one that week. So a session done a day late or
a day early counts, and sessions done beyond the schedule count for nothing: a week never
goes over 100 %. Today's scheduled sessions that are not done yet are not due yet, so
neither the week nor the streak drops in the morning.

A streak counts scheduled sessions done in a row, not days in a row. Rest days are part of
the plan (strength work 2-3 days a week, 48 h apart), so a day streak would break for
following the plan; for someone who trains daily the two are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class WeekAdherence:
    week: int  # ISO week number, or program week 1, 2, ...
    start: date  # Monday of the ISO week, or the first day of the program week
    scheduled: int  # scheduled sessions due so far
    done: int  # of those, how many were done

    @property
    def share(self) -> float:
        return self.done / self.scheduled


@dataclass(frozen=True)
class Adherence:
    weeks: tuple[WeekAdherence, ...]  # weeks with a session due, oldest first
    scheduled: int
    done: int
    current_streak: int  # scheduled sessions done in a row, up to today
    longest_streak: int

    @property
    def overall(self) -> float | None:
        """Share of due sessions done; None before the first session is due."""
        return self.done / self.scheduled if self.scheduled else None


def adherence(
    scheduled: Iterable[date], done: Iterable[date], today: date, start: date | None = None
) -> Adherence:
    """Adherence up to `today` by ISO week, or by program week from `start` when given.

    A date given twice is two sessions that day. Dates after `today`, and before `start`,
    are left out.
    """

    def key(d: date) -> tuple[int, int, date]:
        if start is None:
            iso = d.isocalendar()
            return iso.year, iso.week, d - timedelta(days=d.weekday())
        n = (d - start).days // 7
        return 0, n + 1, start + timedelta(days=7 * n)

    def counted(d: date) -> bool:
        return d <= today and (start is None or d >= start)

    slots: dict[tuple[int, int, date], list[date]] = defaultdict(list)
    dones: dict[tuple[int, int, date], list[date]] = defaultdict(list)
    for d in filter(counted, scheduled):
        slots[key(d)].append(d)
    for d in filter(counted, done):
        dones[key(d)].append(d)

    weeks: list[WeekAdherence] = []
    run: list[bool] = []  # every due session, oldest first: done or not
    for k in sorted(slots):
        week_slots = sorted(slots[k])
        matched = _match(week_slots, sorted(dones[k]))
        due = [m for s, m in zip(week_slots, matched, strict=True) if s < today or m]
        if due:
            weeks.append(WeekAdherence(k[1], k[2], len(due), sum(due)))
            run += due
    return Adherence(
        weeks=tuple(weeks),
        scheduled=len(run),
        done=sum(run),
        current_streak=_trailing(run),
        longest_streak=_longest(run),
    )


def _match(slots: list[date], dones: list[date]) -> list[bool]:
    """Which of one week's scheduled sessions (sorted) the done sessions (sorted) fill."""
    matched = [False] * len(slots)
    for d in dones:
        open_ = [k for k, s in enumerate(slots) if not matched[k]]
        before = [k for k in open_ if slots[k] <= d]
        after = [k for k in open_ if slots[k] > d]
        if before or after:
            matched[before[-1] if before else after[0]] = True
    return matched


def _trailing(run: list[bool]) -> int:
    n = 0
    for done in reversed(run):
        if not done:
            break
        n += 1
    return n


def _longest(run: list[bool]) -> int:
    best = cur = 0
    for done in run:
        cur = cur + 1 if done else 0
        best = max(best, cur)
    return best
