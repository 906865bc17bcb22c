"""Clinic alerts in the store: the pure rules (psoas.core.alerts) run over the store's rows,
their episodes saved once, and the worklist's figures kept beside them.

When they run:
- at once on the writes that matter (`changed`, called by the services the web pages, the
  API and the CLI all use: a check-in or the warning signs before a session, a pain stop,
  a session saved, an activity score, a program stopped by a warning sign). The
  evaluation is deferred through psoas.jobs: in clinic mode it is queued in the writer's
  transaction for `psoas worker`, in local mode it runs in this process after the commit;
- every 15 minutes over every patient (`sweep`), for the rules that fire with time alone
  (no session for 7 days, low completion over 14 days), and to bring the worklist's
  adherence figures to the new day.

Saving is idempotent: one row per patient and episode key (a unique constraint), inserted
with "on conflict", so a rerun, a duplicated job or two workers at once leave one row. An
episode still going updates its row's severity, message and evidence (never its status or
notes); one that ended is never changed, so it stays as it fired until a clinician
resolves it. Rows that would be written as they are (an alert, a worklist entry) are not
written at all, so a sweep that finds nothing new changes nothing the worklist's cache
watches.

Cheap for many patients: `records_for` reads the rows of a batch of patients in eight
queries whatever the batch's size, and the sweep goes in batches.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from psoas import jobs
from psoas.core.alerts.records import (
    AsOf,
    PainReport,
    PsfsResult,
    Records,
    ScreenAnswer,
    SessionRecord,
)
from psoas.core.alerts.rules import Alert as Fired
from psoas.core.alerts.rules import evaluate
from psoas.core.alerts.thresholds import Thresholds, parse_thresholds
from psoas.core.alerts.worklist import worklist_row
from psoas.core.content.loader import catalog
from psoas.jobs.failures import person_arg
from psoas.web.clinic.mail import ALERT_SEVERITIES, alerts_to_mail
from psoas.web.clinic.worklist import need_key

# How often the sweep runs (cron; PSOAS_ALERT_SWEEP_CRON changes it, the tests to a
# second: "* * * * * *").
SWEEP_CRON = os.environ.get("PSOAS_ALERT_SWEEP_CRON", "*/15 * * * *")
SWEEP_BATCH = 250  # patients read and evaluated together in the sweep
NOTE_MAX = 1000  # characters of an acknowledge or resolve note


# --- the store's rows as the rules read them -----------------------------------------------


def records_for(person_ids: Sequence[int]) -> dict[int, Records]:
    """Each person's `Records` (records.py says which row is which), in eight queries."""
    from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
    from psoas.web.programs.models import Plan, ProfileVersion, ScheduledSession
    from psoas.web.tracking.models import SessionLog, SetLog

    ids = list(person_ids)
    known = frozenset(catalog().red_flags)
    pain: dict[int, list] = defaultdict(list)
    screens: dict[int, list] = defaultdict(list)
    sessions: dict[int, list] = defaultdict(list)
    psfs: dict[int, list] = defaultdict(list)
    scheduled: dict[int, list] = defaultdict(list)
    baseline: dict[int, int] = {}

    # Nearly every check-in answers "none of these": only the others' lists are read and
    # parsed (a year of check-ins for a thousand patients is a hundred thousand rows).
    # No query below sorts (`order_by()` drops the models' default order): the rules sort
    # each patient's rows, and sorting a year of rows in the store costs a fifth of a read.
    checkins = PainCheckin.objects.filter(person_id__in=ids).order_by()
    said_yes = dict(checkins.exclude(red_flags=[]).values_list("id", "red_flags"))
    # The rows are built unchecked (`trusted`): the store checked them when written.
    report, answer = PainReport.trusted, ScreenAnswer.trusted
    for pid, ref, day, nprs in checkins.values_list("person_id", "id", "date", "nprs"):
        pain[pid].append(report(day=day, seq=ref, ref=ref, nprs=nprs))
        yes = said_yes.get(ref)
        yes = tuple(sorted({f for f in yes if f in known})) if yes else ()
        screens[pid].append(answer(day=day, seq=ref, ref=ref, red_flags=yes))

    # A program stopped by a warning sign keeps the signs in a new profile version (also
    # when no pain was given before the session, so no check-in row holds them): each
    # version's new signs are a screen of that day.
    profiles = ProfileVersion.objects.filter(person_id__in=ids).order_by("person_id", "version")
    before: dict[int, set[str]] = {}
    for pid, ref, made, flags, nprs in profiles.values_list(
        "person_id", "id", "created_at", "data__red_flags", "data__pain__nprs"
    ):
        if isinstance(nprs, int) and 0 <= nprs <= 10:
            baseline[pid] = nprs  # the latest profile's, as the progress page reads it
        now = {f for f in flags or () if f in known} if isinstance(flags, list) else set()
        new = now - before.get(pid, set())
        before[pid] = now
        if new:
            day = timezone.localdate(made)
            screens[pid].append(ScreenAnswer(day=day, ref=f"profile:{ref}", red_flags=tuple(new)))

    sets = {
        session: (n, done, stops)
        for session, n, done, stops in SetLog.objects.filter(person_id__in=ids)
        .values("session_id")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(status=SetLog.Status.DONE)),
            pain=Count("id", filter=Q(status=SetLog.Status.STOPPED_FOR_PAIN)),
        )
        .values_list("session_id", "n", "done", "pain")
    }
    none = (0, 0, 0)
    for pid, ref, day, status in (
        SessionLog.objects.filter(person_id__in=ids)
        .order_by()
        .values_list("person_id", "id", "date", "status")
    ):
        n, done, stops = sets.get(ref, none)
        sessions[pid].append(
            SessionRecord.trusted(
                day=day,
                seq=ref,
                ref=ref,
                status=status,
                planned=n,
                completed=done,
                pain_stop=stops > 0,
            )
        )

    for pid, ref, day, score in (
        QuestionnaireResponse.objects.filter(
            person_id__in=ids, questionnaire_id="psfs", score__isnull=False
        )
        .order_by()
        .values_list("person_id", "id", "date", "score")
    ):
        psfs[pid].append(PsfsResult.trusted(day=day, seq=ref, ref=ref, score=score))

    # The active plan's days, and an older plan's only before the active one began.
    # (The active plans read apart: joining each of a year's planned days to its plan
    # costs more than the days themselves.)
    active_plans = dict(
        Plan.objects.filter(person_id__in=ids, active=True).values_list("id", "start_date")
    )
    rows = (
        ScheduledSession.objects.filter(person_id__in=ids)
        .order_by()
        .values_list("person_id", "date", "plan_id")
    )
    active_start: dict[int, date] = {}
    kept: list[tuple[int, date, bool]] = []
    for pid, day, plan_id in rows:
        active = plan_id in active_plans
        if active:
            active_start[pid] = active_plans[plan_id]
        kept.append((pid, day, active))
    for pid, day, active in kept:
        if active or pid not in active_start or day < active_start[pid]:
            scheduled[pid].append(day)

    return {
        pid: Records.trusted(
            pain_baseline=baseline.get(pid),
            pain=tuple(pain[pid]),
            sessions=tuple(sessions[pid]),
            psfs=tuple(psfs[pid]),
            screens=tuple(screens[pid]),
            scheduled=tuple(scheduled[pid]),
        )
        for pid in ids
    }


