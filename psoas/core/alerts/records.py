"""What the alert rules read about one patient: plain rows the store fills cheaply.

Each list maps onto rows the store already keeps, with no derived state:

- `pain`: `PainCheckin` rows (`date`, `nprs`), the series the progress page charts;
  `pain_baseline` is the profile's `pain.nprs` when given (else the first report is the
  baseline, as `psoas.web.outcomes.progress` does).
- `sessions`: `SessionLog` rows with their `status` as stored, the sets planned in the
  session as started and the sets done, and whether the session or one of its sets was
  stopped for pain (`SetLog` status `stopped_for_pain`).
- `psfs`: `QuestionnaireResponse` rows of the PSFS with their score (the mean, 0-10); the
  first is the baseline, as on the progress page.
- `screens`: the warning-sign checks before sessions and at check-ins (`PainCheckin.red_flags`),
  with the ids answered yes. The ids are the catalog's red flags; their action level and
  group (pregnancy or not) come from the catalog, never from here.
- `scheduled`: the plan's `ScheduledSession` dates.

`seq` orders rows of the same day (the store's row id does); `ref` is the store's id of the
row, handed back in an alert's evidence so the store can link to it. Row order in the lists
does not matter: the rules sort.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from operator import attrgetter, eq
from typing import Any, Literal, get_args

from psoas.core.content.loader import catalog

SessionStatus = Literal["in_progress", "completed", "stopped_for_pain", "quit", "interrupted"]
STATUSES: tuple[str, ...] = get_args(SessionStatus)
DONE_STATUSES = ("completed", "stopped_for_pain")  # as adherence counts them (progress.DONE)
Ref = int | str | None


def _whole(value: Any, lo: int, hi: int | None = None) -> bool:
    return type(value) is int and value >= lo and (hi is None or value <= hi)


def _whole_problem(name: str, value: Any, lo: int, hi: int | None = None) -> str:
    allowed = f"from {lo} to {hi}" if hi is not None else f"of {lo} or more"
    return f"{name} must be a whole number {allowed}, not {value!r}"


# Plain frozen dataclasses, checked on creation with a quick test first and the words
# only for a row that fails it: a year of rows for a thousand patients must build in well
# under a second (bench/alerts.py).
@dataclass(frozen=True, kw_only=True)
class _Row:
    day: date
    seq: int = 0  # order within the day
    ref: Ref = None  # the store's row id

    @classmethod
    def trusted(cls, **fields: Any) -> Any:
        """A row built without the checks, for the store's read path only: its columns
        were checked when written (the forms' and services' validators, the status
        choices, the catalog's ids), and checking a year of rows again per patient was
        most of the sweep's time. Every field must be given, as the checked row holds
        it (`ScreenAnswer.red_flags`: a sorted tuple of distinct known ids)."""
        row = object.__new__(cls)
        row.__dict__.update(fields)
        return row

    def _row_ok(self) -> bool:
        return (
            type(self.day) is date
            and type(self.seq) is int
            and (self.ref is None or type(self.ref) in (int, str))
        )

    def _fail(self, what: str, problems: list[tuple[bool, str]]) -> None:
        """Raise the first problem: the row's day, seq or ref, or one of `problems`
        (ok, message)."""
        if type(self.day) is not date:
            raise ValueError(f"{what}: day must be a date, not {self.day!r}")
        where = f"{what} on {self.day.isoformat()}"
        checks = [
            (type(self.seq) is int, f"seq must be a whole number, not {self.seq!r}"),
            (
                self.ref is None or type(self.ref) in (int, str),
                f"ref must be the store's row id (a number or text) or None, not {self.ref!r}",
            ),
            *problems,
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"{where}: {message}")


@dataclass(frozen=True, kw_only=True)
class PainReport(_Row):
    nprs: int

    def __post_init__(self) -> None:
        if not (self._row_ok() and _whole(self.nprs, 0, 10)):
            self._fail("pain report", [(False, _whole_problem("nprs", self.nprs, 0, 10))])


@dataclass(frozen=True, kw_only=True)
class SessionRecord(_Row):
    status: SessionStatus
    planned: int = 0  # sets planned; 0: not known, counts as all done
    completed: int = 0  # sets done
    pain_stop: bool = False  # the session, or one of its sets, was stopped for pain

    def __post_init__(self) -> None:
        top = self.planned or None
        if (
            self._row_ok()
            and self.status in STATUSES
            and _whole(self.planned, 0)
            and _whole(self.completed, 0, top)
            and type(self.pain_stop) is bool
        ):
            return
        statuses = ", ".join(STATUSES)
        self._fail(
            "session",
            [
                (self.status in STATUSES, f"status must be one of {statuses}, not {self.status!r}"),
                (_whole(self.planned, 0), _whole_problem("planned", self.planned, 0)),
                (
                    _whole(self.completed, 0, top),
                    _whole_problem("completed", self.completed, 0, top),
                ),
                (
                    type(self.pain_stop) is bool,
                    f"pain_stop must be true or false, not {self.pain_stop!r}",
                ),
            ],
        )

    @property
    def done(self) -> bool:
        """Counts as a session done (adherence, "no session")."""
        return self.status in DONE_STATUSES

    @property
    def stopped_for_pain(self) -> bool:
        return self.pain_stop or self.status == "stopped_for_pain"

    @property
    def completion(self) -> float:
        """Share of the planned sets done, 0 to 1."""
        return self.completed / self.planned if self.planned else 1.0


@dataclass(frozen=True, kw_only=True)
class PsfsResult(_Row):
    score: float  # the mean of the activity ratings

    def __post_init__(self) -> None:
        ok = type(self.score) in (int, float) and 0 <= self.score <= 10
        if self._row_ok() and ok:
            return
        self._fail(
            "activity score", [(ok, f"score must be a number from 0 to 10, not {self.score!r}")]
        )


@functools.cache
def _red_flag_ids() -> frozenset[str]:
    return frozenset(catalog().red_flags)


@dataclass(frozen=True, kw_only=True)
class ScreenAnswer(_Row):
    red_flags: tuple[str, ...] = ()  # ids answered yes; empty: "none of these"

    def __post_init__(self) -> None:
        flags = self.red_flags
        if flags and not isinstance(flags, str):  # most checks answer "none of these"
            flags = tuple(sorted(set(flags)))
        elif not flags:
            flags = ()
        object.__setattr__(self, "red_flags", flags)
        if self._row_ok() and isinstance(flags, tuple) and _red_flag_ids().issuperset(flags):
            return
        unknown = [] if isinstance(flags, str) else sorted(set(flags) - _red_flag_ids())
        self._fail(
            "warning-sign check",
            [
                (not isinstance(flags, str), "red_flags must be a list of ids, not one text"),
                (not unknown, f"unknown red flag id {unknown[:1]}; the ids are in docs/ids.md"),
            ],
        )


_KINDS = {
    "pain": PainReport,
    "sessions": SessionRecord,
    "psfs": PsfsResult,
    "screens": ScreenAnswer,
}


@dataclass(frozen=True, kw_only=True)
class Records:
    """One patient's records up to some day; the rules ignore rows after `today`. Any
    iterables will do; they are kept as tuples."""

    pain_baseline: int | None = None
    pain: tuple[PainReport, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    psfs: tuple[PsfsResult, ...] = ()
    screens: tuple[ScreenAnswer, ...] = ()
    scheduled: tuple[date, ...] = ()

    @classmethod
    def trusted(cls, **fields: Any) -> Records:
        """Records of rows built by `trusted` (the store's read path), kept without the
        checks; every list is given as a tuple."""
        rec = object.__new__(cls)
        rec.__dict__.update(fields)
        return rec

    def __post_init__(self) -> None:
        if self.pain_baseline is not None and not _whole(self.pain_baseline, 0, 10):
            raise ValueError(
                "records: " + _whole_problem("pain_baseline", self.pain_baseline, 0, 10)
            )
        for name, kind in (*_KINDS.items(), ("scheduled", date)):
            rows = tuple(getattr(self, name))
            object.__setattr__(self, name, rows)
            if not set(map(type, rows)) <= {kind}:
                bad = next(r for r in rows if type(r) is not kind)
                raise ValueError(f"records: {name} holds {kind.__name__} items, not {bad!r}")


_day_seq = attrgetter("day", "seq")
_day = attrgetter("day")


@functools.cache
def _own_fields(kind: type[_Row]) -> tuple[str, ...]:
    """A row kind's fields other than day, seq and ref, in their order."""
    return tuple(f.name for f in dataclasses.fields(kind) if f.name not in ("day", "seq", "ref"))


def _every_field(row: _Row) -> tuple:
    """Sort key over all of a row's fields: day, seq, its own fields, then the row id by
    its repr (1 and "1" differ and do not compare)."""
    own = (getattr(row, name) for name in _own_fields(type(row)))
    return (row.day, row.seq, *own, repr(row.ref))


@dataclass(frozen=True)
class AsOf:
    """The records up to a day, each list sorted by day, `seq`, then every other field, so
    that the rules read the same rows in the same order whatever order they came in."""

    pain: list[PainReport]
    sessions: list[SessionRecord]
    psfs: list[PsfsResult]
    screens: list[ScreenAnswer]
    scheduled: list[date]
    done: list[date]  # the day of each session done, in step with `sessions_done`
    sessions_done: list[SessionRecord]
    work: list[float]  # work[i]: the sum of `completion` of the first i sessions done

    @classmethod
    def of(cls, rec: Records, today: date) -> AsOf:
        def upto(rows: Iterable[Any]) -> list[Any]:
            """Sorted by day and seq; rows that share both (rare) by all their fields."""
            out = sorted(rows, key=_day_seq)  # one pass; rows after `today` cut off below
            out = out[: bisect.bisect_right(out, today, key=_day)]
            keys = list(map(_day_seq, out))
            tied = any(map(eq, keys, keys[1:]))
            return sorted(out, key=_every_field) if tied else out

        sessions = upto(rec.sessions)
        done = [s for s in sessions if s.done]
        scheduled = sorted(rec.scheduled)
        return cls(
            pain=upto(rec.pain),
            sessions=sessions,
            psfs=upto(rec.psfs),
            screens=upto(rec.screens),
            scheduled=scheduled[: bisect.bisect_right(scheduled, today)],
            done=[s.day for s in done],
            sessions_done=done,
            work=list(accumulate((s.completion for s in done), initial=0.0)),
        )
