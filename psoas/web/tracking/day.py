"""The day's session, starting it, and logging one done away from the app: one way for
the CLI, the API and the pages.

Starting checks the warning signs first. A yes stops the program and refers (on any day:
a warning sign matters whether or not a session is planned); the pain score is kept as a
check-in either way; and the session started is stored as it is now, so the player plays
exactly what the person saw.

Reads never write. When the rules stop the program (a warning sign at a check-in), a read
(the today page, GET /api/today, `psoas today`) shows the referral; the stop is saved only
where the person acts: starting or logging a session, or a check-in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from psoas.web.outcomes.services import add_checkin
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import stop_for_referral
from psoas.web.programs.versions import plan_on
from psoas.web.site.freshness import per_revision
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.queries import adjusted_session, logged_session, planned_rows
from psoas.web.tracking.services import (
    close_interrupted,
    log_done_session,
    resumable,
    start_session,
)


def day_session(person: Person, plan: Plan, day: date, *, act: bool = False) -> dict[str, Any]:
    """The day's session after autoregulation, or a referral: a plan that already refers,
    or rules that stop the program now (a warning sign at a check-in).

    Reads never write: only a caller where the person acts (starting a session, logging
    one, a check-in) passes `act=True`, which saves the stop (a new profile version and
    the referral plan) as the CLI does. A read gets the same referral, worked out and not
    saved."""
    if plan.data["status"] == "refer":
        return {"status": "refer", "referral": plan.data["referral"]}
    info = adjusted_session(plan, day)
    if info["status"] == "stop":
        if not act:
            return {"status": "refer", "referral": referral_if_stopped(plan, info["red_flags"])}
        with transaction.atomic():
            return {
                "status": "refer",
                "referral": stop_for_referral(person, plan, info["red_flags"]),
            }
    return info


def referral_if_stopped(plan: Plan, red_flags: list[str]) -> dict[str, Any]:
    """The referral that `stop_for_referral` would save for these warning signs, without
    saving anything (the same core rule, `referral_for`, on the profile plus the signs)."""
    from psoas.core.content.loader import catalog
    from psoas.core.profile import parse_profile
    from psoas.core.screening.referral import referral_for

    data = dict(plan.profile.data)
    data["red_flags"] = list(dict.fromkeys([*data.get("red_flags", []), *red_flags]))
    referral = referral_for(parse_profile(data), catalog())
    assert referral is not None  # a warning sign always refers
    return referral.as_dict()


def settle_stop(person: Person, plan: Plan, day: date) -> dict[str, Any] | None:
    """Where the person acts (a check-in): save a stop that the rules found but no read
    saved. Returns the referral, or None when the program is not stopped."""
    if plan.data["status"] == "refer":
        return None
    info = day_session(person, plan, day, act=True)
    return info["referral"] if info["status"] == "refer" else None


def day_session_for_reading(person: Person, plan: Plan, day: date) -> dict[str, Any]:
    """`day_session` once per data revision and day, for pages and reads that come often
    (the today page, GET /api/today); starting a session always works it out afresh."""
    return per_revision(
        person.id, f"day-session-{plan.id}", day, lambda: day_session(person, plan, day)
    )


def begin_session(
    person: Person,
    plan: Plan,
    day: date,
    *,
    pain_before: int | None,
    red_flags: list[str],
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Start the day's session. Returns `{"status": "refer", "referral"}`, or
    `{"status": "started", "log", **info}`, or the day's own answer when it has no session
    (rest_day, not_started, plan_finished, with next_date). `info` is the day's session
    when the caller has already shown it.

    A session of the same day still in progress (the player was killed or the tab closed)
    is resumed: the same log comes back, with `session` as it was started, and the saved
    exercises are not played again. Sessions left in progress on an earlier day are closed
    as "interrupted" first, keeping their saved sets. The warning signs are asked either
    way."""
    if info is None or info["status"] == "refer":  # a stop only read so far is saved now
        info = day_session(person, plan, day, act=True)
    if info["status"] == "refer":
        return {"status": "refer", "referral": info["referral"]}
    if info["status"] != "session" and not red_flags:
        return info
    with transaction.atomic():
        if pain_before is not None:
            add_checkin(person, day, pain_before, red_flags)
        if red_flags:
            return {"status": "refer", "referral": stop_for_referral(person, plan, red_flags)}
        close_interrupted(person, date.today(), keep=day)
        running = resumable(person, plan, day)
        if running is not None:  # carry on: the session as it was started, less what is saved
            return {
                **info,
                "status": "started",
                "log": running,
                "week": running.week,
                "session_index": running.session_index,
                "session": running.session or info["session"],
            }
        log = start_session(
            person,
            plan,
            day,
            info["week"],
            info["session_index"],
            pain_before=pain_before,
            session=info["session"],
        )
    return {**info, "status": "started", "log": log}


def log_day(
    person: Person,
    plan: Plan,
    day: date,
    info: dict[str, Any],
    *,
    exercises: list[str] | None = None,
    effort: str | None = None,
    pain_during: int | None = None,
    pain_before: int | None = None,
    pain_after: int | None = None,
    notes: str = "",
) -> tuple[SessionLog, int, int]:
    """A session done away from the app, saved whole: the day's session (on a rest day or
    after the plan, the nearest week's), or only `exercises` of that week, as planned; the
    pain before is kept as a check-in too. `info` is `day_session`'s answer for a day the
    plan has started. Returns (the log, its week, the sets saved); raises NotInWeek."""
    week, index, session = logged_session(plan_on(plan, day), info, exercises)
    rows = planned_rows(session, effort=effort or "", pain_during=pain_during)
    with transaction.atomic():
        close_interrupted(person, date.today())
        saved = log_done_session(
            person,
            plan,
            day,
            week,
            index,
            rows,
            pain_before=pain_before,
            pain_after=pain_after,
            notes=notes,
        )
        if pain_before is not None:
            add_checkin(person, day, pain_before, [])
    return saved, week, len(rows)
