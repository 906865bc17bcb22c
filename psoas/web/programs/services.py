"""Saving profiles and plans, and finding what is scheduled: the store's program side."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from psoas.core.planning.schedule import schedule
from psoas.web.programs.models import Person, Plan, ProfileVersion, ScheduledSession

# Every page asks, so this is one plain query: the ORM composing it and making the model
# from it cost more than the rest of a kept page. Its row is made a Person as the ORM does
# (Model.from_db), from the fields no database converts; another (created_at) loads if read.
_PLAIN = ("id", "name", "user_id")
_FIRST_PERSON = f"SELECT {', '.join(_PLAIN)} FROM {Person._meta.db_table} ORDER BY id LIMIT 1"


def local_person() -> Person:
    """Local mode has one person; the first one is created on first use. Clinic mode has
    many people and no "local" one: asking there is a mistake, said in one line."""
    if settings.CLINIC_MODE:
        raise ImproperlyConfigured(
            "PSOAS_MODE=clinic: this works on one person's records (local mode); "
            "in a clinic, patients use the web app"
        )
    with connection.cursor() as cur:
        cur.execute(_FIRST_PERSON)
        row = cur.fetchone()
    if row is not None:
        return Person.from_db(connection.alias, _PLAIN, row)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Processes starting at once on an empty store (the web app, the break runner,
            # the CLI) must make one person between them, not one each: this lock mode
            # conflicts with itself, so the second waits and then finds the first's row.
            # (SQLite's immediate transactions already take the database's write lock.)
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {Person._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        return Person.objects.order_by("id").first() or Person.objects.create(name="me")


def save_profile(person: Person, data: dict[str, Any]) -> ProfileVersion:
    """Store a new profile version; earlier versions are kept as they were."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = person.profiles.aggregate(v=Max("version"))["v"] or 0
                return ProfileVersion.objects.create(person=person, version=last + 1, data=data)
        except IntegrityError:  # another process took that number: take the next
            continue
    raise RuntimeError("could not save the profile: too many writers at once")


def save_plan(person: Person, profile: ProfileVersion, plan: dict[str, Any], start: date) -> Plan:
    """Store a plan as the active one and lay out its sessions on the calendar."""
    with transaction.atomic():
        person.plans.filter(active=True).update(active=False)
        saved = Plan.objects.create(
            person=person, profile=profile, data=plan, start_date=start, active=True
        )
        lay_out(saved)
    return saved


def lay_out(plan: Plan) -> None:
    """Put the plan's sessions on the calendar from its start date (a referral has none)."""
    if plan.data["status"] == "ok":
        ScheduledSession.objects.bulk_create(
            ScheduledSession(person_id=plan.person_id, plan=plan, date=d, week=w, session_index=i)
            for d, w, i in schedule(plan.data, plan.start_date)
        )


def active_plan(person: Person) -> Plan | None:
    return person.plans.filter(active=True).select_related("profile").first()


def stop_for_referral(person: Person, plan: Plan, red_flags: list[str]) -> dict[str, Any]:
    """A red flag in a check-in stops the program: the profile gains the flags, and the plan
    made from it (a referral, with no sessions) becomes the active one. History is kept."""
    from psoas.core.planning.planner import build_plan
    from psoas.core.profile import parse_profile

    data = dict(plan.profile.data)
    data["red_flags"] = list(dict.fromkeys([*data.get("red_flags", []), *red_flags]))
    version = save_profile(person, data)
    new_plan = build_plan(parse_profile(data))
    save_plan(person, version, new_plan, plan.start_date)
    from psoas.web.clinic.alerts import changed as alerts_changed

    alerts_changed(person.pk)  # the signs alert the clinic at once, with or without a check-in
    return new_plan["referral"]
