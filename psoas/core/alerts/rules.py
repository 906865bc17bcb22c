"""The alert rules: which conditions fire for one patient as of a day, each as an episode.

An episode is one stretch of time in which a condition holds: a run of pain reports in a
row that are up, a run of screens in a row with the same sign answered yes, a gap between
sessions, a run of days with low completion. Its `key` is the rule (and the sign) with the
episode's first day, so it stays the same while the episode lasts and as later days are
added: the store saves an alert whose key it has not seen and leaves a known one alone. A
new episode of the same rule, after the condition has cleared, is a new alert.

`evaluate` returns the episodes that are still going on `today` (the latest record is
part of them, or the day itself meets the condition) or that touched the last
`RECENT_DAYS` days, so a sweep that was missed for up to two weeks still records them.
Rows dated after `today` are left out, so evaluating a past day gives what a sweep on that
day gave.

Pain and the activity score (PSFS) count against the better of the baseline and the last
value before the worsening began: a rise that lasts counts from where it started, as
MedBridge counts against the last report, and a patient who got better and slid back is
seen, not only one who got worse than at the start (thresholds.py gives the sources).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol, TypeVar

from psoas.core.alerts.records import (
    AsOf,
    PainReport,
    PsfsResult,
    Records,
    ScreenAnswer,
    SessionRecord,
)
from psoas.core.alerts.thresholds import Thresholds
from psoas.core.content.loader import catalog
from psoas.core.content.models import Level
from psoas.core.scoring.change import EPSILON
from psoas.core.screening.referral import LEVEL_ORDER

RECENT_DAYS = 14
Severity = Literal["critical", "high", "low"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "low": 2}
RED_FLAG, PREGNANCY_SIGN = "red_flag", "pregnancy_warning_sign"
PAIN_STOP, PAIN_RISE, NO_SESSION = "pain_stop", "pain_rise", "no_session"
PSFS_WORSE, LOW_COMPLETION = "psfs_worse", "low_completion"
RULES = (  # every rule id, in the order docs/clinic.md lists them
    RED_FLAG,
    PREGNANCY_SIGN,
    PAIN_STOP,
    PAIN_RISE,
    PSFS_WORSE,
    NO_SESSION,
    LOW_COMPLETION,
)
RED_RULES = frozenset({RED_FLAG, PREGNANCY_SIGN})
# Red flags are critical and carry their action level; MedBridge's "high" for a 2-point
# pain rise, and for function, since "critical" is kept for what needs action today.
SEVERITY: dict[str, Severity] = {
    RED_FLAG: "critical",
    PREGNANCY_SIGN: "critical",
    PAIN_STOP: "high",
    PAIN_RISE: "high",
    PSFS_WORSE: "high",
    NO_SESSION: "low",  # high from `no_session_high_days`
    LOW_COMPLETION: "low",
}
ACTION: dict[str, str] = {  # research/clinical.md 1.3, action codes E, U and R
    "emergency": "Emergency: advise emergency care now.",
    "urgent": "Urgent: needs a medical check today or tomorrow.",
    "routine": "Review: see a clinician before the program goes on.",
}
EvidenceKind = Literal["pain", "session", "psfs", "screen", "scheduled"]


@dataclass(frozen=True)
class Evidence:
    """One record an alert rests on; `ref` is the store's row id (None for a plan date)."""

    kind: EvidenceKind
    day: date
    value: float | str | None
    ref: int | str | None = None


@dataclass(frozen=True)
class Alert:
    key: str  # rule (and sign) + the episode's first day: the store's dedup key
    rule: str
    severity: Severity
    level: Level | None  # the sign's action level, for red flags and pregnancy signs
    flag: str | None  # the sign's id, for red flags and pregnancy signs
    since: date  # first day of the episode
    fired_on: date  # the day the condition was first met
    last: date  # the latest day the condition held (its latest record)
    ongoing: bool  # still holds on the day evaluated
    value: float | None  # the figure that fired: pain, score, completion share, days
    reference: float | None  # what pain or the activity score is measured against
    message: str
    evidence: tuple[Evidence, ...]


