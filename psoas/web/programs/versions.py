"""A program's versions: a clinician's edit makes a new version of the same plan, so the
schedule, the session logs, adherence and the block machinery stay tied to one program.

`Plan.data` is always the newest version, the one in force from the day it was saved, so
everything that reads today's or a later day's program (the player, Today, Plan, the
calendar) reads it as before. What reads a past day asks `plan_on(plan, day)`: the version
in force that day (a session logged under version 1 stays version 1 in the history, the
report and the exports). A plan nobody edited has `version` 1 and no rows here, so reading
it costs no query; the first edit keeps the plan as it was made as version 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from psoas.core.content.loader import catalog
from psoas.core.planning.diff import change_lines, plan_diff
from psoas.core.planning.edits import EditError, EditResult, EditSet, apply_edits
from psoas.core.profile import parse_profile
from psoas.web.programs.models import Plan, ProgramVersion
from psoas.web.programs.services import lay_out


def _versions(plan: Plan) -> list[ProgramVersion]:
    """The plan's saved versions, oldest first, read once per plan object."""
    known = getattr(plan, "_psoas_versions", None)
    if known is None:
        known = list(ProgramVersion.objects.filter(plan=plan).order_by("number"))
        plan._psoas_versions = known
    return known


def plan_on(plan: Plan, day: date) -> dict[str, Any]:
    """The plan JSON in force on `day`: the newest version saved by then (version 1
    before any)."""
    if plan.version == 1:
        return plan.data
    saved = _versions(plan)
    in_force = [v for v in saved if v.valid_from <= day]
    return (in_force[-1] if in_force else saved[0]).data


def profile_day(plan: Plan) -> date:
    """The day the profile behind the plan was given (the situation's week 0)."""
    return timezone.localdate(plan.profile.created_at)


def with_dates(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """The plan JSON with its start date, which the Plan row keeps, so the edit's checks
    count the person's situation from the day the program really starts."""
    if data.get("start_date") is not None:
        return data
    return {**data, "start_date": plan.start_date.isoformat()}


@dataclass(frozen=True)
class Edited:
    """What an edit did: the saved version, or the core's refusal (nothing saved)."""

    result: EditResult
    version: ProgramVersion | None = None


def edit_plan(plan: Plan, edits: EditSet, author: Any, today: date) -> Edited:
    """Apply a clinician's change set to the active plan and save it as a new version in
    force from `today`, or return the core's refusal and save nothing. A new start date
    lays the sessions out again, so it is only taken before the first session is logged;
    EditError names the field when a change cannot be made as asked."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().select_related("profile").get(pk=plan.pk)
        if not locked.active:
            raise EditError("plan", "this is not the patient's current program")
        moved = edits.start_date is not None and edits.start_date != locked.start_date
        if moved:
            first = locked.session_logs.order_by("date").values_list("date", flat=True).first()
            if first is not None:
                raise EditError(
                    "start_date",
                    f"the patient started this program on {first:%-d %B %Y}, so its start "
                    "date stays; set a review date instead",
                )
        current = with_dates(locked, locked.data)
        result = apply_edits(
            current, edits, parse_profile(locked.profile.data), catalog(), profile_day(locked)
        )
        if not result.accepted:
            return Edited(result)
        if not locked.versions.exists():
            ProgramVersion.objects.create(
                person_id=locked.person_id,
                plan=locked,
                number=1,
                data=current,
                valid_from=min(locked.start_date, today),
            )
        saved = ProgramVersion.objects.create(
            person_id=locked.person_id,
            plan=locked,
            number=locked.version + 1,
            data=result.plan,
            valid_from=today,
            author=author,
            reason=edits.reason,
            overrides=[o.as_dict() for o in result.overrides],
        )
        locked.data, locked.version = result.plan, saved.number
        fields = ["data", "version"]
        if moved:
            locked.start_date = edits.start_date
            fields.append("start_date")
            locked.scheduled.all().delete()
            lay_out(locked)
        locked.save(update_fields=fields)
    plan.data, plan.version, plan.start_date = locked.data, locked.version, locked.start_date
    plan.__dict__.pop("_psoas_versions", None)
    return Edited(result, saved)


def history(plan: Plan) -> list[dict[str, Any]]:
    """Every version, newest first: its number, day, who, why, the rules it overruled and
    the changes from the version before, in plain words."""
    saved = list(plan.versions.select_related("author").order_by("number"))
    if not saved:
        return [_row(1, plan.start_date, plan.created_at, None, "", [], [])]
    rows = []
    cat = catalog()
    for before, v in zip([None, *saved], saved, strict=False):
        changes = change_lines(plan_diff(before.data, v.data, cat)) if before else []
        rows.append(
            _row(v.number, v.valid_from, v.created_at, v.author, v.reason, v.overrides, changes)
        )
    return rows[::-1]


def _row(
    number: int,
    day: date,
    when: Any,
    author: Any,
    reason: str,
    overrides: list,
    changes: list[str],
) -> dict[str, Any]:
    return {
        "number": number,
        "valid_from": day,
        "saved_at": when,
        "author": author.email if author is not None else None,
        "reason": reason,
        "overrides": overrides,
        "changes": changes,
    }
