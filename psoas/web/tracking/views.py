"""Today's session and the browser player.

`/today/` shows the day (a session, a rest day, the plan not started or over, done today,
or a referral), asks the one-screen safety check (the warning signs listed, "None of
these" or "Yes, one or more") and pain now, and starts the session exactly as
`POST /api/sessions` does. A GET never writes: a stop the rules found is shown, and saved
only when the person acts. `/session/<id>/` plays it: the server sends
the core's timeline, the page's script times it to wall-clock end times and saves each
exercise through the API the moment it ends."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import active_plan
from psoas.web.site.freshness import cached_page, per_revision
from psoas.web.site.middleware import policy
from psoas.web.site.people import person_for
from psoas.web.tracking import pages
from psoas.web.tracking.day import day_session, settle_stop
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.warning_signs import ANSWER, every_session_questions, form_context

# The player runs the camera coach's pose model, which is WebAssembly (tracking/vendor/
# mediapipe-pose). Browsers compile WebAssembly under a Content-Security-Policy only with
# 'wasm-unsafe-eval' in script-src. It allows exactly that: not eval() or new Function()
# of JavaScript text, and scripts still come only from psoas's own files. Without it
# MediaPipe's SIMD check fails and the model cannot load. So the player page, and only it,
# gets it; every other page keeps the plain policy.
PLAYER_POLICY = policy(wasm=True)
EFFORTS = {"too_easy": "Too easy", "about_right": "About right", "too_hard": "Too hard"}


def _today() -> date:
    return date.today()


def _form_questions(ctx: dict, answers: Any, errors: dict) -> dict:
    """The start form: the one-screen check (its signs, the answer given so far, its error)
    and the error summary, where each error names its question and links to it."""
    ws = form_context(ctx["questions"], answers, errors.get(ANSWER))
    summary = []
    if ANSWER in errors:
        summary.append({"anchor": ws["anchor"], "msg": errors[ANSWER]})
    if "pain" in errors:
        summary.append({"anchor": "pain-0", "msg": f"Pain right now: {errors['pain']}"})
    return {
        "ws": ws,
        "error_list": summary,
        "errors": errors,
        "answers": {"pain": answers.get("pain")} if answers else {},
    }


def _day_context(person: Person, day: date) -> dict:
    """The today page's state and what it shows for it, worked out once per change of the
    person's data (and per day): the page is opened far more often than data changes."""
    return per_revision(person.id, "today-page", day, lambda: _work_out_day(person, day))


def _work_out_day(person: Person, day: date) -> dict:
    plan = active_plan(person)
    ctx: dict = {"day": day, "efforts": EFFORTS, "scale": range(11)}
    if plan is None:
        return {**ctx, "state": "no_plan"}
    ctx["plan_start"] = plan.start_date
    running, done = pages.sessions_today(person, day)
    info = day_session(person, plan, day)
    if info["status"] == "refer":
        return {**ctx, "state": "refer", "referral": info["referral"]}
    ctx["info"] = info
    ctx.update(pages.block_context(plan, day))
    ctx["next_date"] = date.fromisoformat(info["next_date"]) if info.get("next_date") else None
    if running is not None:
        return {**ctx, "state": "in_progress", "running": {"id": running.id}}
    if done is not None:
        done_now = {"status": done.status, "pain_after": done.pain_after}
        return {**ctx, "state": "finished", "done": done_now}
    if info["status"] == "plan_finished":  # the block is over: its end says what comes next
        return {**ctx, "state": "block_end"}
    if info["status"] != "session":
        return {**ctx, "state": info["status"]}  # rest_day | not_started
    session = info["session"]
    ctx["session_name"] = session.get("name", "")
    ctx["exercises"] = [{**ex, "dose_words": pages.dose_words(ex)} for ex in session["exercises"]]
    ctx["minutes"] = pages.minutes_words(session["estimated_minutes"])
    ctx["questions"] = every_session_questions(plan)
    return {**ctx, **_form_questions(ctx, None, {}), "state": "session"}


