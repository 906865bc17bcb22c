"""The clinician's worklist: each patient's figures, and the order by need.

A row shows adherence over the last 7 and 28 days (the share of sessions due that were
done, matched as the progress page matches them), pain and the activity score (PSFS)
against their baselines with the content's minimal change, the last day of any activity,
and the patient's open alerts (the store's: alerts a clinician has not resolved).

The order: open red flags and pregnancy warning signs first, by action level; then other
open alerts by severity; then pain or activity score worse by their minimal change; then
adherence under the clinic's completion threshold, lowest first; then the longest quiet
(never active first). The patient id breaks ties, so the order is the same every time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from psoas.core.alerts.records import AsOf, Records
from psoas.core.alerts.rules import RED_RULES, SEVERITY_ORDER, OpenAlert, urgency
from psoas.core.alerts.thresholds import Thresholds
from psoas.core.content.questionnaires import questionnaires
from psoas.core.scoring.adherence import adherence
from psoas.core.scoring.change import change
from psoas.core.scoring.score import Score
from psoas.core.screening.referral import LEVEL_ORDER


@dataclass(frozen=True)
class Trend:
    """A measure against its baseline, by the content's minimal change (scoring.change)."""

    baseline: float
    latest: float
    latest_day: date | None  # None: no report yet, the baseline is the profile's
    points: float  # latest minus baseline
    direction: Literal["better", "worse", "same"]
    minimal_change: float | None  # the content's figure, in points
    meaningful: bool  # reaches the minimal change, either way

    @property
    def worse(self) -> bool:
        return self.meaningful and self.direction == "worse"


@dataclass(frozen=True)
class WorklistRow:
    patient: str  # the store's id of the patient
    alerts: tuple[OpenAlert, ...]  # open alerts, most urgent first
    adherence_7: float | None  # None: no session was due
    adherence_28: float | None
    pain: Trend | None  # None: no pain given yet
    psfs: Trend | None  # None: fewer than one score
    last_activity: date | None  # a session, a check-in, a questionnaire or a screen
    low_adherence: bool  # 28-day adherence under the clinic's completion threshold


def _trend(qid: str, baseline: float, latest: float, latest_day: date | None) -> Trend:
    q = questionnaires()[qid]
    diff = change(q, Score(qid, baseline, None, 1, 1, ""), Score(qid, latest, None, 1, 1, ""))
    mc = q.minimal_change
    return Trend(
        baseline=baseline,
        latest=latest,
        latest_day=latest_day,
        points=diff.points,
        direction=diff.direction,
        minimal_change=mc.points if mc else None,
        meaningful=diff.reaches_minimal_change,
    )


def _adherence(r: AsOf, today: date, days: int) -> float | None:
    return adherence(r.scheduled, r.done, today, start=today - timedelta(days=days - 1)).overall


def worklist_row(
    patient: str,
    records: Records,
    open_alerts: Iterable[OpenAlert],
    thresholds: Thresholds,
    today: date,
    as_of: AsOf | None = None,
) -> WorklistRow:
    """The figures of one patient as of `today`, with the alerts the store holds open
    (`as_of`: `AsOf.of(records, today)` when the caller has it, as for `evaluate`)."""
    r = as_of or AsOf.of(records, today)
    pain = None
    if r.pain or records.pain_baseline is not None:
        baseline = records.pain_baseline if records.pain_baseline is not None else r.pain[0].nprs
        last = r.pain[-1] if r.pain else None
        pain = _trend("nprs", baseline, last.nprs if last else baseline, last.day if last else None)
    psfs = _trend("psfs", r.psfs[0].score, r.psfs[-1].score, r.psfs[-1].day) if r.psfs else None
    days = [rows[-1].day for rows in (r.pain, r.sessions, r.psfs, r.screens) if rows]
    a28 = _adherence(r, today, 28)
    return WorklistRow(
        patient=patient,
        alerts=tuple(sorted(open_alerts, key=urgency)),
        adherence_7=_adherence(r, today, 7),
        adherence_28=a28,
        pain=pain,
        psfs=psfs,
        last_activity=max(days, default=None),
        low_adherence=a28 is not None and a28 * 100 < thresholds.completion_below_pct,
    )


def need(row: WorklistRow) -> tuple:
    """Sort key of a row: most need first (see the module)."""
    red = [LEVEL_ORDER[a.level] for a in row.alerts if a.rule in RED_RULES and a.level]
    other = [SEVERITY_ORDER[a.severity] for a in row.alerts if a.rule not in RED_RULES]
    worse = (row.pain is not None and row.pain.worse) or (row.psfs is not None and row.psfs.worse)
    return (
        min(red, default=len(LEVEL_ORDER)),
        min(other, default=len(SEVERITY_ORDER)),
        not worse,
        not row.low_adherence,
        row.adherence_28 if row.low_adherence else 0.0,
        row.last_activity or date.min,
        row.patient,
    )


def worklist_order(rows: Sequence[WorklistRow]) -> list[WorklistRow]:
    """The rows, most need first."""
    return sorted(rows, key=need)