def thresholds_of(clinic: Any) -> Thresholds:
    """A clinic's thresholds (saved only once `parse_thresholds` took them)."""
    return parse_thresholds(clinic.alert_thresholds or {})


# --- evaluating and saving -----------------------------------------------------------------


def _row(person_id: int, a: Fired) -> Any:
    from psoas.web.clinic.models import Alert

    return Alert(
        person_id=person_id,
        key=a.key,
        rule=a.rule,
        severity=a.severity,
        level=a.level,
        flag=a.flag,
        since=a.since,
        fired_on=a.fired_on,
        message=a.message,
        evidence=[
            {"kind": e.kind, "day": e.day.isoformat(), "value": e.value, "ref": e.ref}
            for e in a.evidence
        ],
    )


def figures(row: Any) -> dict[str, Any]:
    """A worklist row's figures as JSON (the alerts are read live, not kept here)."""

    def trend(t: Any) -> dict[str, Any] | None:
        if t is None:
            return None
        out = asdict(t)
        out["latest_day"] = t.latest_day.isoformat() if t.latest_day else None
        return out

    return {
        "adherence_7": row.adherence_7,
        "adherence_28": row.adherence_28,
        "pain": trend(row.pain),
        "psfs": trend(row.psfs),
        "last_activity": row.last_activity.isoformat() if row.last_activity else None,
        "low_adherence": row.low_adherence,
    }


