"""A patient's overview for staff (/clinic/patients/<public id>/): what the patient sees
on their Progress page (the same charts, drawn by the same code: outcomes/views.py's
`progress_context`), the open alerts, the plan in force, recent sessions with their pain, the
questionnaire scores against the first one and the change that matters, the conditions
and precautions (the clinician's answers at the invitation among them), and the message
thread with its form. For the patient's care team and their clinic's admins; anyone else
gets 404 (scope.patient_or_404). Reading it writes nothing: the thread is marked read by
a POST (messages/views.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from psoas.core.alerts.rules import urgency
from psoas.core.content.loader import catalog
from psoas.core.content.questionnaires import questionnaires
from psoas.web.clinic import roster, scope, worklist
from psoas.web.clinic.models import Patient
from psoas.web.clinic.second_factor import staff_page
from psoas.web.messages.views import thread_context
from psoas.web.outcomes.progress import questionnaire_scores
from psoas.web.outcomes.views import progress_context
from psoas.web.programs import pages as plan_pages
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import active_plan
from psoas.web.tracking.models import SessionLog

RECENT_SESSIONS = 10
STATUS_WORDS = {
    SessionLog.Status.IN_PROGRESS: "Under way",
    SessionLog.Status.COMPLETED: "Done",
    SessionLog.Status.STOPPED_FOR_PAIN: "Stopped for pain",
    SessionLog.Status.QUIT: "Ended early",
    SessionLog.Status.INTERRUPTED: "Left unfinished",
}


def _plan(plan: Plan | None, today: date) -> dict[str, Any] | None:
    """The plan in force: its kind, dates and this week's sessions with their doses."""
    if plan is None:
        return None
    data = plan.data
    if data.get("status") != "ok":
        return {"stopped": True, "start": plan.start_date}
    scheduled = list(plan.scheduled.values_list("date", "week", "session_index"))
    view = plan_pages.plan_view(data, plan.start_date, scheduled, today)
    week = next((w for w in view["weeks"] if w["open"]), None)
    return {
        "stopped": False,
        "title": plan_pages.CLASSIFICATION_TITLES[data["classification"]],
        "start": plan.start_date,
        "weeks": len(data["weeks"]),
        "week": week,
    }


def _alerts(person: Person) -> list[dict[str, Any]]:
    """The patient's open alerts, most urgent first, in the alert list's words (read only
    here: they are handled on the alerts page)."""
    return [worklist.alert_words(a) for a in sorted(worklist.open_alerts([person.pk]), key=urgency)]


def _sessions(person: Person) -> list[dict[str, Any]]:
    rows = SessionLog.objects.filter(person=person).order_by("-date", "-id")[:RECENT_SESSIONS]
    return [
        {
            "date": s.date,
            "status": STATUS_WORDS[s.status],
            "pain_before": s.pain_before,
            "pain_after": s.pain_after,
        }
        for s in rows
    ]


def _questionnaires(person: Person, today: date) -> list[dict[str, Any]]:
    """Each questionnaire's first and latest score, the change that matters (the
    content's minimal important change) and what the change means, in words."""
    known = questionnaires()
    out = []
    for q in questionnaire_scores(person, today):
        content = known.get(q["id"])
        mcid = content.minimal_change.points if content and content.minimal_change else None
        out.append(
            {
                "name": content.name if content else q["id"],
                "baseline": q["baseline"],
                "latest": q["latest"],
                "responses": q["responses"],
                "mcid": mcid,
                "message": (q.get("change") or {}).get("message", ""),
            }
        )
    return out


def _health(person: Person, patient: Patient) -> dict[str, Any]:
    """Conditions and precautions: the latest profile's, and which the clinician gave."""
    cat = catalog()
    latest = person.profiles.order_by("-version").first()
    given = patient.clinician_answers or {}

    def named(kind: str, ids: list[str]) -> list[dict[str, Any]]:
        table = getattr(cat, kind)
        return [
            {"name": table[i].name if i in table else i, "by_clinician": i in given.get(kind, [])}
            for i in ids
        ]

    profile = latest.data if latest else {}
    return {
        "has_profile": latest is not None,
        # before the intake, what the clinician gave is all there is
        "conditions": named("conditions", profile.get("conditions", given.get("conditions", []))),
        "limits": named("limits", profile.get("limits", given.get("limits", []))),
    }


def page_context(request: HttpRequest, patient: Patient, text: str = "", error: str = ""):
    person, today = patient.person, date.today()
    row = roster.rows(scope.visible_patients(request.user).filter(pk=patient.pk))[0]
    read_url = f"/clinic/patients/{patient.public_id}/messages/read/"
    return {
        "row": row,
        "others": [u.email for u in patient.other_clinicians.order_by("email")],
        "alerts": _alerts(person),
        "plan": _plan(active_plan(person), today),
        "sessions": _sessions(person),
        "questionnaires": _questionnaires(person, today),
        "health": _health(person, patient),
        "progress": progress_context(person, today),
        "thread": thread_context(person, request.user, read_url, text, error),
        "write_url": f"/clinic/patients/{patient.public_id}/messages/",
    }


def render_page(
    request: HttpRequest, patient: Patient, text: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    context = page_context(request, patient, text, error)
    return render(request, "clinic/overview.html", context, status=status)


@require_safe
@staff_page
def patient(request: HttpRequest, public_id: str) -> HttpResponse:
    return render_page(request, scope.patient_or_404(request.user, public_id))
