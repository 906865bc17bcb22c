"""Reads never write (issue 16 item 6): every GET (and HEAD) of every page and every API
route leaves the database exactly as it was, row for row, in every table. The store is
seeded with sessions, check-ins, an activity check, a calendar link, a session still in
progress, and a warning sign at today's check-in that the rules stop the program for but
that no one has acted on yet: reads show the referral, and only an act saves it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from psoas.core.breaks.model import WEEKDAYS
from psoas.core.content.loader import catalog
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.account.models import CalendarFeed
from psoas.web.api.api import api as ninja_api
from psoas.web.audit.models import AuditEvent
from psoas.web.breaks import services as breaks
from psoas.web.breaks.codec import settings_from_json
from psoas.web.intake.views import SLUGS
from psoas.web.outcomes.services import add_checkin, save_psfs
from psoas.web.programs.services import active_plan, local_person, save_plan, save_profile
from psoas.web.tracking.day import log_day
from psoas.web.tracking.queries import adjusted_session
from psoas.web.tracking.services import finish_session, start_session

pytestmark = [pytest.mark.django_db(transaction=True)]

TODAY = date.today()
PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,  # a session every day
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
}
SIGN = "saddle_numbness"


def seed() -> dict[str, object]:
    """A person some days into a plan, with a warning sign at today's check-in saved as a
    check-in only (as after a crash, or a restore): the rules stop the program today."""
    person = local_person()
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), TODAY - timedelta(9))
    for back in (8, 6, 3):
        day = TODAY - timedelta(days=back)
        log_day(person, plan, day, adjusted_session(plan, day), pain_before=4, pain_after=3)
        add_checkin(person, day, 4, [], "ok")
    save_psfs(
        person,
        TODAY - timedelta(days=8),
        {
            "activity_1_name": "walking",
            "activity_1": 4,
            "activity_2_name": "sitting",
            "activity_2": 5,
            "activity_3_name": "stairs",
            "activity_3": 6,
        },
    )
    done = start_session(person, plan, TODAY - timedelta(days=1), 1, 0)
    finish_session(done, "completed", 2)
    running = start_session(person, plan, TODAY, 1, 0)
    feed = CalendarFeed.objects.create(person=person)
    add_checkin(person, TODAY, 5, [SIGN])  # the stop, not yet acted on
    # move breaks on all day, a reminder shown and not answered, one taken yesterday
    now = timezone.now()
    every_day = {d: [["00:00", "23:59"]] for d in WEEKDAYS}
    on = settings_from_json({"enabled": True, "working_hours": every_day})
    breaks.save_settings(person, on, now - timedelta(days=1, hours=2), "web")
    breaks.record(person, "taken", now - timedelta(days=1), source="web")
    breaks.record(person, "prompted", now - timedelta(seconds=20), source="web")
    return {"plan": plan, "session_id": running.id, "finished_id": done.id, "token": feed.token}


# A browser's own session is not the person's data: the start wizard keeps its draft
# answers there from the first GET of /start/ (per browser, until the plan is made).
BROWSER_STATE = {"django_session"}
# The audit trail is the one write a GET may make, and only a staff member's GET in clinic
# mode (docs/clinic.md, "Audit trail"; tests/test_audit_trail.py checks that staff reads
# write nothing else). These tests run in local mode, where it must stay empty.
STAFF_READS_WRITE = {"audit_auditevent"}


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (but the browser's session), as text, sorted."""
    out = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            if table in BROWSER_STATE | STAFF_READS_WRITE:
                continue
            cur.execute(f'SELECT * FROM "{table}"')
            out[table] = sorted(repr(row) for row in cur.fetchall())
    return out