@transaction.atomic  # the alerts, their figures and their emails' jobs: all or none
def evaluate_people(person_ids: Iterable[int], today: date) -> int:
    """Run the rules for these people (clinic patients; others are skipped) as of `today`,
    save the alerts not saved yet and their worklist figures. Returns how many alerts are
    new. Run it over every person's rows (a job's scope, or `scope.everyone()`)."""
    from psoas.web.clinic.models import Alert, Patient, WorklistEntry

    patients = list(
        Patient.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", "clinic_id", "clinic__alert_thresholds", "public_id"
        )
    )
    if not patients:
        return 0
    ids = [p[0] for p in patients]
    records = records_for(ids)
    limits: dict[int, Thresholds] = {}
    ongoing: list[Any] = []
    ended: list[Any] = []
    sorted_rows: dict[int, AsOf] = {}  # read by both the rules and the worklist's row
    for pid, clinic_id, saved, _ in patients:
        if clinic_id not in limits:
            limits[clinic_id] = parse_thresholds(saved or {})
        sorted_rows[pid] = AsOf.of(records[pid], today)
        for a in evaluate(records[pid], limits[clinic_id], today, sorted_rows[pid]):
            (ongoing if a.ongoing else ended).append(_row(pid, a))
    saved = {
        (pid, key): (severity, message, evidence)
        for pid, key, severity, message, evidence in Alert.objects.filter(
            person_id__in=ids
        ).values_list("person_id", "key", "severity", "message", "evidence")
    }
    known = set(saved)
    # An episode still going keeps its row and its handling but takes the day's words and
    # severity (a gap of 7 days becomes one of 14, high); one that ended is left as it is.
    # Only rows that change are written: a sweep every 15 minutes that rewrote them all
    # would make every clinician's kept worklist (worklist.per_list_revision) stale.
    ongoing = [
        a for a in ongoing if saved.get((a.person_id, a.key)) != (a.severity, a.message, a.evidence)
    ]
    ended = [a for a in ended if (a.person_id, a.key) not in known]
    Alert.objects.bulk_create(
        ongoing,
        update_conflicts=True,
        unique_fields=["person", "key"],
        update_fields=["severity", "message", "evidence"],
        batch_size=1000,
    )
    Alert.objects.bulk_create(ended, ignore_conflicts=True, batch_size=1000)
    open_alerts: dict[int, list] = defaultdict(list)
    for a in (
        Alert.objects.filter(person_id__in=ids)
        .exclude(status=Alert.Status.RESOLVED)
        .only("person_id", "key", "rule", "severity", "level", "fired_on")
    ):
        open_alerts[a.person_id].append(a)
    now = timezone.now()
    kept = {
        pid: rest
        for pid, *rest in WorklistEntry.objects.filter(person_id__in=ids).values_list(
            "person_id", "as_of", "figures", "need", "has_alerts"
        )
    }
    entries = []
    for pid, cid, _, public_id in patients:
        row = worklist_row(
            public_id, records[pid], open_alerts[pid], limits[cid], today, sorted_rows[pid]
        )
        entry = WorklistEntry(
            person_id=pid,
            as_of=today,
            updated_at=now,
            figures=figures(row),
            need=need_key(row),
            has_alerts=bool(row.alerts),
        )
        if kept.get(pid) != [entry.as_of, entry.figures, entry.need, entry.has_alerts]:
            entries.append(entry)  # (unchanged ones are left alone, as alerts above)
    WorklistEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["as_of", "figures", "need", "has_alerts", "updated_at"],
        batch_size=1000,
    )
    fresh = [
        (pk, severity)
        for pk, pid, key, severity in Alert.objects.filter(person_id__in=ids).values_list(
            "pk", "person_id", "key", "severity"
        )
        if (pid, key) not in known
    ]
    # A red flag or a high alert: the primary clinician hears at once, by email (the
    # email job sends it once however often this evaluation runs).
    alerts_to_mail([pk for pk, severity in fresh if severity in ALERT_SEVERITIES])
    return len(fresh)


