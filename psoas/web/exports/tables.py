"""The CSV export: one file per table, UTF-8 with a header row; docs/exports.md lists
every column, its type and its meaning (a test keeps the two in step).

Cells: dates and times in ISO 8601 (times in UTC with their offset), an empty cell for no
value, `true`/`false`, lists of ids joined by `;`, and whole documents (a profile, a plan)
as JSON. Dated tables follow the export's date range; plans, their versions and profile
versions are always whole, because the dated rows need them to be read. A plan is a block
of six weeks (the first, or one chosen at the end of the block before), and a clinician's
edit a new version of it (`program_versions.csv`); `block_reviews.csv` holds the
re-test at each block's end beside the block's start, a row per measure. Move breaks:
`breaks.csv` holds every reminder and what came of it, `break_days.csv` a day's numbers
(the person's own dates, in their break settings' time zone).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import F
from django.utils import timezone

from psoas.core.breaks.hours import local_day, zone_of
from psoas.web.breaks.models import BreakLog
from psoas.web.breaks.services import all_days, load_settings
from psoas.web.exports.answers import ordered_answers
from psoas.web.exports.reading import Period
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.blocks import block_of, blocks
from psoas.web.programs.models import (
    Person,
    Plan,
    ProfileVersion,
    ProgramVersion,
    ScheduledSession,
)
from psoas.web.programs.versions import plan_on
from psoas.web.tracking.models import SessionLog, SetLog

Rows = Callable[[Person, Period], Iterable[dict[str, Any]]]

SESSIONS = [
    "id",
    "date",
    "week",
    "session_index",
    "status",
    "source",
    "pain_before",
    "pain_after",
    "notes",
    "started_at",
    "finished_at",
    "plan_id",
    "scheduled_session_id",
]
SETS = [
    "id",
    "session_id",
    "date",
    "exercise_id",
    "week",
    "dose_week",
    "set_number",
    "side",
    "planned_reps",
    "reps_done",
    "planned_hold_s",
    "hold_s_done",
    "pain_during",
    "effort",
    "status",
    "created_at",
]
CHECKINS = ["id", "date", "nprs", "red_flags", "note", "created_at"]
QUESTIONNAIRES = ["id", "questionnaire_id", "version", "date", "score", "created_at"]
ANSWERS = ["response_id", "questionnaire_id", "item_id", "answer"]
PLANS = [
    "id",
    "profile_version",
    "start_date",
    "active",
    "status",
    "block_number",
    "block_kind",
    "classification",
    "days_per_week",
    "created_at",
    "data",
]
REVIEWS = [
    "plan_id",
    "block_number",
    "block_kind",
    "block_start",
    "block_end",
    "review_date",
    "measure",
    "label",
    "before",
    "after",
    "verdict",
    "note",
    "choice",
    "next_plan_id",
    "next_block_start",
]
PROFILES = ["id", "version", "created_at", "data"]
VERSIONS = [
    "plan_id",
    "number",
    "valid_from",
    "changed_by",
    "reason",
    "overrides",
    "created_at",
    "data",
]
SCHEDULE = ["id", "plan_id", "date", "week", "session_index", "session_name"]

BREAKS = ["id", "date", "at", "kind", "until", "source", "created_at"]
BREAK_DAYS = ["date", "prompted", "taken", "natural", "snoozed", "skipped", "longest_sitting_min"]


def _values(rows, columns: list[str], **renamed: F) -> Iterable[dict[str, Any]]:
    """`rows.values()` for a table's columns, some of them taken from a differently named
    field."""
    return rows.values(*(c for c in columns if c not in renamed), **renamed)


def _sessions(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    rows = period.filter(SessionLog.objects.filter(person=person))
    rows = rows.order_by("date", "started_at", "id")
    return _values(rows, SESSIONS, scheduled_session_id=F("scheduled_id"))


def _sets(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    rows = period.filter(SetLog.objects.filter(person=person), "session__date")
    rows = rows.order_by("session__date", "session__started_at", "session_id", "id")
    return _values(rows, SETS, date=F("session__date"))


def _checkins(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    rows = period.filter(PainCheckin.objects.filter(person=person))
    return rows.order_by("date", "created_at", "id").values(*CHECKINS)


def _responses(person: Person, period: Period):
    rows = period.filter(QuestionnaireResponse.objects.filter(person=person))
    return rows.order_by("date", "created_at", "id")


def _questionnaires(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    return _responses(person, period).values(*QUESTIONNAIRES)


def _answers(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    for r in _responses(person, period):
        for a in ordered_answers(r.questionnaire_id, r.answers):
            yield {
                "response_id": r.id,
                "questionnaire_id": r.questionnaire_id,
                "item_id": a.item_id,
                "answer": a.value,
            }


def _plans(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    for p in Plan.objects.filter(person=person).select_related("profile").order_by("id"):
        block = block_of(p) if p.data.get("status") == "ok" else {"number": None, "kind": None}
        yield {
            "id": p.id,
            "profile_version": p.profile.version,
            "start_date": p.start_date,
            "active": p.active,
            "status": p.data.get("status"),
            "block_number": block["number"],
            "block_kind": block["kind"],
            "classification": p.data.get("classification"),
            "days_per_week": (p.data.get("frequency") or {}).get("days_per_week"),
            "created_at": p.created_at,
            "data": p.data,
        }


def _profiles(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    return ProfileVersion.objects.filter(person=person).order_by("version").values(*PROFILES)


def _versions(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    rows = ProgramVersion.objects.filter(person=person).select_related("author")
    for v in rows.order_by("plan_id", "number"):
        yield {
            "plan_id": v.plan_id,
            "number": v.number,
            "valid_from": v.valid_from,
            "changed_by": v.author.email if v.author is not None else None,
            "reason": v.reason or None,
            "overrides": v.overrides,
            "created_at": v.created_at,
            "data": v.data,
        }


def _schedule(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    """Each planned day with its session's name in the version in force that day."""
    plans = {p.id: p for p in Plan.objects.filter(person=person)}
    rows = period.filter(ScheduledSession.objects.filter(person=person))
    for s in rows.order_by("plan_id", "date"):
        weeks = plan_on(plans[s.plan_id], s.date).get("weeks", [])
        yield {
            "id": s.id,
            "plan_id": s.plan_id,
            "date": s.date,
            "week": s.week,
            "session_index": s.session_index,
            "session_name": weeks[s.week - 1]["sessions"][s.session_index]["name"],
        }