def page_routes() -> list[str]:
    """Every route in Django's URL resolver (the API's included), as a pattern."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def api_get_routes() -> list[str]:
    """Every GET operation of the ninja API, from its own OpenAPI schema."""
    paths = ninja_api.get_openapi_schema()["paths"]
    return sorted(path for path, ops in paths.items() if "get" in ops)


def fill(route: str, values: dict[str, object]) -> list[str]:
    """The URLs for a route: each parameter given a real value (every step of the start)."""
    route = route if route.startswith("/") else "/" + route
    route = route.replace("{", "<").replace("}", ">")
    if "<slug:slug>" in route:
        return [route.replace("<slug:slug>", s) for s in SLUGS]

    def value(m: re.Match) -> str:
        return str(values[m.group(1).split(":")[-1]])

    return [re.sub(r"<([^>]+)>", value, route)]


def every_get(values: dict[str, object]) -> list[str]:
    """Every page and API GET route, each parameter given a real value."""
    values = {
        "exercise_id": next(iter(catalog().exercises)),
        "topic_id": next(iter(catalog().topics)),
        # clinic mode's pages (404 in local mode, which this test runs in)
        "public_id": "no-such-patient",
        "clip_id": "no-such-clip",
        "batch_id": "no-such-batch",
        "job_id": 1,
        "uidb64": "MQ",
        **values,
    }
    urls = sorted({u for r in page_routes() for u in fill(r, values)})
    return urls + [u for r in api_get_routes() for u in fill("/api" + r, values)]


def reads_change_nothing(client: Client, urls: list[str]) -> dict[tuple[str, str], int]:
    """GET and HEAD each URL; after each, every table is as it was. The statuses."""
    before = snapshot()
    answered = {}
    for url in urls:
        for method in ("get", "head"):
            r = getattr(client, method)(url)
            answered[(method, url)] = r.status_code
            after = snapshot()
            changed = [t for t in before if before[t] != after.get(t)]
            assert not changed, f"{method.upper()} {url} changed {changed}"
            assert not AuditEvent.objects.exists(), f"{method.upper()} {url} wrote an audit row"
    return answered


def test_no_get_changes_the_database():
    seeded = seed()
    urls = every_get({"session_id": seeded["session_id"], "token": seeded["token"]})
    urls += [
        "/today/?logged=1",
        f"/session/{seeded['finished_id']}/",
        f"/api/today?date={TODAY.isoformat()}",
        f"/api/progress?date={TODAY.isoformat()}",
        "/api/history?limit=2",
    ]
    assert "/api/today" in urls and "/today/" in urls and "/checkin/" in urls
    client = Client(raise_request_exception=True)
    before = snapshot()
    # the stop is in force for reads: the referral is shown, not saved
    today = client.get("/api/today").json()
    assert today["status"] == "refer" and today["referral"]["reasons"][0]["id"] == SIGN
    page = client.get("/today/")
    assert page.status_code == 200 and page.context["state"] == "refer"
    assert snapshot() == before
    answered = reads_change_nothing(client, urls)
    for url in ("/api/today", "/today/", "/checkin/", "/plan/", "/progress/", "/api/plan"):
        assert answered[("get", url)] == 200, url
    for url in ("/breaks/", "/breaks/now/", "/settings/", "/api/breaks", "/api/breaks/stats"):
        assert answered[("get", url)] == 200, url
    assert client.get("/api/breaks").json()["shown_at"] is not None  # the seed reached them
    assert active_plan(local_person()).id == seeded["plan"].id  # still not stopped


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/checkins", {"nprs": 3, "none_of_these": True}),
        ("post", "/api/sessions", {"pain_before": 3, "none_of_these": True}),
        ("post", "/api/logs", {}),
    ],
)
def test_the_stop_is_saved_where_the_person_acts(method, url, body):
    seeded = seed()
    client = Client()
    r = getattr(client, method)(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["referral"]["reasons"][0]["id"] == SIGN
    plan = active_plan(local_person())
    assert plan.id != seeded["plan"].id and plan.data["status"] == "refer"
    assert SIGN in plan.profile.data["red_flags"]


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/checkin/", {"pain": "3", "warning_signs": "none"}),
        ("/today/", {"pain": "3", "warning_signs": "none"}),
    ],
)
def test_the_stop_is_saved_when_the_person_acts_on_a_page(url, form):
    seeded = seed()
    client = Client()
    r = client.post(url, form)
    assert r.status_code in (200, 409)
    assert r.context["referral"]["reasons"][0]["id"] == SIGN
    plan = active_plan(local_person())
    assert plan.id != seeded["plan"].id and plan.data["status"] == "refer"


@pytest.mark.parametrize("stage", ["retest", "choice", "see_clinician", "next_block"])
def test_no_get_changes_the_database_at_a_blocks_end(stage):
    """Six weeks on: the re-test due, its review waiting for a choice, the choice left open
    to see a clinician, and the next block chosen to start tomorrow. Reading any page or
    API route there saves no review, no check-in and no plan."""
    from psoas.core.planning.blocks import Measures
    from psoas.web.programs.blocks import choose, save_review
    from tests.block_seed import first_block

    plan = first_block()
    person = local_person()
    if stage != "retest":
        after = Measures({"left": "negative"}, {"left": 20.0}, 3, None)
        saved = save_review(person, plan, TODAY, after)
        if stage == "see_clinician":
            choose(person, saved, "see_clinician", None, TODAY)
        elif stage == "next_block":
            choose(person, saved, "progress", TODAY + timedelta(days=1), TODAY)
    feed = CalendarFeed.objects.create(person=person)
    urls = every_get({"session_id": 999_999, "token": feed.token})
    assert "/block/" in urls and "/api/block" in urls
    answered = reads_change_nothing(Client(raise_request_exception=True), urls)
    for url in ("/block/", "/today/", "/plan/", "/progress/", "/api/block", "/api/today"):
        assert answered[("get", url)] == 200, url
