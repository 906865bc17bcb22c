"""The end of a block (issue 16 item 1), as `psoas block` does it: the block in force and
whether the re-test is due, the re-test (the self-tests, pain and the activity check,
set beside the block's start), and the choice of the next block. The answers are the
CLI's JSON (`programs/blocks.block_status`, `review_dict`), so a client reads one shape.

A re-test that is not due yet, or was already saved, and a choice with no re-test are
409s; a self-test the person's rules rule out, activities that do not score, a choice not
open now, a start out of range or exercises to keep that were not done are 422s naming
the field. Nothing is saved on an error."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Router
from ninja.errors import HttpError

from psoas.core.planning.blocks import BlockError, Measures
from psoas.web.api.common import BODY_ERRORS, answers, invalid, plan_or_404
from psoas.web.api.schemas import BlockOut, ChoiceIn, ChoiceOut, RetestIn, ReviewOut
from psoas.web.outcomes.psfs_form import PSFS_ACTIVITIES
from psoas.web.outcomes.services import last_psfs
from psoas.web.programs.blocks import (
    block_of,
    block_status,
    blocks,
    choose,
    last_session_date,
    latest_review,
    review_dict,
    review_due,
    save_review,
    skipped_tests,
)
from psoas.web.programs.models import Person, Plan
from psoas.web.site.people import person_for

router = Router(tags=["blocks"])
BODY_FIELDS = ("choice", "start", "keep")
TESTS = {"thomas_test": "modified_thomas_test", "hip_flexor_hold_s": "hip_flexor_hold_test"}


def _running_plan(person: Person) -> Plan:
    plan = plan_or_404(person)
    if plan.data["status"] != "ok":
        raise HttpError(409, "plan: your program is stopped; see a clinician first")
    return plan


def _activities(person: Person) -> list[str]:
    last = last_psfs(person) or {}
    names = (last.get(f"activity_{n}_name") for n in range(1, PSFS_ACTIVITIES + 1))
    return [n for n in names if n]


@router.get("/block", response=answers(BlockOut, 404, 409))
def get_block(request):
    """Like `psoas block --json`: the block in force, its week, whether the re-test is due
    (and from which day), the self-tests it skips, the activities to ask again, the latest
    review of this block, and every block so far."""
    person = person_for(request)
    plan = _running_plan(person)
    return {
        **block_status(plan, date.today()),
        "retest_from": last_session_date(plan),
        "activities": _activities(person),
        "history": blocks(person),
    }


@router.post("/block/review", response=answers(ReviewOut, *BODY_ERRORS, 404, 409))
def retest(request, payload: RetestIn):
    """The re-test at the block's end (`psoas block retest`): saved with pain as a
    check-in and the activity check as a PSFS response; the answer sets it beside the
    block's start, with the next blocks open."""
    person = person_for(request)
    plan = _running_plan(person)
    today = date.today()
    if not review_due(plan, today):
        last = last_session_date(plan)
        raise HttpError(409, f"review: the re-test opens on {last}, the day of the last session")
    saved = latest_review(plan)
    if saved is not None:
        raise HttpError(
            409,
            f"review: already saved on {saved.date.isoformat()}; "
            "choose the next block with POST /api/block/choice",
        )
    skip = skipped_tests(plan, today)
    for field, test in TESTS.items():
        given = getattr(payload, field)
        if test in skip and given is not None and any(vars(given).values()):
            raise invalid(
                ["body", "payload", field], "this test is not safe for you now; leave it out"
            )
    thomas = payload.thomas_test
    hold = payload.hip_flexor_hold_s
    after = Measures(
        {s: getattr(thomas, s) if thomas else None for s in ("left", "right")},
        {s: getattr(hold, s) if hold else None for s in ("left", "right")},
        payload.pain,
        None,
    )
    psfs = None
    if payload.activities:
        psfs = {}
        for n, a in enumerate(payload.activities, 1):
            psfs[f"activity_{n}_name"] = a.name
            psfs[f"activity_{n}"] = a.score
    try:
        saved = save_review(person, plan, today, after, psfs)
    except ValueError as exc:
        raise invalid(["body", "payload", "activities"], str(exc)) from None
    return review_dict(saved)


@router.post("/block/choice", response=answers(ChoiceOut, *BODY_ERRORS, 404, 409))
def choice(request, payload: ChoiceIn):
    """The next block (`psoas block next`): progress or maintain make it from `start`
    (today if left out); see_clinician keeps the choice open for after the visit."""
    person = person_for(request)
    plan = _running_plan(person)
    today = date.today()
    saved = latest_review(plan) if review_due(plan, today) else None
    if saved is None:
        raise HttpError(409, "review: do the re-test first (POST /api/block/review)")
    try:
        new = choose(person, saved, payload.choice, payload.start, today, payload.keep)
    except BlockError as exc:
        if exc.field in BODY_FIELDS:
            raise invalid(["body", "payload", exc.field], str(exc)) from None
        raise HttpError(409, f"{exc.field}: {exc}") from None
    out: dict[str, Any] = {"choice": payload.choice, "plan_id": None, "block": None}
    if new is not None:
        out.update(plan_id=new.id, block=block_of(new), start_date=new.start_date)
    else:
        out["start_date"] = None
    return out
