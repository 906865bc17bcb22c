"""The end of a block in the browser (`/block/`, issue 16 item 1).

When the re-test is due (from the day of the block's last session), the page asks it: the
two self-tests (the intake's wording and fields, leaving out those the person's rules rule
out), pain now and the activity check with the activities named before. Saving goes
through `programs/blocks.save_review`, then back to the page (post, redirect, get), which
now shows before and after side by side, each with its verdict and the change that counts,
and the choice of the next block: step up, keep it up, or see a clinician first. Nothing
is chosen in advance. Step up and keep it up make the next block from the chosen day and
go to Today; "see a clinician first" says what to take along and leaves the choice open.

Bad answers come back (400) with a summary whose messages name the question; nothing is
saved and nothing typed is lost. A GET never writes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_http_methods

from psoas.core.content.loader import catalog
from psoas.core.planning.blocks import CHOICE_NAMES, CHOICES, SIDES, BlockError, Measures
from psoas.web.intake.forms import SelfTestsStepForm
from psoas.web.intake.views import error_list, picture
from psoas.web.outcomes.psfs_form import (
    error_anchors,
    psfs_rows,
    read_psfs,
    read_score,
    with_errors,
)
from psoas.web.outcomes.services import last_psfs
from psoas.web.programs.block_info import (
    KIND_WORDS,
    block_label,
    current_block,
    open_review,
    review_view,
    rows_in_words,
)
from psoas.web.programs.blocks import (
    choose,
    last_session_date,
    review_due,
    save_review,
    skipped_tests,
)
from psoas.web.programs.models import Person
from psoas.web.programs.services import active_plan
from psoas.web.programs.starts import latest_plan_start
from psoas.web.site.people import person_for

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
LABELS = {
    "choice": "Your next block",
    "start": "Start date",
    "keep": "Exercises to keep",
    "pregnancy_weeks": "Weeks pregnant",
}
ANCHORS = {"choice": "group_choice", "start": "id_start", "keep": "group_keep"}
PAIN_MISSING = "Pain right now: pick a number from 0 to 10."


def _today() -> date:
    return date.today()


class RetestForm(SelfTestsStepForm):
    """The self-tests as the intake's last step asks them (the same fields, the same
    words), without those the person's rules leave out."""

    def measures(self, pain: int) -> Measures:
        d = self.cleaned_data
        return Measures(
            {s: d.get(f"thomas_{s}") or None for s in SIDES},
            {s: d.get(f"hold_{s}") for s in SIDES},
            pain,
            None,  # the activity score is the one saved with the re-test
        )


# --- the page's states ---------------------------------------------------------------------


def _state(person: Person, day: date) -> dict[str, Any]:
    """Which screen the page shows, and what it needs."""
    plan = active_plan(person)
    if plan is None:
        return {"state": "no_plan"}
    if plan.data["status"] != "ok":
        return {"state": "refer", "referral": plan.data["referral"]}
    block = current_block(plan, day)
    ctx = {
        "plan": plan,
        "current": block,  # not "block": a template's {% block %} takes that name
        "where": block_label(block),  # not "label": the form partials take that name
        "kind_words": KIND_WORDS[block["kind"]],
        "due_from": last_session_date(plan),
        "scale": range(11),
        "today": day,
    }
    found = open_review(plan, day)
    if found is not None:
        return {**ctx, "state": "review", "saved": found, "review": _review_words(found)}
    if review_due(plan, day):
        return {**ctx, "state": "retest", "skip": skipped_tests(plan, day)}
    return {**ctx, "state": "running"}


def _review_words(found: Any) -> dict[str, Any]:
    """The saved review with every value in words for the table and the choice."""
    view = review_view(found)
    options = [{**o, "title": CHOICE_NAMES[o["choice"]]} for o in view["options"]]
    return {**view, "rows": rows_in_words(view["rows"]), "options": options}


# --- the re-test ---------------------------------------------------------------------------


def _retest_context(ctx: dict[str, Any], person: Person, post: Any, errors: list, bad: dict):
    """The re-test form: the self-tests (with how to do each), pain, the activity check."""
    form = ctx.get("form") or RetestForm(initial={}, skip=ctx["skip"])
    previous = last_psfs(person)
    rows = with_errors(psfs_rows(previous, post), bad)
    tests = [
        {"test": t, "picture": picture(t), "skipped": t.id in ctx["skip"]}
        for t in catalog().self_tests.values()
    ]
    return {
        **ctx,
        "form": form,
        "tests": tests,
        "psfs_rows": rows,
        "psfs_previous": previous,
        "pain_answer": post.get("pain") if post else None,
        "errors": bad,
        "error_list": errors,
    }


