"""Progress: pain against the baseline, adherence per week, and what was reached against
the plan. The database does the counting (a few grouped queries), the core does the
meaning (scores, minimal important change, adherence and streaks), so three years of
daily records stay quick to read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import Avg, Count

from psoas.core.content.loader import catalog
from psoas.core.content.questionnaires import questionnaires
from psoas.core.scoring.adherence import adherence
from psoas.core.scoring.change import change
from psoas.core.scoring.score import score
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.models import Person, Plan, ScheduledSession
from psoas.web.tracking.models import SessionLog, SetLog

DONE = (SessionLog.Status.COMPLETED, SessionLog.Status.STOPPED_FOR_PAIN)


def _pain(person: Person, plan: Plan | None, today: date) -> dict[str, Any]:
    rows = list(
        PainCheckin.objects.filter(person=person, date__lte=today)
        .order_by("date", "id")
        .values_list("date", "nprs")
    )
    profile_pain = ((plan.profile.data.get("pain") or {}).get("nprs")) if plan else None
    if not rows and profile_pain is None:
        return {"baseline": None, "latest": None, "latest_date": None, "weekly": [], "change": None}
    baseline = profile_pain if profile_pain is not None else rows[0][1]
    latest_day, latest = rows[-1] if rows else (None, baseline)
    weeks: dict[date, list[int]] = defaultdict(list)
    for day, nprs in rows:
        weeks[day - timedelta(days=day.weekday())].append(nprs)
    q = questionnaires()["nprs"]
    item = q.items[0].id
    diff = change(q, score(q, {item: baseline}), score(q, {item: latest}))
    return {
        "baseline": baseline,
        "latest": latest,
        "latest_date": latest_day.isoformat() if latest_day else None,
        "minimal_important_change": q.minimal_change.points if q.minimal_change else None,
        "weekly": [
            {"week_start": w.isoformat(), "mean": round(sum(v) / len(v), 2), "checkins": len(v)}
            for w, v in sorted(weeks.items())
        ],
        "change": {
            "points": diff.points,
            "percent": diff.percent,
            "direction": diff.direction,
            "meaningful": diff.reaches_minimal_change,
            "improved": diff.improved,
            "message": diff.message,
        },
    }


def _adherence(person: Person, plans: list[Plan], today: date) -> dict[str, Any]:
    """Each plan counts from its start until the next plan starts."""
    bounds = {p.id: (p.start_date, None) for p in plans}
    for earlier, later in pairwise(plans):
        bounds[earlier.id] = (earlier.start_date, later.start_date)
    scheduled = [
        d
        for plan_id, d in ScheduledSession.objects.filter(person=person).values_list(
            "plan_id", "date"
        )
        if plan_id in bounds and (bounds[plan_id][1] is None or d < bounds[plan_id][1])
    ]
    done = list(
        SessionLog.objects.filter(person=person, status__in=DONE).values_list("date", flat=True)
    )
    a = adherence(scheduled, done, today)
    return {
        "overall": None if a.overall is None else round(a.overall, 3),
        "scheduled": a.scheduled,
        "done": a.done,
        "current_streak": a.current_streak,
        "longest_streak": a.longest_streak,
        "weeks": [
            {
                "week_start": w.start.isoformat(),
                "scheduled": w.scheduled,
                "done": w.done,
                "share": round(w.share, 3),
            }
            for w in a.weeks
        ],
    }


def _achieved(plan: Plan | None) -> list[dict[str, Any]]:
    """Per exercise and program week: the mean planned and done reps or hold per set."""
    if plan is None:
        return []
    rows = (
        SetLog.objects.filter(session__plan=plan)
        .values("exercise_id", "week")
        .annotate(
            sets=Count("id"),
            planned_reps=Avg("planned_reps"),
            reps_done=Avg("reps_done"),
            planned_hold_s=Avg("planned_hold_s"),
            hold_s_done=Avg("hold_s_done"),
        )
        .order_by("exercise_id", "week")
    )
    names = {e.id: e.name for e in catalog().exercises.values()}
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        ex = out.setdefault(
            r["exercise_id"],
            {
                "exercise_id": r["exercise_id"],
                "name": names.get(r["exercise_id"], r["exercise_id"]),
                "weeks": [],
            },
        )
        ex["weeks"].append(
            {
                k: (round(v, 1) if isinstance(v, float) else v)
                for k, v in r.items()
                if k != "exercise_id"
            }
        )
    return list(out.values())


def questionnaire_scores(person: Person, today: date) -> list[dict[str, Any]]:
    """Each questionnaire's first and latest score and the change between them (the
    progress figures' part that a clinician's overview shows on its own)."""
    out = []
    known = questionnaires()
    latest: dict[str, list[QuestionnaireResponse]] = defaultdict(list)
    responses = QuestionnaireResponse.objects.filter(person=person, date__lte=today)
    for resp in responses.order_by("date", "id"):
        latest[resp.questionnaire_id].append(resp)
    for qid, responses in latest.items():
        q = known.get(qid)
        first, last = responses[0], responses[-1]
        entry: dict[str, Any] = {
            "id": qid,
            "baseline": first.score,
            "latest": last.score,
            "responses": len(responses),
        }
        if q is not None and first.score is not None and last.score is not None:
            diff = change(q, score(q, first.answers), score(q, last.answers))
            entry["change"] = {
                "points": diff.points,
                "improved": diff.improved,
                "message": diff.message,
            }
        out.append(entry)
    return out


def progress(person: Person, today: date) -> dict[str, Any]:
    plans = list(person.plans.select_related("profile").order_by("start_date", "created_at"))
    active = next((p for p in reversed(plans) if p.active), None)
    return {
        "date": today.isoformat(),
        "pain": _pain(person, active, today),
        "adherence": _adherence(person, plans, today),
        "achieved": _achieved(active),
        "questionnaires": questionnaire_scores(person, today),
    }
