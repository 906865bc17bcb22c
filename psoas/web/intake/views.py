"""The intake wizard (`/start/`) and the guided self-tests (`/self-tests/`).

The wizard asks what `psoas screen` asks, one short page per step, and keeps the answers in
the Django session until the end. Then it builds the profile with the same core function
as the terminal (`psoas.core.profile.build_profile_data`), saves it as a new version, makes
the plan and saves it. A red flag (or an age under the minimum) ends the wizard at once on
the referral page, with no plan: the same rule as the terminal's "one yes is enough".

Starting again with a saved profile fills every step from the latest version, except the
safety questions: they are about how the person is now, so they are asked fresh each time
and a missing answer never reads as "no".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from psoas.core.content.loader import catalog
from psoas.core.figure import render_svg
from psoas.core.planning.planner import build_plan
from psoas.core.profile import ProfileError, build_profile_data, parse_profile
from psoas.core.screening.referral import LEVEL_ORDER, questions_to_ask, referral_for
from psoas.core.screening.restrictions import restrictions_for
from psoas.web.clinic.prefill import clinician_answers, names_for_step
from psoas.web.intake import forms as f
from psoas.web.programs.models import Person, ProfileVersion
from psoas.web.programs.services import active_plan, save_plan, save_profile
from psoas.web.site.people import person_for

SESSION_KEY = "intake"
STEPS = [
    ("about", "About you"),
    ("safety", "Safety questions"),
    ("health", "Health conditions"),
    ("limits", "Limits and equipment"),
    ("routine", "Your day"),
    ("self-tests", "Self-tests"),
]
SLUGS = [s for s, _ in STEPS]
THOMAS, HOLD = "modified_thomas_test", "hip_flexor_hold_test"
NOT_SAFE = "this test is not safe for you now, because of what you told us. Please skip it."
CLASSIFICATION_WORDS = {
    "tight": (
        "Tight",
        "The front of your hip seems short and stiff. "
        "Your plan puts stretches first, with some strength work.",
    ),
    "weak": (
        "Weak",
        "The muscles that lift your knee seem weak. Your plan builds their strength first.",
    ),
    "tight_and_weak": (
        "Tight and weak",
        "The front of your hip seems both stiff and weak. Your plan mixes stretches "
        "and strength work.",
    ),
    "unclear": (
        "Not clear",
        "The tests did not show tight or weak hip muscles, or they were not done. "
        "Your plan is a balanced mix that puts strength first.",
    ),
}


def tidy(value: Any) -> Any:
    """24.0 seconds shows as 24 in a form."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def latest_profile(person: Person) -> ProfileVersion | None:
    return person.profiles.order_by("-version").first()


# --- answers kept in the session ---------------------------------------------------------


