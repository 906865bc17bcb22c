"""The plan overview, the exercise pages and the education pages."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from psoas.core.content.loader import catalog
from psoas.web.programs import pages
from psoas.web.programs.block_info import (
    KIND_WORDS,
    block_end,
    block_label,
    current_block,
    history,
)
from psoas.web.programs.models import Plan
from psoas.web.programs.services import active_plan
from psoas.web.site.freshness import cached_page, per_revision
from psoas.web.site.people import person_for


def _name(exercise_id: str) -> str:
    ex = catalog().exercises.get(exercise_id)
    return ex.name if ex else exercise_id.replace("_", " ")


def _review(data: dict, today: date) -> dict | None:
    """The review date a clinician set on the program, for the patient: the day, and
    whether it has come."""
    if not data.get("review_date"):
        return None
    day = date.fromisoformat(data["review_date"])
    return {"day": day, "due": day <= today}


def _plan_context(saved: Plan, today: date) -> dict:
    data = saved.data
    program = catalog().programs.get(data["classification"])
    block = current_block(saved, today)
    return {
        "block": {**block, "label": block_label(block), "kind_words": KIND_WORDS[block["kind"]]},
        "block_end": block_end(saved, today),
        "blocks": history(saved.person),
        "plan": data,
        "v": pages.plan_view(
            data,
            saved.start_date,
            list(saved.scheduled.values_list("date", "week", "session_index")),
            today,
        ),
        "title": pages.CLASSIFICATION_TITLES[data["classification"]],
        "summary": program.summary if program else "",
        "weeks_count": len(data["weeks"]),
        "review": _review(data, today),
        "clinic_mode": settings.CLINIC_MODE,  # drawn without the request's context
        "excluded": [{**e, "name": _name(e["id"])} for e in data["excluded"]],
        "substitutions": [
            {**s, "from_name": _name(s["from"]), "to_name": _name(s["to"])}
            for s in data["substitutions"]
        ],
    }


def _plan_page(person_id: int, today: date) -> dict:
    saved = Plan.objects.filter(person_id=person_id, active=True).first()
    if saved is None:
        return {"template": "programs/plan_none.html", "context": {}}
    if saved.data["status"] != "ok":
        return {"template": "programs/plan_refer.html", "context": {"plan": saved.data}}
    body = mark_safe(render_to_string("programs/_plan_body.html", _plan_context(saved, today)))
    return {"template": "programs/plan.html", "context": {"body": body}}


@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    """Worked out and drawn once per change of the person's data (and per day)."""
    person = person_for(request)
    today = date.today()

    def page() -> tuple[str, dict]:
        found = per_revision(person.id, "plan-page", today, lambda: _plan_page(person.id, today))
        return found["template"], found["context"]

    return cached_page(request, person.id, "plan", today, page)


@require_safe
def exercises(request: HttpRequest) -> HttpResponse:
    cat = catalog()
    saved = active_plan(person_for(request))
    mine = set()
    if saved is not None and saved.data["status"] == "ok":
        mine = {e["id"] for w in saved.data["weeks"] for s in w["sessions"] for e in s["exercises"]}
    groups = []
    for kind, (title, blurb) in pages.KIND_TITLES.items():
        items = [
            {
                "ex": ex,
                "position": pages.POSITION_NAMES[ex.movement.position],
                "figure": mark_safe(pages.figure_svg(ex.id, False)),
                "mine": ex.id in mine,
            }
            for ex in sorted(cat.exercises.values(), key=lambda e: e.name)
            if ex.kind == kind
        ]
        if items:
            groups.append({"kind": kind, "title": title, "blurb": blurb, "items": items})
    return render(request, "programs/exercises.html", {"groups": groups})


def _links(ids: list[str]) -> list[dict[str, str]]:
    return [{"id": i, "name": _name(i)} for i in ids]


@require_safe
def exercise(request: HttpRequest, exercise_id: str) -> HttpResponse:
    cat = catalog()
    ex = cat.exercises.get(exercise_id)
    if ex is None:
        raise Http404("no such exercise")
    saved = active_plan(person_for(request))
    mine = None
    if saved is not None and saved.data["status"] == "ok":
        mine = pages.dose_in_plan(saved.data, saved.start_date, date.today(), ex.id)
    context = {
        "ex": ex,
        "kind": pages.KIND_NAMES[ex.kind],
        "figure": mark_safe(pages.figure_svg(ex.id, True)),
        "position": pages.POSITION_NAMES[ex.movement.position],
        "targets": [pages.TARGET_NAMES[t] for t in ex.targets],
        "equipment": pages.equipment_words(ex.equipment),
        "optional_equipment": pages.equipment_words(ex.optional_equipment),
        "dosing": pages.dosing_range_words(ex),
        "avoid": pages.who_should_not(ex, cat),
        "easier": _links(ex.regressions),
        "harder": _links(ex.progressions),
        "instead": _links(ex.substitutes),
        "mine": mine,
    }
    return render(request, "programs/exercise.html", context)


@require_safe
def learn(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/learn.html", {"topics": list(catalog().topics.values())})


@require_safe
def topic(request: HttpRequest, topic_id: str) -> HttpResponse:
    t = catalog().topics.get(topic_id)
    if t is None:
        raise Http404("no such topic")
    claims = [{"c": c, "label": pages.GRADE_LABELS[c.grade]} for c in t.claims]
    others = [o for o in catalog().topics.values() if o.id != t.id]
    return render(request, "programs/topic.html", {"t": t, "claims": claims, "others": others})