def _save_retest(request: HttpRequest, ctx: dict[str, Any], person: Person) -> HttpResponse:
    post = request.POST
    form = RetestForm(post, skip=ctx["skip"])
    previous = last_psfs(person)
    rows = psfs_rows(previous, post)
    errors = error_list(form) if not form.is_valid() else []
    pain = read_score(post.get("pain"))
    bad: dict[str, str] = {}
    if pain is None:
        bad["pain"] = PAIN_MISSING
        errors.append({"id": "pain_0", "message": PAIN_MISSING})
    answers, psfs_errors = read_psfs(post, rows)
    bad.update(psfs_errors)
    anchors = error_anchors(rows)
    errors += [{"id": anchors[f], "message": m} for f, m in psfs_errors.items()]
    if errors:
        page = _retest_context({**ctx, "form": form}, person, post, errors, bad)
        return render(request, "programs/block.html", page, status=400)
    save_review(person, ctx["plan"], ctx["today"], form.measures(pain), answers)
    return redirect("/block/")


# --- the choice ----------------------------------------------------------------------------


def _choice_context(ctx: dict[str, Any], post: Any, bad: dict[str, str]) -> dict[str, Any]:
    review = ctx["review"]
    if post is not None:
        picked = set(post.getlist("keep"))
        exercises = [{**e, "keep": e["slot"] in picked} for e in review["exercises"]]
        review = {**review, "exercises": exercises}
    day = ctx["today"]
    fields = ("choice", "start", "keep", "pregnancy_weeks")
    return {
        **ctx,
        "review": review,
        "chosen": post.get("choice") if post else None,
        "start": post.get("start", "") if post else day.isoformat(),
        "latest": latest_plan_start(day),
        "errors": bad,
        "error_list": [
            {"id": ANCHORS.get(f, "group_choice"), "message": bad[f]} for f in fields if f in bad
        ],
        "report_url": "/settings/report.pdf",
    }


def _read_choice(post: QueryDict, review: dict[str, Any], day: date):
    """(choice, start, keep, errors by field)."""
    errors: dict[str, str] = {}
    choice = post.get("choice", "")
    options = {o["choice"]: o for o in review["options"]}
    if choice not in CHOICES:
        errors["choice"] = (
            "Your next block: please choose one."
            if not choice
            else "Your next block: please choose one of the answers shown."
        )
    elif not options[choice]["available"]:
        errors["choice"] = (
            f"Your next block: “{CHOICE_NAMES[choice]}” is not open now. {options[choice]['why']}"
        )
    raw = post.get("start", "").strip()
    start: date | None = day
    if raw:
        try:
            start = date.fromisoformat(raw) if ISO_DATE.fullmatch(raw) else None
        except ValueError:
            start = None
    latest = latest_plan_start(day)
    if start is None:
        errors["start"] = f"Start date: give a date like {day.isoformat()}."
    elif not day <= start <= latest:
        errors["start"] = (
            f"Start date: pick a day from today to {dateformat.format(latest, 'j F Y')}."
        )
    keep = post.getlist("keep")
    if choice == "maintain":
        known = {e["slot"] for e in review["exercises"]}
        if not keep:
            errors["keep"] = "Exercises to keep: tick at least one."
        elif not set(keep) <= known:
            errors["keep"] = "Exercises to keep: choose from the exercises shown."
    return choice, start, keep if choice == "maintain" else None, errors


def _save_choice(request: HttpRequest, ctx: dict[str, Any], person: Person) -> HttpResponse:
    day = ctx["today"]
    choice, start, keep, errors = _read_choice(request.POST, ctx["review"], day)
    if not errors:
        try:
            made = choose(person, ctx["saved"], choice, start, day, keep)
        except BlockError as exc:
            label = LABELS.get(exc.field, exc.field)
            errors[exc.field if exc.field in LABELS else "choice"] = f"{label}: {exc}"
        else:
            return redirect("/today/" if made is not None else "/block/#clinician")
    page = _choice_context(ctx, request.POST, errors)
    return render(request, "programs/block.html", page, status=400)


# --- the view ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def block(request: HttpRequest) -> HttpResponse:
    person = person_for(request)
    ctx = _state(person, _today())
    state = ctx["state"]
    if request.method == "POST":
        sent = request.POST.get("form")
        if state == "retest" and sent == "retest":
            return _save_retest(request, ctx, person)
        if state == "review" and sent == "choice":
            return _save_choice(request, ctx, person)
        status = 409  # a form from an earlier state (another tab, a resend): show the page now
    else:
        status = 200
    if state == "retest":
        ctx = _retest_context(ctx, person, None, [], {})
    elif state == "review":
        ctx = _choice_context(ctx, None, {})
    return render(request, "programs/block.html", ctx, status=status)
