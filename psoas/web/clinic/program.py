"""The clinician's program editor and a program's history: for the patient's care team and
their clinic's admins (404 for anyone else, as every patient page).

The editor shows the version in force week by week; choosing an exercise (?exercise=id,
a read) opens its swap, dose and removal forms. Every form posts one change with its
reason to the same address; the core checks it (versions.edit_plan) and either a new
version is saved (303 back to the editor, which says so) or the page comes back (422)
with the core's violations in plain words and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from psoas.core.content.loader import catalog
from psoas.core.planning.choices import add_choices, plan_ids, swap_choices
from psoas.core.planning.edits import EditError
from psoas.core.profile import ProfileBase, parse_profile
from psoas.web.clinic import program_form, scope
from psoas.web.clinic import second_factor as factor
from psoas.web.programs.models import Plan
from psoas.web.programs.pages import dose_words
from psoas.web.programs.services import active_plan
from psoas.web.programs.versions import edit_plan, history, profile_day, with_dates


def _patient_and_plan(request: HttpRequest, public_id: str) -> tuple[Any, Plan | None]:
    found = scope.patient_or_404(request.user, public_id)
    return found, active_plan(found.person)


def _days_on(plan: Plan) -> int:
    return max(0, (plan.start_date - profile_day(plan)).days)


def _weeks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The program week by week, each exercise with its dose and the clinician's reason."""
    return [
        {
            "week": w["week"],
            "sessions": [
                {
                    "number": n,
                    "name": s["name"],
                    "times": s["times_per_week"],
                    "minutes": s["estimated_minutes"],
                    "exercises": [
                        {
                            "id": e["id"],
                            "name": e["name"],
                            "dose": dose_words(e, rest=False),
                            "clinician": e.get("clinician"),
                        }
                        for e in s["exercises"]
                    ],
                }
                for n, s in enumerate(w["sessions"], 1)
            ],
        }
        for w in data.get("weeks", [])
    ]


def _chosen(
    data: dict[str, Any], ex_id: str, profile: ProfileBase, days_on: int
) -> dict[str, Any] | None:
    """The forms for one exercise of the program: swap, dose, remove."""
    if ex_id not in plan_ids(data):
        return None
    cat = catalog()
    ex = cat.exercises[ex_id]
    entry = next(
        e for w in data["weeks"] for s in w["sessions"] for e in s["exercises"] if e["id"] == ex_id
    )
    return {
        "id": ex_id,
        "name": ex.name,
        "dose": dose_words(entry, rest=False),
        "dose_fields": program_form.dose_fields(ex, entry),
        "swaps": swap_choices(data, ex_id, profile, cat, days_on),
        "weeks": sorted(
            w["week"]
            for w in data["weeks"]
            if any(e["id"] == ex_id for s in w["sessions"] for e in s["exercises"])
        ),
    }


def _page(
    request: HttpRequest,
    patient: Any,
    plan: Plan | None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context: dict[str, Any] = {"public_id": patient.public_id, "plan": plan, **extra}
    if plan is not None:
        data = with_dates(plan, plan.data)
        profile = parse_profile(plan.profile.data)
        days_on = _days_on(plan)
        ex_id = extra.get("exercise") or request.GET.get("exercise", "")
        context.update(
            {
                "data": data,
                "ok": data["status"] == "ok",
                "weeks": _weeks(data),
                "chosen": _chosen(data, ex_id, profile, days_on) if ex_id else None,
                "addable": add_choices(data, profile, catalog(), days_on)
                if data["status"] == "ok"
                else ([], []),
                "sessions": range(
                    1, max(map(len, (w["sessions"] for w in data["weeks"])), default=1) + 1
                ),
                "week_numbers": [w["week"] for w in data.get("weeks", [])],
                "saved": request.GET.get("saved", ""),
            }
        )
        if context["chosen"] and extra.get("form", {}).get("action") == "dose":
            for f in context["chosen"]["dose_fields"]:  # as typed, with its mistake
                f["typed"] = extra["typed"].get(f["name"], "")
                f["error"] = extra.get("errors", {}).get(f["name"])
    return render(request, "clinic/program.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@factor.staff_page
def editor(request: HttpRequest, public_id: str) -> HttpResponse:
    patient, plan = _patient_and_plan(request, public_id)
    if request.method != "POST":
        return _page(request, patient, plan)
    if plan is None:
        raise Http404("no plan yet")
    action = request.POST.get("action", "")
    form = {"action": action, "exercise": request.POST.get("exercise", "")}
    cat = catalog()
    try:
        edits = program_form.change_set(request.POST, cat)
        done = edit_plan(plan, edits, request.user, timezone.localdate())
    except EditError as err:
        message = str(err).split(": ", 1)[1]
        errors = {err.field: message}
        return _page(request, patient, plan, 422, form=form, errors=errors, **_keep(request))
    if not done.result.accepted:
        refusal = program_form.violation_rows(done.result.violations, request.POST, cat)
        return _page(request, patient, plan, 422, form=form, refusal=refusal, **_keep(request))
    response = redirect(f"/clinic/patients/{public_id}/program/?saved={done.version.number}")
    response.status_code = 303  # see the editor again, by GET
    return response


def _keep(request: HttpRequest) -> dict[str, Any]:
    """What the clinician typed, to show again on a refusal."""
    post = request.POST
    return {
        "exercise": post.get("exercise", ""),
        "typed": {k: post.get(k, "") for k in post if k != "csrfmiddlewaretoken"},
        "typed_weeks": [int(w) for w in post.getlist("weeks") if w.isdigit()],
    }


@require_safe
@factor.staff_page
def versions(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every version of the patient's program: who, when, why, and what changed."""
    patient, plan = _patient_and_plan(request, public_id)
    rows = history(plan) if plan is not None else []
    return render(
        request, "clinic/program_history.html", {"public_id": patient.public_id, "rows": rows}
    )