def sweep_all(today: date, batch: int = SWEEP_BATCH) -> int:
    """Evaluate every clinic patient, a batch at a time; how many alerts are new."""
    from psoas.web.clinic.models import Patient

    ids = list(Patient.objects.order_by("person_id").values_list("person_id", flat=True))
    return sum(evaluate_people(ids[i : i + batch], today) for i in range(0, len(ids), batch))


# --- the jobs ------------------------------------------------------------------------------


@jobs.task(queue="alerts", retries=5, about=person_arg())
def evaluate_patient(person_id: int) -> None:
    """One patient's alerts after a write that matters (see `changed`)."""
    evaluate_people([person_id], timezone.localdate())


@jobs.task(queue="upkeep", retries=0, cron=SWEEP_CRON, queueing_lock="psoas-alert-sweep")
def sweep(timestamp: int) -> None:
    """Every 15 minutes (and so through the night): every patient, for the rules that fire
    with time alone and the worklist's figures of the day. On the upkeep queue, so that a
    worker of the alerts queue alone takes only the prompt evaluations."""
    sweep_all(timezone.localdate())


def changed(person_id: int) -> None:
    """Called by the services after a write that can fire an alert. Only clinic patients
    have alerts, and only clinic mode has clinic patients, so local mode (one person)
    pays nothing for it."""
    if settings.CLINIC_MODE:
        evaluate_patient.defer(person_id=person_id)


# --- a clinician handling an alert ---------------------------------------------------------


class HandlingError(ValueError):
    """A one-line message for the person acknowledging or resolving."""


def handle(alert: Any, action: str, user: Any, note: str) -> None:
    """Acknowledge (seen, being dealt with) or resolve an alert, with a note. A resolved
    alert stays resolved; acknowledging twice keeps the first."""
    from psoas.web.clinic.models import Alert

    note = note.strip()
    if action not in ("acknowledge", "resolve"):
        raise HandlingError("action: choose acknowledge or resolve")
    if len(note) > NOTE_MAX:
        raise HandlingError(f"note: write at most {NOTE_MAX} characters, not {len(note)}")
    if action == "resolve" and not note:
        raise HandlingError("note: say in a few words how it was resolved")
    if alert.status == Alert.Status.RESOLVED:
        raise HandlingError("This alert is already resolved.")
    now = timezone.now()
    if action == "acknowledge":
        if alert.status == Alert.Status.ACKNOWLEDGED:
            raise HandlingError("This alert is already acknowledged.")
        alert.status, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", user, now
        alert.acknowledge_note = note
        alert.save(
            update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledge_note"]
        )
    else:
        alert.status, alert.resolved_by, alert.resolved_at = "resolved", user, now
        alert.resolve_note = note
        alert.save(update_fields=["status", "resolved_by", "resolved_at", "resolve_note"])
        changed(alert.person_id)  # the worklist's order without this alert
