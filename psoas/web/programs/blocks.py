"""The end of a block in the store: is the re-test due, saving it, and the next block.

One way for the CLI (`psoas block`), the pages and the API; the rules are the core's
(`psoas/core/planning/blocks.py`). The re-test's pain score is kept as a check-in and its
activity check as a PSFS response, so the charts carry on across blocks. A new block is a
new profile version and a new active plan; the old plans and every review stay, so the
history of blocks is the person's plans in order.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from psoas.core.planning.blocks import (
    CHOICES,
    BlockError,
    Measures,
    keep_by_default,
    next_block,
    profile_for_block,
    reached_in_block,
    review,
)
from psoas.core.planning.carry import Reached
from psoas.core.scoring.score import score
from psoas.web.outcomes.models import QuestionnaireResponse
from psoas.web.outcomes.services import add_checkin, save_psfs
from psoas.web.programs.models import BlockReview, Person, Plan, ScheduledSession
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.programs.starts import latest_plan_start
from psoas.web.tracking.queries import plan_records

__all__ = ["CHOICES", "BlockError"]


def block_of(plan: Plan) -> dict[str, Any]:
    """{number, kind} of the block a plan is: the first block has no `block` in its JSON."""
    return plan.data.get("block") or {"number": 1, "kind": "first"}


def last_session_date(plan: Plan) -> date | None:
    return plan.scheduled.order_by("-date").values_list("date", flat=True).first()


def review_due(plan: Plan, day: date) -> bool:
    """The re-test is due from the day of the block's last session (after it, or instead
    of it) until a next block is chosen."""
    if plan.data["status"] != "ok":
        return False
    last = last_session_date(plan)
    if last is None or day < last:
        return False
    return not plan.reviews.exclude(choice__in=("", "see_clinician")).exists()


def latest_review(plan: Plan) -> BlockReview | None:
    return plan.reviews.order_by("-date", "-id").first()


def skipped_tests(plan: Plan, day: date) -> frozenset[str]:
    """The self-tests the person's rules leave out on `day` (a hip replacement's, a
    pregnancy's): the re-test skips them as the intake did, with the profile moved on to
    `day` (a pregnancy past week 13 rules out the test that lies on the back). When it
    cannot be moved on (a pregnancy past its term), both: the person updates their answers
    first."""
    from psoas.core.content.loader import catalog
    from psoas.core.profile import parse_profile
    from psoas.core.screening.restrictions import restrictions_for

    weeks_on = max(0, (day - plan.start_date).days // 7)
    try:
        data = profile_for_block(plan.profile.data, weeks_on, Measures({}, {}, None, None))
    except BlockError:
        return frozenset(catalog().self_tests)
    return restrictions_for(parse_profile(data), catalog()).skip_self_tests


def review_dict(saved: BlockReview) -> dict[str, Any]:
    """A review as the CLI's and the API's JSON give it."""
    return {
        "date": saved.date.isoformat(),
        "before": saved.before,
        "after": saved.after,
        "rows": saved.review["rows"],
        "improved": saved.review["improved"],
        "summary": saved.review["summary"],
        "options": saved.review["options"],
        "keep": saved.review["keep"],
        "choice": saved.choice or None,
        "start_date": saved.start_date.isoformat() if saved.start_date else None,
    }


def block_status(plan: Plan, day: date) -> dict[str, Any]:
    """The block in force on `day`: its number and kind, its week, whether the re-test is
    due, and the latest review of it. Reads only."""
    from psoas.core.planning.schedule import program_week

    saved = latest_review(plan)
    weeks = len(plan.data["weeks"])
    return {
        **block_of(plan),
        "plan_start": plan.start_date.isoformat(),
        "week": min(max(program_week(plan.start_date, day), 1), weeks) if weeks else None,
        "weeks": weeks,
        "review_due": review_due(plan, day),
        "skip_self_tests": sorted(skipped_tests(plan, day)),
        "review": None if saved is None else review_dict(saved),
    }


def _activity_near(person: Person, day: date, before: bool) -> float | None:
    """The activity score for a block's start (the latest on or before it, else the first
    in its first week) or its end (the latest in its last two weeks)."""
    rows = QuestionnaireResponse.objects.filter(person=person, questionnaire_id="psfs")
    if before:
        found = rows.filter(date__lte=day).order_by("-date", "-id").first() or (
            rows.filter(date__gt=day, date__lt=day + timedelta(days=7)).order_by("date").first()
        )
    else:
        found = rows.filter(date__lte=day, date__gt=day - timedelta(days=14))
        found = found.order_by("-date", "-id").first()
    return None if found is None else found.score


def _reached(plan: Plan, day: date) -> dict[str, Reached]:
    return reached_in_block(plan.data, **plan_records(plan, day))


def save_review(
    person: Person,
    plan: Plan,
    day: date,
    after: Measures,
    psfs_answers: dict[str, Any] | None = None,
) -> BlockReview:
    """Store the re-test (pain as a check-in, the activity check as a PSFS response) and
    the review: before and after side by side, and the next blocks open. PSFS answers
    that do not score raise ValueError before anything is saved."""
    if psfs_answers is not None:
        from psoas.core.content.questionnaires import questionnaires

        score(questionnaires()["psfs"], psfs_answers)  # raises on bad answers
    with transaction.atomic():
        if after.pain is not None:
            add_checkin(person, day, after.pain, [], note="end of block re-test")
        if psfs_answers is not None:
            save_psfs(person, day, psfs_answers)
        activity = _activity_near(person, day, before=False)
        after = Measures(after.thomas, after.hold_s, after.pain, activity)
        before = Measures.from_profile(
            plan.profile.data, _activity_near(person, plan.start_date, before=True)
        )
        reached = _reached(plan, day)
        result = review(before, after, can_maintain=bool(reached))
        return BlockReview.objects.create(
            person=person,
            plan=plan,
            date=day,
            before=_measures(before),
            after=_measures(after),
            review={
                **result.as_dict(),
                "keep": keep_by_default(reached),
                "reached": {s: vars(r) for s, r in reached.items()},
            },
        )


def _measures(m: Measures) -> dict[str, Any]:
    return {
        "thomas": dict(m.thomas),
        "hold_s": dict(m.hold_s),
        "pain": m.pain,
        "activity": m.activity,
    }


def measures_of(data: dict[str, Any]) -> Measures:
    return Measures(data["thomas"], data["hold_s"], data["pain"], data["activity"])


def choose(
    person: Person,
    saved: BlockReview,
    choice: str,
    start: date | None,
    today: date,
    keep: list[str] | None = None,
) -> Plan | None:
    """The person's choice at a block's end. Progress and maintain make the next block,
    starting on `start` (today when not given); see_clinician keeps the block open, so they
    can choose again after the visit. Raises BlockError naming the field at fault."""
    if choice not in CHOICES:
        raise BlockError("choice", f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
    option = next(o for o in saved.review["options"] if o["choice"] == choice)
    if not option["available"]:
        raise BlockError("choice", f"{choice} is not open now: {option['why']}")
    if saved.next_plan_id is not None:
        raise BlockError("choice", "the next block was already chosen")
    start = start or today
    if start < today or start > latest_plan_start(today):
        raise BlockError(
            "start", f"start must be from today ({today}) to {latest_plan_start(today)}"
        )
    plan = saved.plan
    with transaction.atomic():
        saved.choice, saved.chosen_at = choice, timezone.now()
        if choice == "see_clinician":
            saved.save(update_fields=["choice", "chosen_at"])
            return None
        reached = {s: Reached(**r) for s, r in saved.review["reached"].items()}
        weeks_on = (start - plan.start_date).days // 7
        data, new_plan = next_block(
            plan.profile.data,
            weeks_on,
            measures_of(saved.after),
            choice,  # type: ignore[arg-type]
            reached,
            block_of(plan)["number"] + 1,
            plan.data["classification"],
            keep,
        )
        version = save_profile(person, data)
        saved_plan = save_plan(person, version, new_plan, start)
        saved.start_date, saved.next_plan = start, saved_plan
        saved.save(update_fields=["choice", "chosen_at", "start_date", "next_plan"])
        return saved_plan


def blocks(person: Person) -> list[dict[str, Any]]:
    """The person's blocks in order: each plan with its number, kind, dates (the first
    day and the day of its last session) and its review (when there is one), with the
    next block it led to (its plan and first day) once chosen. Three queries however many
    blocks: every plan, every plan's last session day and every review, each read once."""
    plans = list(person.plans.filter(data__status="ok").order_by("start_date", "created_at"))
    last_days = dict(
        ScheduledSession.objects.filter(plan__in=plans)
        .order_by()
        .values("plan")
        .annotate(last=Max("date"))
        .values_list("plan", "last")
    )
    latest: dict[int, BlockReview] = {}  # as latest_review: the last by date, then by id
    for r in BlockReview.objects.filter(person=person).order_by("date", "id"):
        latest[r.plan_id] = r
    out = []
    for p in plans:
        r = latest.get(p.id)
        last = last_days.get(p.id)
        out.append(
            {
                "plan_id": p.id,
                **block_of(p),
                "start_date": p.start_date.isoformat(),
                "end_date": last.isoformat() if last else None,
                "active": p.active,
                "weeks": len(p.data["weeks"]),
                "review": None
                if r is None
                else {
                    "date": r.date.isoformat(),
                    "choice": r.choice or None,
                    "rows": r.review["rows"],
                    "summary": r.review["summary"],
                    "next_plan_id": r.next_plan_id,
                    "next_start": r.start_date.isoformat() if r.start_date else None,
                },
            }
        )
    return out