def _reviews(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    """Each block's re-test (its latest), a row per measure, in the period by its date."""
    for b in blocks(person):
        r = b["review"]
        if r is None or not period.contains(date.fromisoformat(r["date"])):
            continue
        for row in r["rows"]:
            yield {
                "plan_id": b["plan_id"],
                "block_number": b["number"],
                "block_kind": b["kind"],
                "block_start": b["start_date"],
                "block_end": b["end_date"],
                "review_date": r["date"],
                "measure": row["id"],
                "label": row["label"],
                "before": row["before"],
                "after": row["after"],
                "verdict": row["verdict"],
                "note": row["note"],
                "choice": r["choice"],
                "next_plan_id": r["next_plan_id"],
                "next_block_start": r["next_start"],
            }


def _breaks(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    zone = zone_of(load_settings(person).zone)
    rows = BreakLog.objects.filter(person=person).order_by("at", "id")
    for r in rows.values("id", "at", "kind", "until", "source", "created_at"):
        day = local_day(r["at"], zone)
        if period.contains(day):
            yield {**r, "date": day}


def _break_days(person: Person, period: Period) -> Iterable[dict[str, Any]]:
    for d in all_days(person, timezone.now()):
        day = date.fromisoformat(d.day)
        if period.contains(day):
            yield {
                "date": day,
                **{c: getattr(d, c) for c in BREAK_DAYS[1:]},
            }


TABLES: dict[str, tuple[list[str], Rows]] = {
    "sessions.csv": (SESSIONS, _sessions),
    "exercise_sets.csv": (SETS, _sets),
    "checkins.csv": (CHECKINS, _checkins),
    "questionnaires.csv": (QUESTIONNAIRES, _questionnaires),
    "questionnaire_answers.csv": (ANSWERS, _answers),
    "scheduled_sessions.csv": (SCHEDULE, _schedule),
    "plans.csv": (PLANS, _plans),
    "program_versions.csv": (VERSIONS, _versions),
    "block_reviews.csv": (REVIEWS, _reviews),
    "profile_versions.csv": (PROFILES, _profiles),
    "breaks.csv": (BREAKS, _breaks),
    "break_days.csv": (BREAK_DAYS, _break_days),
}


def cell(value: Any) -> str:
    """One value as CSV text, the same way in every file (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _as_text(";".join(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str):
        return _as_text(value)
    return str(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(text: str) -> str:
    """Words a person typed (a note, an activity) that a spreadsheet would run as a formula
    get a leading apostrophe, which spreadsheets read as "this is text"."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_files(person: Person, period: Period) -> dict[str, tuple[bytes, int]]:
    """Every table as file name -> (UTF-8 bytes, number of data rows)."""
    out = {}
    for name, (columns, rows) in TABLES.items():
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow(columns)
        count = 0
        for row in rows(person, period):
            writer.writerow([cell(row[c]) for c in columns])
            count += 1
        out[name] = (buf.getvalue().encode("utf-8"), count)
    return out
