"""Everything the report shows for one person and a date range, read from the store.

Progress (`psoas.web.outcomes.progress`, read up to the range's end) gives the baseline,
the latest pain, the weekly pain means and the adherence; this module cuts those to the
range and adds what only the report needs: the questionnaire scores, the exercises stepped
back for pain with what autoregulation does about them now, the notes, the blocks of six
weeks (blocks.py) and the move breaks (breaks.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from psoas.core.content.loader import catalog
from psoas.core.content.questionnaires import questionnaires
from psoas.core.planning.autoregulation import PAIN_STOP, slots
from psoas.core.planning.schedule import program_week
from psoas.core.scoring.change import change
from psoas.core.scoring.score import score
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.outcomes.progress import progress
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.versions import plan_on
from psoas.web.reports import blocks, charts, summary
from psoas.web.reports.breaks import break_summary
from psoas.web.tracking.models import SessionLog, SetLog
from psoas.web.tracking.queries import adjusted_session

MAX_NOTES, NOTE_CHARS, MAX_STEPPED = 5, 180, 6  # two pages, whatever was typed or logged
STOPPED = SetLog.Status.STOPPED_FOR_PAIN


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def first_day(person: Person) -> date | None:
    """The default start of the range: the first plan's first day."""
    return person.plans.aggregate(d=Min("start_date"))["d"]


def _in_range(rows: list[dict[str, Any]], start: date, end: date) -> list[dict[str, Any]]:
    """Weekly rows (ISO weeks, keyed by their Monday) that overlap the range."""
    first = _monday(start).isoformat()
    return [r for r in rows if first <= r["week_start"] <= end.isoformat()]


def _change_row(qid: str, first: Any, last: Any) -> dict[str, Any]:
    """Baseline against latest with the questionnaire's minimal change, in words."""
    q = questionnaires()[qid]
    diff = change(q, first, last)
    mc = q.minimal_change
    return {
        "name": q.name,
        "baseline": f"{first.value:g}",
        "latest": f"{last.value:g}",
        "points": f"{diff.points:+g}" if diff.points else "0",
        "kind": "minimal important change" if mc and mc.kind == "mcid" else "smallest real change",
        "threshold": f"{mc.points:g} points" if mc and mc.points else "",
        "meaningful": diff.reaches_minimal_change,
        "message": diff.message,
        "source": mc.source.title if mc else "",
    }


def _pain(prog: dict[str, Any], start: date, end: date) -> dict[str, Any] | None:
    pain = prog["pain"]
    if pain["baseline"] is None:
        return None
    q = questionnaires()["nprs"]
    item = q.items[0].id
    row = _change_row("nprs", score(q, {item: pain["baseline"]}), score(q, {item: pain["latest"]}))
    row["latest_date"] = pain["latest_date"] or "no check-in yet"
    mc = q.minimal_change
    better_by = min(mc.points, pain["baseline"] * mc.percent / 100) if mc.percent else mc.points
    band = (max(0, pain["baseline"] - better_by), min(10, pain["baseline"] + mc.points))
    weeks = _in_range(pain["weekly"], start, end)
    row["mic_words"] = (
        f"{mc.points:g} points, or {mc.percent:g} % better" if mc.percent else row["threshold"]
    )
    row["chart"] = (
        charts.pain_chart(
            [date.fromisoformat(w["week_start"]) for w in weeks],
            [w["mean"] for w in weeks],
            pain["baseline"],
            band,
        )
        if weeks
        else ""
    )
    return row


def _questionnaires(person: Person, end: date) -> list[dict[str, Any]]:
    """Each weekly questionnaire: the first response ever against the last one by `end`."""
    out = []
    known = questionnaires()
    responses = QuestionnaireResponse.objects.filter(person=person, date__lte=end)
    ids = responses.order_by().values_list("questionnaire_id", flat=True).distinct()
    for qid in sorted(ids):
        if qid not in known:
            continue
        rows = responses.filter(questionnaire_id=qid, score__isnull=False).order_by("date", "id")
        first, last = rows.first(), rows.last()
        if first is None:
            continue
        q = known[qid]
        row = _change_row(qid, score(q, first.answers), score(q, last.answers))
        row["responses"] = rows.count()
        out.append(row)
    return out