class OpenAlert(Protocol):
    """What the worklist reads of an open alert: an `Alert`, or the store's saved row
    with the same fields."""

    @property
    def key(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def fired_on(self) -> date: ...


def evaluate(
    records: Records, thresholds: Thresholds, today: date, as_of: AsOf | None = None
) -> list[Alert]:
    """The alerts of `records` as of `today`, most urgent first (see the module).
    `as_of`: `AsOf.of(records, today)` when the caller has it already (the worklist's row
    reads the same sorted rows)."""
    r = as_of or AsOf.of(records, today)
    recent = today - timedelta(days=RECENT_DAYS - 1)
    found = [
        *_signs(r.screens, recent),
        *_pain_stops(r.sessions, recent),
        *_pain_rises(r.pain, records.pain_baseline, thresholds, recent),
        *_psfs_falls(r.psfs, thresholds, recent),
        *_no_session(r, thresholds, today, recent),
        *_low_completion(r, thresholds, today, recent),
    ]
    return sorted(found, key=urgency)


def urgency(a: OpenAlert) -> tuple[int, int, date, str]:
    """Sort key of an alert (or a saved one with its fields): severity, red flags by
    action level, then the oldest first."""
    level = LEVEL_ORDER[a.level] if a.level is not None else len(LEVEL_ORDER)
    return SEVERITY_ORDER[a.severity], level, a.fired_on, a.key


def _alert(
    rule: str,
    since: date,
    *,
    last: date,
    ongoing: bool,
    message: str,
    evidence: Iterable[Evidence],
    fired_on: date | None = None,
    value: float | None = None,
    reference: float | None = None,
    severity: Severity | None = None,
    flag: str | None = None,
    level: Level | None = None,
) -> Alert:
    """An alert of `rule` for the episode that began on `since`: its key is the rule, the
    sign (`flag`) if any, and that first day; it fires on `since` unless `fired_on` says
    otherwise, at the rule's severity unless `severity` does."""
    key = ":".join((rule, *([flag] if flag is not None else []), since.isoformat()))
    return Alert(
        key=key,
        rule=rule,
        severity=severity or SEVERITY[rule],
        level=level,
        flag=flag,
        since=since,
        fired_on=fired_on or since,
        last=last,
        ongoing=ongoing,
        value=value,
        reference=reference,
        message=message,
        evidence=tuple(evidence),
    )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _points(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


T = TypeVar("T")


def _kept(last: date, ongoing: bool, recent: date) -> bool:
    """An episode `evaluate` returns: still going, or it touched the recent days."""
    return ongoing or last >= recent


def _runs(rows: Sequence[T], member: Callable[[T], bool]) -> list[tuple[list[T], bool]]:
    """Runs of rows in a row that are members, each with whether it reaches the last row."""
    runs: list[tuple[list[T], bool]] = []
    run: list[T] = []
    for row in rows:
        if member(row):
            run.append(row)
        elif run:
            runs.append((run, False))
            run = []
    if run:
        runs.append((run, True))
    return runs


def _recent_runs(
    rows: Sequence[T], member: Callable[[T], bool], recent: date
) -> list[tuple[list[T], bool]]:
    """The runs of dated rows (`.day`) that `evaluate` returns: see `_kept`."""
    return [(r, ongoing) for r, ongoing in _runs(rows, member) if _kept(r[-1].day, ongoing, recent)]


# --- red flags and pregnancy warning signs ---------------------------------------------------


def _question(text: str) -> str:
    """The sign's question on one line, without the patient's note that everyone is asked."""
    return " ".join(text.split()).removeprefix("We ask everyone this.").strip()


def _signs(screens: list[ScreenAnswer], recent: date) -> list[Alert]:
    """One alert per sign and run of screens in a row that answered it yes."""
    flags = catalog().red_flags
    out = []
    for fid in sorted({f for s in screens for f in s.red_flags}):
        flag = flags[fid]
        rule = PREGNANCY_SIGN if flag.group == "pregnancy" else RED_FLAG
        what = "a pregnancy warning sign" if rule == PREGNANCY_SIGN else "a red flag"
        for run, ongoing in _recent_runs(screens, lambda s, fid=fid: fid in s.red_flags, recent):
            first, last = run[0].day, run[-1].day
            times = f" at {len(run)} checks in a row" if len(run) > 1 else ""
            out.append(
                _alert(
                    rule,
                    first,
                    level=flag.level,
                    flag=fid,
                    last=last,
                    ongoing=ongoing,
                    message=(
                        f"Answered yes to {what} ({fid}) on {_day(first)}{times}: "
                        f"{_question(flag.question)} {ACTION[flag.level]}"
                    ),
                    evidence=(Evidence("screen", s.day, fid, s.ref) for s in run),
                )
            )
    return out


# --- pain stops -------------------------------------------------------------------------------


def _session_evidence(s: SessionRecord) -> Evidence:
    return Evidence("session", s.day, s.status, s.ref)


def _pain_stops(sessions: list[SessionRecord], recent: date) -> list[Alert]:
    """One alert per run of sessions in a row stopped for pain."""
    out = []
    for run, ongoing in _recent_runs(sessions, lambda s: s.stopped_for_pain, recent):
        first, last = run[0].day, run[-1].day
        times = f", and in {len(run)} sessions in a row up to {_day(last)}" if len(run) > 1 else ""
        out.append(
            _alert(
                PAIN_STOP,
                first,
                last=last,
                ongoing=ongoing,
                value=float(len(run)),
                message=f"Stopped a session for pain on {_day(first)}{times}.",
                evidence=map(_session_evidence, run),
            )
        )
    return out


# --- pain up, activity score down ---------------------------------------------------------------

R = TypeVar("R", PainReport, PsfsResult)


@dataclass(frozen=True)
class _Worse:
    rows: list  # the run, oldest first
    reference: float  # the value it is measured against
    anchor: date | None  # the day of the row it is measured against; None: the baseline
    ongoing: bool


def _worse_runs(
    rows: list[R], value: Callable[[R], float], baseline: float, step: float, higher_is_worse: bool
) -> list[_Worse]:
    """Runs of rows in a row each at least `step` worse than the reference: the better of
    the baseline and the last row before the run (the reference stays put during a run)."""
    sign = 1 if higher_is_worse else -1
    out: list[_Worse] = []
    anchor: R | None = None  # the last row that was not worse
    run: list[R] = []
    ref, since = baseline, None
    for row in rows:
        if not run:
            ref, since = baseline, None
            if anchor is not None and sign * (baseline - value(anchor)) > 0:
                ref, since = value(anchor), anchor.day
        if sign * (value(row) - ref) >= step - EPSILON:
            run.append(row)
            continue
        if run:
            out.append(_Worse(run, ref, since, False))
            run = []
        anchor = row
    if run:
        out.append(_Worse(run, ref, since, True))
    return out


def _pain_rises(
    pain: list[PainReport], baseline: int | None, t: Thresholds, recent: date
) -> list[Alert]:
    if baseline is None:
        if not pain:
            return []
        baseline, pain = pain[0].nprs, pain[1:]
    need = t.pain_rise_reports
    out = []
    for w in _worse_runs(pain, lambda p: p.nprs, baseline, t.pain_rise_points, True):
        if len(w.rows) < need or not _kept(w.rows[-1].day, w.ongoing, recent):
            continue
        firing = w.rows[:need]
        shown = firing if w.rows[-1] in firing else [*firing, w.rows[-1]]
        first, fired = w.rows[0].day, firing[-1].day
        values = ", ".join(f"{p.nprs}/10 on {_day(p.day)}" for p in firing)
        rows = "report" if need == 1 else f"{need} reports in a row"
        against = f"the report on {_day(w.anchor)}" if w.anchor else "the baseline"
        out.append(
            _alert(
                PAIN_RISE,
                first,
                fired_on=fired,
                last=w.rows[-1].day,
                ongoing=w.ongoing,
                value=float(firing[-1].nprs),
                reference=float(w.reference),
                message=(
                    f"Pain up: {values}. That is {rows} at least "
                    f"{_points(t.pain_rise_points)} above {w.reference:g}/10, {against}."
                ),
                evidence=(Evidence("pain", p.day, float(p.nprs), p.ref) for p in shown),
            )
        )
    return out


def _psfs_falls(psfs: list[PsfsResult], t: Thresholds, recent: date) -> list[Alert]:
    if len(psfs) < 2:
        return []
    out = []
    for w in _worse_runs(psfs[1:], lambda p: p.score, psfs[0].score, t.psfs_drop_points, False):
        if not _kept(w.rows[-1].day, w.ongoing, recent):
            continue
        r = w.rows[0]
        shown = [r] if len(w.rows) == 1 else [r, w.rows[-1]]
        against = f"the score on {_day(w.anchor)}" if w.anchor else "the first score"
        out.append(
            _alert(
                PSFS_WORSE,
                r.day,
                last=w.rows[-1].day,
                ongoing=w.ongoing,
                value=r.score,
                reference=w.reference,
                message=(
                    f"Activity score (PSFS) down to {r.score:g} on {_day(r.day)}, "
                    f"{_points(round(w.reference - r.score, 1))} below {w.reference:g}, "
                    f"{against}. A fall of {_points(t.psfs_drop_points)} counts."
                ),
                evidence=(Evidence("psfs", p.day, p.score, p.ref) for p in shown),
            )
        )
    return out


# --- no session ---------------------------------------------------------------------------------


def _no_session(r: AsOf, t: Thresholds, today: date, recent: date) -> list[Alert]:
    """Gaps between sessions done (the eve of the first planned day starts the count) of
    `no_session_days` or more, with a planned session missed before the day it fires."""
    if not r.scheduled:
        return []
    starts = sorted({*r.done, r.scheduled[0] - timedelta(days=1)})
    last_done = {s.day: s for s in r.sessions_done}  # the day's last session done
    ends = [*starts[1:], today + timedelta(days=1)]  # the next session, or not yet
    out = []
    for before, after in zip(starts, ends, strict=True):
        if not _kept(after - timedelta(days=1), after > today, recent):
            continue  # over before the recent days: already recorded, or history
        k = bisect.bisect_right(r.scheduled, before)
        if k == len(r.scheduled) or r.scheduled[k] >= after:
            continue  # nothing was planned in the gap
        fired = max(before + timedelta(days=t.no_session_days), r.scheduled[k] + timedelta(days=1))
        last = min(after - timedelta(days=1), today)
        if fired > last:
            continue
        days = (last - before).days
        missed = r.scheduled[k : bisect.bisect_left(r.scheduled, fired)]
        session = last_done.get(before)
        evidence = [_session_evidence(session)] if session is not None else []
        evidence += [Evidence("scheduled", d, None) for d in dict.fromkeys(missed)]
        since = before + timedelta(days=1)
        after_what = f"since {_day(before)}" if session else f"since the plan began, {_day(since)}"
        out.append(
            _alert(
                NO_SESSION,
                since,
                severity="high" if days >= t.no_session_high_days else None,
                fired_on=fired,
                last=last,
                ongoing=after > today,
                value=float(days),
                message=(
                    f"No session for {days} days {after_what}"
                    + (f", up to {_day(last)}" if after <= today else "")
                    + f"; {len(missed)} planned session"
                    + ("" if len(missed) == 1 else "s")
                    + f" missed by {_day(fired)}."
                ),
                evidence=evidence,
            )
        )
    return out


# --- completion -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """Planned work done over the window `start` to `end`: the share of the planned sets
    done in the sessions done, over the sessions due, at most 1. A session made up later
    in the window counts; a session planned for `end` is due once it is done (until the
    day is over it is not missed yet). None when no session was due."""

    start: date
    end: date
    due: int
    done: int  # sessions done in the window
    share: float | None


def completion(r: AsOf, end: date, days: int) -> Completion:
    start = end - timedelta(days=days - 1)
    s = bisect.bisect_left(r.scheduled, start)
    e, e2 = bisect.bisect_left(r.scheduled, end), bisect.bisect_right(r.scheduled, end)
    lo, mid, hi = (
        bisect.bisect_left(r.done, start),
        bisect.bisect_left(r.done, end),
        bisect.bisect_right(r.done, end),
    )
    due = (e - s) + min(e2 - e, hi - mid)
    if not due:
        return Completion(start, end, 0, hi - lo, None)
    work = r.work[hi] - r.work[lo]
    return Completion(start, end, due, hi - lo, min(1.0, work / due))


def _low_completion(r: AsOf, t: Thresholds, today: date, recent: date) -> list[Alert]:
    """Runs of days whose last `completion_days` (all inside the plan) are under the
    threshold: the recent days, and back from there to where the run began."""
    if not r.scheduled:
        return []
    first_day = r.scheduled[0] + timedelta(days=t.completion_days - 1)
    below = t.completion_below_pct / 100
    cache: dict[date, Completion] = {}

    def low(d: date) -> bool:
        if d < first_day:
            return False
        if d not in cache:
            cache[d] = completion(r, d, t.completion_days)
        share = cache[d].share
        return share is not None and share < below - EPSILON

    recent = max(recent, first_day)
    days = [recent + timedelta(days=i) for i in range((today - recent).days + 1)]
    runs = _runs(days, low)
    if runs and runs[0][0][0] == recent:  # reaches back past the recent days: find its start
        earlier, d = [], recent - timedelta(days=1)
        while low(d):
            earlier.append(d)
            d -= timedelta(days=1)
        runs[0] = ([*reversed(earlier), *runs[0][0]], runs[0][1])
    out = []
    for run, ongoing in runs:
        since = run[0]
        c = cache[since]
        in_window = [s for s in r.sessions if c.start <= s.day <= since]
        sched = [d for d in r.scheduled if c.start <= d <= since]
        out.append(
            _alert(
                LOW_COMPLETION,
                since,
                last=run[-1],
                ongoing=ongoing,
                value=c.share,
                message=(
                    f"Did {round(100 * (c.share or 0))} % of the planned work in the "
                    f"{t.completion_days} days to {_day(since)}: {c.done} sessions done, "
                    f"{c.due} due (under {t.completion_below_pct} % counts)."
                ),
                evidence=(
                    *(Evidence("scheduled", d, None) for d in sched),
                    *(_session_evidence(s) for s in in_window),
                ),
            )
        )
    return out