def _message(person: Person, request: HttpRequest) -> dict:
    """In clinic mode, the newest message from the care team the patient has not read
    (never kept with the page: it changes without the patient's data changing)."""
    if not settings.CLINIC_MODE:
        return {}
    from psoas.web.messages.threads import today_note

    return {"note": today_note(person, request.user)}


def _with_plan(person: Person) -> tuple[Person, Plan]:
    """For a write: the person (read once a request) and their active plan read afresh,
    never from a cache."""
    return person, active_plan(person)


@require_http_methods(["GET", "HEAD", "POST"])
def today(request: HttpRequest) -> HttpResponse:
    """The day's session and the check before it; a POST starts it."""
    person, day = person_for(request), _today()
    if request.method != "POST":

        def page() -> tuple[str, dict]:
            return "tracking/today.html", {**_day_context(person, day), **_message(person, request)}

        return cached_page(request, person.id, "today", day, page)
    ctx = _day_context(person, day)
    if ctx["state"] != "session":
        if ctx["state"] == "refer":  # acting: save a stop
            settle_stop(*_with_plan(person), ctx["day"])
        if ctx["state"] == "in_progress":
            return redirect(f"/session/{ctx['running']['id']}/")
        status = 409 if ctx["state"] != "refer" else 200
        return render(request, "tracking/today.html", ctx, status=status)
    flags, pain, errors = pages.read_start_form(request.POST, ctx["questions"])
    if flags:  # one yes is enough: refer now, whatever else is missing
        result = pages.start_today(*_with_plan(person), ctx["day"], flags, pain)
        return render(
            request,
            "tracking/today.html",
            {**ctx, "state": "refer", "referral": result["referral"], "just_referred": True},
        )
    if errors:  # nothing is saved: no answer, or an unclear one, is never a "none"
        return render(
            request,
            "tracking/today.html",
            {**ctx, **_form_questions(ctx, request.POST, errors)},
            status=400,
        )
    result = pages.start_today(*_with_plan(person), ctx["day"], [], pain)
    if result["status"] == "started":
        return redirect(f"/session/{result['session_id']}/")
    return redirect("/today/")


@require_POST
def log_manual(request: HttpRequest) -> HttpResponse:
    """ "I did it without the app": the day's session logged as done, like `POST /api/logs`."""
    person = person_for(request)
    ctx = _day_context(person, _today())
    if ctx["state"] not in ("session", "rest_day"):
        return render(request, "tracking/today.html", ctx, status=409)
    errors: dict[str, str] = {}
    pain_after = None
    if request.POST.get("pain_after", "") != "":
        pain_after, problem = pages.parse_score(request.POST.get("pain_after"))
        if problem:
            errors["pain_after"] = problem
    effort = request.POST.get("effort") or None
    if effort is not None and effort not in EFFORTS:
        errors["effort"] = "Choose one of the answers."
    if errors:
        answers = dict(request.POST.items())
        return render(
            request,
            "tracking/today.html",
            {**ctx, "log_errors": errors, "log_answers": answers, "log_open": True},
            status=400,
        )
    result = pages.log_today(*_with_plan(person), ctx["day"], pain_after, effort)
    if result["status"] == "refer":
        return render(
            request,
            "tracking/today.html",
            {**ctx, "state": "refer", "referral": result["referral"]},
        )
    return redirect("/today/?logged=1")


@require_safe
def player(request: HttpRequest, session_id: int) -> HttpResponse:
    """The browser player for one of the person's own sessions still in progress."""
    person = person_for(request)
    log = SessionLog.objects.filter(person=person, pk=session_id).select_related("plan").first()
    if log is None:
        raise Http404("No such session")
    if log.status != SessionLog.Status.IN_PROGRESS:
        return render(request, "tracking/session_over.html", {"log": log}, status=409)
    session = pages.played_session(log)
    data = pages.player_data(log, session)
    response = render(
        request,
        "tracking/player.html",
        {"log": log, "data": data, "first": data["exercises"][0], "scale": range(11)},
    )
    response["Content-Security-Policy"] = PLAYER_POLICY
    return response