def _adherence(prog: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    weeks = _in_range(prog["adherence"]["weeks"], start, end)
    scheduled = sum(w["scheduled"] for w in weeks)
    done = sum(w["done"] for w in weeks)
    return {
        "scheduled": scheduled,
        "done": done,
        "percent": round(100 * done / scheduled) if scheduled else None,
        "current_streak": prog["adherence"]["current_streak"],
        "longest_streak": prog["adherence"]["longest_streak"],
        "chart": charts.adherence_chart(
            [date.fromisoformat(w["week_start"]) for w in weeks],
            [w["done"] for w in weeks],
            [w["scheduled"] for w in weeks],
        )
        if weeks
        else "",
    }


def _next_time(plan: Plan, end: date) -> dict[str, str]:
    """Slot -> what autoregulation does at the next session of each kind from `end` on:
    the rule's reason when it changes the dose, else where the dose stands on the plan."""
    now: dict[str, str] = {}
    firsts = plan.scheduled.filter(date__gte=end).values("session_index").annotate(day=Min("date"))
    for row in firsts:
        info = adjusted_session(plan, row["day"])
        if info["status"] != "session":
            continue
        # the slots of the version the session comes from (a day before a clinician's
        # edit still has the exercises the edit took out)
        slot_of = slots(plan_on(plan, row["day"]))
        for c in info["changes"]:
            now.setdefault(c["id"], c["reason"])
        for ex in info["session"]["exercises"]:
            behind = info["week"] - ex["dose_week"]
            words = (
                f"Still {behind} week{'s' if behind > 1 else ''} behind the plan."
                if behind > 0
                else "Back on the plan."
            )
            now.setdefault(slot_of[ex["id"]], words)
    return now


def _stepped_back(
    person: Person, plan: Plan, start: date, end: date
) -> tuple[list[dict[str, Any]], int]:
    """Exercises that hurt (a set stopped for pain, or pain during at autoregulation's
    step-back level) or that were done at an easier week's dose than the program week,
    which is what a step back leaves in the logs; with what happens next time."""
    painful = Q(status=STOPPED) | Q(pain_during__gte=PAIN_STOP)
    easier = Q(dose_week__lt=F("week"))
    rows = list(
        SetLog.objects.filter(person=person, session__date__range=(start, end))
        .filter(painful | easier)
        .values("exercise_id")
        .annotate(
            painful=Count("session", distinct=True, filter=painful),
            stops=Count("session", distinct=True, filter=Q(status=STOPPED)),
            worst=Max("pain_during", filter=painful),
            last=Max("session__date", filter=painful),
            easier=Count("session", distinct=True, filter=easier),
        )
        .order_by(F("last").desc(nulls_last=True), "exercise_id")
    )
    names = {e.id: e.name for e in catalog().exercises.values()}
    data = plan_on(plan, end)
    slot_of = slots(data) if data["status"] == "ok" else {}
    now = _next_time(plan, end) if slot_of else {}
    out = []
    for r in rows[:MAX_STEPPED]:
        slot = slot_of.get(r["exercise_id"])
        stops = f" ({r['stops']} stopped)" if r["stops"] else ""
        out.append(
            {
                "name": names.get(r["exercise_id"], r["exercise_id"]),
                "painful": f"{r['painful']}{stops}",
                "worst": "-" if r["worst"] is None else f"{r['worst']} of 10",
                "last": r["last"].isoformat() if r["last"] else "-",
                "easier": r["easier"] or "-",
                "next": now.get(slot, "No session with it is left in this plan.")
                if slot
                else "Not in the current plan.",
            }
        )
    return out, max(0, len(rows) - MAX_STEPPED)


def _notes(person: Person, start: date, end: date) -> tuple[list[dict[str, str]], int]:
    """The newest notes the person wrote, at sessions and check-ins; and how many more."""
    sessions = SessionLog.objects.filter(person=person, date__range=(start, end)).exclude(notes="")
    checkins = PainCheckin.objects.filter(person=person, date__range=(start, end)).exclude(note="")
    notes = [(d, "session", n) for d, n in sessions.values_list("date", "notes")]
    notes += [(d, "check-in", n) for d, n in checkins.values_list("date", "note")]
    notes.sort(key=lambda x: x[0], reverse=True)
    shown = [
        {
            "date": d.isoformat(),
            "where": where,
            "text": text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…",
        }
        for d, where, text in notes[:MAX_NOTES]
    ]
    return shown, len(notes) - len(shown)


def report_data(person: Person, plan: Plan, start: date, end: date, today: date) -> dict:
    """The template's context: words and figures for the range `start`..`end`."""
    cat = catalog()
    prog = progress(person, end)
    flags = [
        (d.isoformat(), f)
        for d, fs in PainCheckin.objects.filter(person=person, date__range=(start, end))
        .exclude(red_flags=[])
        .values_list("date", "red_flags")
        for f in fs
    ]
    data = plan_on(plan, end)  # the program as it stood on the report's last day
    weeks = len(data["weeks"])
    week = min(max(program_week(plan.start_date, end), 1), weeks) if weeks else None
    notes, more_notes = _notes(person, start, end)
    stepped_back, more_stepped = _stepped_back(person, plan, start, end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "generated": today.isoformat(),
        "profile": summary.profile_rows(plan.profile.data, cat),
        "screening": summary.screening(data, flags, cat),
        "plan_start": plan.start_date.isoformat(),
        "block": blocks.in_force(plan, end),
        "blocks": blocks.history(person, start, end),
        "week": week,
        "weeks": weeks,
        "frequency": data.get("frequency"),
        "program": summary.program_rows(data, week) if week else [],
        "adherence": _adherence(prog, start, end),
        "pain": _pain(prog, start, end),
        "questionnaires": _questionnaires(person, end),
        "stepped_back": stepped_back,
        "more_stepped": more_stepped,
        "notes": notes,
        "more_notes": more_notes,
        "breaks": break_summary(person, start, end, timezone.now()),
    }
