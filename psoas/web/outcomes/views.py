"""The progress page (charts of pain, adherence, what was reached and the activity score)
and the check-in (pain now, the every-session warning signs, and weekly the activity
check), as `psoas progress` and `psoas checkin` do in the terminal.

The figures come from `progress()` and the store; the charts are drawn here on the server
(charts.py). The progress page's work is kept per data revision (site/freshness.py), so a
year of history costs one small query per view once drawn; the move breaks, which count up
to the minute, are kept per revision and minute.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from psoas.core.content.questionnaires import questionnaires
from psoas.web.breaks.pages import week_context as break_week
from psoas.web.outcomes import charts
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.outcomes.progress import progress as read_progress
from psoas.web.outcomes.psfs_form import (
    PSFS_ACTIVITIES,
    error_anchors,
    psfs_rows,
    read_psfs,
    read_score,
    with_errors,
)
from psoas.web.outcomes.services import add_checkin, last_psfs, psfs_due, save_psfs
from psoas.web.programs.block_info import history
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import active_plan, stop_for_referral
from psoas.web.site.freshness import cached_body, cached_page, per_revision
from psoas.web.site.people import person_for
from psoas.web.tracking.day import settle_stop
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.warning_signs import (
    ANSWER,
    every_session_questions,
    form_context,
    read_check,
)

WINDOW_DAYS = 84  # the pain chart shows the last 12 weeks: readable on a phone
TABLE_WEEKS = 8
DONE_KEY = "psoas_checkin_done"  # request.session: what the last check-in saved, in words


def _today() -> date:
    return date.today()


# --- progress ---------------------------------------------------------------------------


def _number(x: float) -> float | int:
    """2.0 reads as 2; 3.6667 as 3.7."""
    x = round(x, 1)
    return int(x) if x == int(x) else x


def _pain_section(person: Person, prog: dict[str, Any], today: date) -> dict[str, Any]:
    pain = prog["pain"]
    q = questionnaires()["nprs"]
    mcid = _number(q.minimal_change.points if q.minimal_change else 2)
    since = today - timedelta(days=WINDOW_DAYS - 1)
    points = [
        charts.Point(d, v, "checkin")
        for d, v in PainCheckin.objects.filter(person=person, date__range=(since, today))
        .order_by("date", "id")
        .values_list("date", "nprs")
    ]
    points += [
        charts.Point(d, v, "session")
        for d, v in SessionLog.objects.filter(
            person=person, date__range=(since, today), pain_after__isnull=False
        ).values_list("date", "pain_after")
    ]
    out: dict[str, Any] = {
        "baseline": pain["baseline"],
        "latest": pain["latest"],
        "latest_date": date.fromisoformat(pain["latest_date"]) if pain["latest_date"] else None,
        "mcid": mcid,
        "message": (pain.get("change") or {}).get("message", ""),
        "weekly": [
            {**w, "week_start": date.fromisoformat(w["week_start"])}
            for w in pain["weekly"][-TABLE_WEEKS:]
        ],
        "sessions": sum(1 for p in points if p.kind == "session"),
        "chart": "",
    }
    if pain["baseline"] is None or not points:
        return out
    days = [p.day for p in points]
    out["chart"] = mark_safe(  # drawn by charts.py, which escapes every text it writes
        charts.score_chart(
            points,
            baseline=pain["baseline"],
            minimal_change=mcid,
            higher_is_better=False,
            first=min(days),
            last=max(max(days), min(today, max(days) + timedelta(days=6))),
            title="Pain over the last 12 weeks",
            desc=(
                f"Pain from 0 (none) to 10 (worst). Circles are check-ins, squares are pain "
                f"after a session. Your start was {pain['baseline']}; the dotted line is "
                f"{mcid:g} points lower, a change that matters. Latest: {pain['latest']}."
            ),
        )
    )
    return out


def _day_states(plan: Plan, today: date) -> list[list[charts.Day]]:
    """The plan's weeks as rows of 7 days from its start, each day's state."""
    if plan.data.get("status") != "ok":
        return []
    n_weeks = len(plan.data["weeks"])
    start = plan.start_date
    end = start + timedelta(days=7 * n_weeks - 1)
    planned = set(plan.scheduled.values_list("date", flat=True))
    logs: dict[date, set[str]] = defaultdict(set)
    for d, status in SessionLog.objects.filter(
        person=plan.person, date__range=(start, end)
    ).values_list("date", "status"):
        logs[d].add(status)
    weeks = []
    for w in range(n_weeks):
        row = []
        for i in range(7):
            d = start + timedelta(days=7 * w + i)
            statuses = logs.get(d, set())
            if SessionLog.Status.COMPLETED in statuses:
                state = "done"
            elif statuses:
                state = "partly"
            elif d in planned:
                state = "missed" if d < today else "planned"
            else:
                state = "rest"
            row.append(charts.Day(d, state, d in planned, d == today))
        weeks.append(row)
    return weeks


def _adherence_section(plan: Plan | None, prog: dict[str, Any], today: date) -> dict[str, Any]:
    adh = prog["adherence"]
    weeks = _day_states(plan, today) if plan is not None else []
    rows = []
    for n, week in enumerate(weeks, 1):
        count = defaultdict(int)
        for d in week:
            count[d.state] += 1
        rows.append(
            {
                "week": n,
                "start": week[0].day,
                "planned": sum(1 for d in week if d.planned),
                **{s: count[s] for s in ("done", "partly", "missed")},
            }
        )
    chart = charts.calendar(
        weeks,
        title="Your plan's days, week by week",
        desc=(
            "One square per day of your plan. A tick is a session done, a half-filled "
            "square is a session started but not finished, a cross is a planned session "
            "missed, a dashed square with a ring is a session still to come, a grey square "
            "with a dash is a rest day. Today has a dark frame."
        ),
    )
    return {
        "overall": None if adh["overall"] is None else round(100 * adh["overall"]),
        "done": adh["done"],
        "scheduled": adh["scheduled"],
        "current_streak": adh["current_streak"],
        "longest_streak": adh["longest_streak"],
        "chart": mark_safe(chart),
        "weeks": rows,
        "legend": [
            {"state": s, "label": label, "symbol": mark_safe(charts.legend_symbol(s))}
            for s, label in charts.STATES.items()
        ],
    }


def _reached_section(prog: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ex in prog["achieved"]:
        reps = any(w["planned_reps"] is not None for w in ex["weeks"])
        unit = "reps" if reps else "s"
        rows = [
            (
                f"Wk {w['week']}",
                (w["planned_reps"] if reps else w["planned_hold_s"]) or 0,
                (w["reps_done"] if reps else w["hold_s_done"]) or 0,
            )
            for w in ex["weeks"]
        ]
        what = "reps" if reps else "seconds held"
        out.append(
            {
                "name": ex["name"],
                "unit": unit,
                "what": what,
                "rows": rows,
                "chart": mark_safe(
                    charts.reached_chart(
                        rows, unit, f"{ex['name']}: {what} per set, done against planned"
                    )
                ),
            }
        )
    return out


def _psfs_section(person: Person, prog: dict[str, Any], today: date) -> dict[str, Any] | None:
    q = questionnaires()["psfs"]
    responses = list(
        QuestionnaireResponse.objects.filter(
            person=person, questionnaire_id="psfs", date__lte=today, score__isnull=False
        ).order_by("date", "id")
    )
    if not responses:
        return None
    first, last = responses[0], responses[-1]
    mcid = _number(q.minimal_change.points if q.minimal_change else 2)
    points = [charts.Point(r.date, r.score, "response") for r in responses]
    summary = next((x for x in prog["questionnaires"] if x["id"] == "psfs"), {})
    names = [
        (n, first.answers.get(f"activity_{n}_name"))
        for n in range(1, PSFS_ACTIVITIES + 1)
        if first.answers.get(f"activity_{n}_name")
    ]
    return {
        "baseline": _number(first.score),
        "latest": _number(last.score),
        "count": len(responses),
        "mcid": mcid,
        "message": (summary.get("change") or {}).get("message", ""),
        "activities": [
            {
                "name": name,
                "first": first.answers.get(f"activity_{n}"),
                "latest": last.answers.get(f"activity_{n}"),
            }
            for n, name in names
        ],
        "chart": mark_safe(
            charts.score_chart(
                points,
                baseline=first.score,
                minimal_change=mcid,
                higher_is_better=True,
                first=first.date,
                last=max(last.date, first.date + timedelta(days=7)),
                title="Activity score each week",
                desc=(
                    f"How well you can do your chosen activities, from 0 (not at all) to 10 "
                    f"(as before). Your start was {_number(first.score)}; the dotted line is "
                    f"{mcid:g} points higher, a change that is real. Latest: {_number(last.score)}."
                ),
            )
        ),
    }


def progress_context(person: Person, today: date) -> dict[str, Any]:
    """Everything the progress page shows: plain values, and the charts as safe SVG."""
    plan = active_plan(person)
    prog = read_progress(person, today)
    return {
        "has_plan": plan is not None,
        "referred": plan is not None and plan.data.get("status") != "ok",
        "pain": _pain_section(person, prog, today),
        "adherence": _adherence_section(plan, prog, today),
        "reached": _reached_section(prog),
        "psfs": _psfs_section(person, prog, today),
        "blocks": [b for b in history(person) if b["review"]],
    }


@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    person = person_for(request)
    today, now = _today(), timezone.now()
    minute = now.strftime("%Y-%m-%dT%H:%M")

    def page() -> tuple[str, dict[str, Any]]:
        body = cached_body(
            person.id,
            "progress-page",
            today,
            "outcomes/_progress_body.html",
            lambda: progress_context(person, today),
        )
        # Breaks count up to the minute (today's longest sitting grows): kept for a minute.
        breaks = per_revision(
            person.id, f"progress-breaks@{minute}", today, lambda: break_week(person, now)
        )
        return "outcomes/progress.html", {"body": body, "breaks": breaks}

    return cached_page(request, person.id, f"progress@{minute}", today, page)


# --- check-in ---------------------------------------------------------------------------


def _read_form(post: Any, questions: list, rows: list[dict[str, Any]] | None):
    """(pain, flags, psfs answers or None, errors by field name)."""
    errors: dict[str, str] = {}
    pain = read_score(post.get("pain"))
    if pain is None:
        given = post.get("pain")
        errors["pain"] = (
            "Pain right now: pick a number from 0 to 10."
            if not given
            else f"Pain right now: '{given[:10]}' is not allowed; pick a number from 0 to 10."
        )
    flags, problem = read_check(post, questions)
    if problem:  # no answer, or an unclear one, is never read as "none"
        errors[ANSWER] = problem
    note = post.get("note", "")
    if len(note) > 2000:
        errors["note"] = "Note: keep it under 2,000 characters."
    elif "\x00" in note:  # PostgreSQL cannot store it; nothing a person types has one
        errors["note"] = "Note: remove the NUL character (\\u0000)."
    answers: dict[str, Any] | None = None
    if rows and not flags:
        answers, psfs_errors = read_psfs(post, rows)
        errors.update(psfs_errors)
    return pain, flags, answers, note, errors


def _checkin_context(request: HttpRequest) -> dict[str, Any]:
    person = person_for(request)
    plan = active_plan(person)
    ctx: dict[str, Any] = {"person": person, "plan": plan, "scale": range(11), "day": _today()}
    if plan is None:
        return {**ctx, "state": "no_plan"}
    if plan.data.get("status") != "ok":
        return {**ctx, "state": "refer", "referral": plan.data["referral"]}
    ctx["questions"] = every_session_questions(plan)
    due = psfs_due(person, ctx["day"])
    ctx["psfs_due"] = due
    ctx["psfs_previous"] = last_psfs(person) if due else None
    return {**ctx, "state": "form"}


def _form(ctx: dict[str, Any], post: Any, errors: dict[str, str]) -> dict[str, Any]:
    ws = form_context(ctx["questions"], post, errors.get(ANSWER))
    psfs = with_errors(psfs_rows(ctx["psfs_previous"], post) if ctx["psfs_due"] else [], errors)
    order = ["pain", ANSWER]
    order += [f for r in psfs for f in (r["name_field"], r["rating_field"])] + ["note"]
    anchors = {"pain": "pain_0", "note": "note", ANSWER: ws["anchor"]}
    anchors.update(error_anchors(psfs))
    return {
        **ctx,
        "ws": ws,
        "psfs_rows": psfs,
        "pain_answer": (post.get("pain") if post else None),
        "note": post.get("note", "") if post else "",
        "errors": errors,
        "error_list": [{"id": anchors[f], "message": errors[f]} for f in order if f in errors],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """Pain now and the warning signs (and weekly the activity check); a yes stops the
    program and shows the referral, as `psoas checkin` does."""
    ctx = _checkin_context(request)
    if ctx["state"] != "form":
        status = 409 if request.method == "POST" else 200
        return render(request, "outcomes/checkin.html", ctx, status=status)
    if request.method != "POST":
        return render(request, "outcomes/checkin.html", _form(ctx, None, {}))
    rows = psfs_rows(ctx["psfs_previous"], request.POST) if ctx["psfs_due"] else None
    pain, flags, answers, note, errors = _read_form(request.POST, ctx["questions"], rows)
    person, plan, day = ctx["person"], ctx["plan"], ctx["day"]
    if flags and "pain" in errors:  # one yes is enough: refer now, and keep what is known
        errors.pop("pain")
    if flags:
        with transaction.atomic():
            if pain is not None:  # a check-in needs its pain score; the flags go on anyway
                add_checkin(person, day, pain, flags, note)
            referral = stop_for_referral(person, plan, flags)
        return render(
            request,
            "outcomes/checkin.html",
            {**ctx, "state": "refer", "referral": referral, "just_referred": True},
        )
    if errors:
        return render(
            request, "outcomes/checkin.html", _form(ctx, request.POST, errors), status=400
        )
    with transaction.atomic():  # the check-in and its activity check, together or not at all
        add_checkin(person, day, pain, [], note)
        psfs_message = save_psfs(person, day, answers) if answers else ""
        referral = settle_stop(person, plan, day)  # a stop only read so far is saved now
    if referral is not None:
        return render(
            request,
            "outcomes/checkin.html",
            {**ctx, "state": "refer", "referral": referral, "just_referred": True},
        )
    request.session[DONE_KEY] = {"pain": pain, "psfs": psfs_message}
    return redirect("/checkin/done/")


@require_safe
def checkin_done(request: HttpRequest) -> HttpResponse:
    done = request.session.pop(DONE_KEY, None)
    if done is None:
        return redirect("/checkin/")
    return render(request, "outcomes/checkin_done.html", {"done": done})