def steps_from_profile(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A saved profile as the wizard's per-step answers (safety questions left out)."""
    conditions = data.get("conditions", [])
    hips = [c for c in conditions if c in f.HIP_CONDITIONS]
    one = {tuple(cs): answer for answer, cs in f.HIP_APPROACHES.items() if len(cs) == 1}
    hip = "no" if not hips else one.get(tuple(hips), "unsure")  # more than one: not sure
    others = [c for c in conditions if c not in f.HIP_CONDITIONS]
    thomas = (data.get("assessment") or {}).get("thomas_test") or {}
    hold = (data.get("assessment") or {}).get("hip_flexor_hold_s") or {}
    steps: dict[str, dict[str, Any]] = {
        "about": {
            "age": data.get("age"),
            "pregnant": "yes" if data.get("pregnancy_weeks") is not None else "no",
            "pregnancy_weeks": data.get("pregnancy_weeks"),
            "birth": "yes" if data.get("postpartum_weeks") is not None else "no",
            "postpartum_weeks": data.get("postpartum_weeks"),
        },
        "health": {
            "conditions": others or [f.NONE],
            "hip": hip,
            "hip_replacement_weeks": data.get("hip_replacement_weeks") if hips else None,
            "answers": {},
        },
        "limits": {
            "limits": data.get("limits", []),
            "balance": f.PROFILE_TO_BALANCE.get(data.get("balance")),
            "equipment": data.get("equipment", []),
        },
        "routine": {
            "minutes": data.get("minutes_per_session"),
            "sitting_hours": tidy(data.get("sitting_hours_per_day")),
            "activities": data.get("activities", []),
            "pain": (data.get("pain") or {}).get("nprs"),
        },
        "self-tests": {
            "thomas_left": thomas.get("left"),
            "thomas_right": thomas.get("right"),
            "hold_left": tidy(hold.get("left")),
            "hold_right": tidy(hold.get("right")),
        },
    }
    if data.get("age") is None:
        del steps["about"]  # an incomplete profile: ask again
    if data.get("minutes_per_session") is None or data.get("pain") is None:
        del steps["routine"]
    return steps


def load_state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    if state is None:
        person = person_for(request)
        latest = latest_profile(person)
        # A clinic patient's first intake starts from what their clinician said.
        data = latest.data if latest else clinician_answers(person)
        state = {"steps": steps_from_profile(data) if data else {}}
        if latest:
            state["edit_of"] = latest.version
        request.session[SESSION_KEY] = state
    return state


def save_state(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def profile_answers(steps: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The answers so far as keyword arguments of `build_profile_data`."""
    about = steps.get("about", {})
    health = steps.get("health", {})
    limits = steps.get("limits", {})
    routine = steps.get("routine", {})
    tests = steps.get("self-tests", {})
    said = {**steps.get("safety", {}).get("answers", {}), **health.get("answers", {})}
    conditions = [c for c in health.get("conditions", []) if c != f.NONE]
    hip = health.get("hip") or "no"
    conditions += f.HIP_APPROACHES.get(hip, [])
    return {
        "age": about.get("age"),
        "pregnancy_weeks": about.get("pregnancy_weeks"),
        "postpartum_weeks": about.get("postpartum_weeks"),
        "red_flags": [fid for fid, answer in said.items() if answer == "yes"],
        "conditions": conditions,
        "limits": limits.get("limits"),
        "equipment": limits.get("equipment"),
        "minutes": routine.get("minutes"),
        "sitting_hours": routine.get("sitting_hours"),
        "activities": routine.get("activities"),
        "pain": routine.get("pain"),
        "balance": f.BALANCE_TO_PROFILE.get(limits.get("balance")),
        "hip_replacement_weeks": health.get("hip_replacement_weeks") if hip != "no" else None,
        **{k: tests.get(k) for k in f.SELF_TEST_FIELDS},
    }


def partial_profile(steps: dict[str, dict[str, Any]]) -> Any:
    return parse_profile(build_profile_data(**profile_answers(steps)))


def safety_questions(profile: Any) -> list:
    """The red-flag questions of the safety step, most serious first. A past cancer's
    follow-up is asked on the health step, where the person says they had cancer."""
    asked = [q for q in questions_to_ask(profile, catalog()) if q.ask_when != "had_cancer"]
    return sorted(asked, key=lambda q: LEVEL_ORDER[q.level])


def cancer_follow_ups() -> list:
    return [q for q in catalog().screening.red_flags if q.ask_when == "had_cancer"]


def complete(slug: str, steps: dict[str, dict[str, Any]]) -> bool:
    if slug not in steps:
        return False
    if slug == "safety":
        said = steps["safety"].get("answers", {})
        if "yes" in said.values():
            return True
        return all(q.id in said for q in safety_questions(partial_profile(steps)))
    if slug == "health" and "cancer" in steps["health"].get("conditions", []):
        said = steps["health"].get("answers", {})
        return all(q.id in said for q in cancer_follow_ups())
    return True


def first_incomplete(steps: dict[str, dict[str, Any]], upto: str) -> str | None:
    for slug in SLUGS[: SLUGS.index(upto)]:
        if not complete(slug, steps):
            return slug
    return None


# --- the wizard --------------------------------------------------------------------------


def make_form(slug: str, steps: dict[str, dict[str, Any]], data: Any = None) -> Any:
    initial = {k: tidy(v) for k, v in (steps.get(slug) or {}).items()}
    if slug == "about":
        return f.AboutForm(data, initial=initial)
    if slug == "safety":
        questions = safety_questions(partial_profile(steps))
        said = initial.get("answers", {})
        init = {f"flag_{k}": v for k, v in said.items()}
        return f.SafetyForm(data, initial=init, questions=questions)
    if slug == "health":
        init = {**initial, **{f"flag_{k}": v for k, v in initial.get("answers", {}).items()}}
        return f.HealthForm(data, initial=init, follow_ups=cancer_follow_ups())
    if slug == "limits":
        return f.LimitsForm(data, initial=initial)
    if slug == "routine":
        init = {"minutes": 15, **{k: v for k, v in initial.items() if v is not None}}
        if init.get("pain") is not None:
            init["pain"] = str(init["pain"])
        return f.RoutineForm(data, initial=init)
    skip = restrictions_for(partial_profile(steps), catalog()).skip_self_tests
    return f.SelfTestsStepForm(data, initial=initial, skip=skip)


def error_list(form: Any) -> list[dict[str, str]]:
    """Every error with the id of its field, for the summary at the top of the page."""
    out = []
    for name, errors in form.errors.items():
        if name == "__all__":
            target = "main"
        elif isinstance(form.fields[name], f.forms.ChoiceField):  # radios or checkboxes
            target = f"group_{form[name].html_name}"
        else:
            target = form[name].id_for_label
        out.extend({"id": target, "message": e} for e in errors)
    return out


def render_step(request: HttpRequest, slug: str, form: Any, state: dict, status: int = 200):
    index = SLUGS.index(slug)
    context = {
        "form": form,
        "slug": slug,
        "step_title": STEPS[index][1],
        "number": index + 1,
        "total": len(STEPS),
        "percent": round(100 * (index + 1) / len(STEPS)),
        "back": f"/start/{SLUGS[index - 1]}/" if index else None,
        "errors": error_list(form) if form.is_bound else [],
        "editing": state.get("edit_of"),
        "last": index == len(STEPS) - 1,
        "clinician_answers": names_for_step(request, slug),
    }
    if slug == "self-tests":
        context["skip"] = form.skip
        context["tests"] = catalog().self_tests
    return render(request, f"intake/step_{slug.replace('-', '_')}.html", context, status=status)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The way in, and the way back to change answers: the first step, filled in from
    the latest profile when there is one."""
    if request.GET.get("again") or SESSION_KEY not in request.session:
        request.session.pop(SESSION_KEY, None)
        load_state(request)
    return redirect("/start/about/")


@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in SLUGS:
        raise Http404("no such step")
    state = load_state(request)
    steps = state["steps"]
    missing = first_incomplete(steps, slug)
    if missing is not None:
        return redirect(f"/start/{missing}/")
    if request.method != "POST":
        return render_step(request, slug, make_form(slug, steps), state)
    if slug == "self-tests" and request.POST.get("skip"):
        steps[slug] = dict.fromkeys(f.SELF_TEST_FIELDS)
        save_state(request, state)
        return finish(request, state)
    form = make_form(slug, steps, request.POST)
    if not form.is_valid():
        return render_step(request, slug, form, state, status=422)
    trial = {**steps, slug: form.for_session()}
    try:
        profile = partial_profile(trial)
    except ProfileError as exc:  # a rule across steps, e.g. pregnant and postpartum
        form.add_error(None, str(exc))
        return render_step(request, slug, form, state, status=422)
    state["steps"] = trial
    save_state(request, state)
    if referral_for(profile, catalog()) is not None or slug == SLUGS[-1]:
        return finish(request, state)
    return redirect(f"/start/{SLUGS[SLUGS.index(slug) + 1]}/")


def finish(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    """Save the profile as a new version, make and save the plan, and leave the wizard."""
    data = build_profile_data(**profile_answers(state["steps"]))
    profile = parse_profile(data)
    person = person_for(request)
    version = save_profile(
        person, profile.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    plan = build_plan(profile)
    save_plan(person, version, plan, date.today())
    request.session.pop(SESSION_KEY, None)
    return redirect("/plan/" if plan["status"] == "ok" else "/start/refer/")


@require_safe
def refer(request: HttpRequest) -> HttpResponse:
    plan = active_plan(person_for(request))
    if plan is None:
        return redirect("/start/")
    if plan.data["status"] != "refer":
        return redirect("/plan/")
    return render(request, "intake/refer.html", {"referral": plan.data["referral"]})


# --- the self-tests ----------------------------------------------------------------------


def picture(test: Any) -> str:
    return mark_safe(render_svg(test.illustration, animate=True, title=test.name))


def self_test_forms(initial: dict[str, Any], data: Any = None, which: str | None = None):
    thomas = initial.get("thomas_test") or {}
    hold = {k: tidy(v) for k, v in (initial.get("hip_flexor_hold_s") or {}).items()}
    return {
        THOMAS: f.ThomasForm(data if which == THOMAS else None, initial=thomas, prefix="thomas"),
        HOLD: f.HoldForm(data if which == HOLD else None, initial=hold, prefix="hold"),
    }


def render_self_tests(request: HttpRequest, *, forms: dict | None = None, status: int = 200):
    person = person_for(request)
    in_wizard = request.GET.get("from") == "start" or request.POST.get("from") == "start"
    state = request.session.get(SESSION_KEY) if in_wizard else None
    if in_wizard and state is None:
        return redirect("/start/")
    latest = latest_profile(person)
    if state is not None:
        profile = partial_profile(state["steps"])
        tests = state["steps"].get("self-tests", {})
        initial = {
            "thomas_test": {"left": tests.get("thomas_left"), "right": tests.get("thomas_right")},
            "hip_flexor_hold_s": {"left": tests.get("hold_left"), "right": tests.get("hold_right")},
        }
    elif latest is not None:
        profile = parse_profile(latest.data)
        initial = latest.data.get("assessment") or {}
    else:
        profile, initial = None, {}
    skip = restrictions_for(profile, catalog()).skip_self_tests if profile else frozenset()
    forms = forms or self_test_forms(initial)
    plan = active_plan(person)
    result = None
    if not in_wizard and plan is not None and plan.data["status"] == "ok":
        label, words = CLASSIFICATION_WORDS[plan.data["classification"]]
        result = {
            "label": label,
            "words": words,
            "why": plan.data["classification_why"],
            "saved": request.GET.get("saved") == "1",
        }
    tests = [
        {
            "test": t,
            "picture": picture(t),
            "form": forms[t.id],
            "skipped": t.id in skip,
            "errors": error_list(forms[t.id]) if forms[t.id].is_bound else [],
        }
        for t in catalog().self_tests.values()
    ]
    context = {
        "tests": tests,
        "in_wizard": in_wizard,
        "can_save": in_wizard or latest is not None,
        "result": result,
        "errors": [e for t in tests for e in t["errors"]],
    }
    return render(request, "intake/self_tests.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def self_tests(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_self_tests(request)
    which = request.POST.get("test")
    if which not in (THOMAS, HOLD):
        return render_self_tests(request, status=400)
    in_wizard = request.POST.get("from") == "start"
    person = person_for(request)
    latest = latest_profile(person)
    state = request.session.get(SESSION_KEY) if in_wizard else None
    if in_wizard and state is None:
        return redirect("/start/")
    if not in_wizard and latest is None:
        return redirect("/start/")
    forms = self_test_forms({}, request.POST, which)
    form = forms[which]
    profile = partial_profile(state["steps"]) if state is not None else parse_profile(latest.data)
    if form.is_valid() and which in restrictions_for(profile, catalog()).skip_self_tests:
        form.add_error(None, f"{catalog().self_tests[which].name}: {NOT_SAFE}")
    if not form.is_valid():
        return render_self_tests(request, forms=forms, status=422)
    left, right = form.cleaned_data.get("left"), form.cleaned_data.get("right")
    if state is not None:
        tests = state["steps"].setdefault("self-tests", dict.fromkeys(f.SELF_TEST_FIELDS))
        prefix = "thomas" if which == THOMAS else "hold"
        tests[f"{prefix}_left"] = None if left in (None, "") else left
        tests[f"{prefix}_right"] = None if right in (None, "") else right
        save_state(request, state)
        return redirect("/start/self-tests/")
    data = dict(latest.data)
    assessment = dict(data.get("assessment") or {})
    key = "thomas_test" if which == THOMAS else "hip_flexor_hold_s"
    assessment[key] = {s: v for s, v in (("left", left), ("right", right)) if v not in (None, "")}
    data["assessment"] = assessment
    profile = parse_profile(data)
    version = save_profile(
        person, profile.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    plan = build_plan(profile)
    save_plan(person, version, plan, date.today())
    if plan["status"] != "ok":
        return redirect("/start/refer/")
    return redirect("/self-tests/?saved=1#result")
