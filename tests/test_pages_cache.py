"""Today, Plan and Progress kept per data revision (psoas/web/site/freshness.py), through
Django's test client on a real store with months of history: a view worked out afresh
makes as many queries for four blocks as for one (no query per plan, review, session or
day creeps in), a second view is the same page after two small queries, a page with a form
or a query string is drawn for each visitor, and with logins each visitor gets a frame of
their own."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.progress import PROFILE, log_block
from psoas.core.planning.blocks import Measures
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.backup import delete_all
from psoas.web.breaks import services
from psoas.web.outcomes.models import PainCheckin
from psoas.web.programs.blocks import save_review
from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person, save_plan, save_profile
from tests.breaks_seed import due_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PAGES = ["/today/", "/plan/", "/progress/"]
# A view worked out from the store (nothing cached): today's state, the plan and its
# blocks, and a year of progress with the breaks week. A query per row breaks these.
CEILING = {"/today/": 13, "/plan/": 10, "/progress/": 21}
TODAY = date.today()


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def seed(blocks: int, done_today: bool = True) -> Person:
    """`blocks` six-week plans back to back, the last half way through today: every day a
    session done with all its sets and a pain check-in, and a re-test at each earlier
    block's end. Today's session only when `done_today`."""
    person = local_person()
    version = save_profile(person, PROFILE)
    built = build_plan(parse_profile(PROFILE))
    first = TODAY - timedelta(days=42 * (blocks - 1) + 21)
    last = TODAY if done_today else TODAY - timedelta(days=1)
    for b in range(blocks):
        start = first + timedelta(days=42 * b)
        plan = save_plan(person, version, built, start)
        log_block(person, plan, last)
        if b < blocks - 1:
            after = Measures({"left": "negative"}, {"left": 20.0}, 3, None)
            save_review(person, plan, start + timedelta(days=41), after)
    return person


def fresh_view(client: Client, path: str) -> list[str]:
    """The queries of a view with nothing kept from before."""
    cache.clear()
    with CaptureQueriesContext(connection) as seen:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in seen]


def test_a_view_asks_as_often_for_four_blocks_as_for_one(client):
    seed(1)
    short = {path: len(fresh_view(client, path)) for path in PAGES}
    delete_all()  # "Delete all my data"
    seed(4)
    long = {path: fresh_view(client, path) for path in PAGES}
    for path in PAGES:
        assert len(long[path]) == short[path], (path, long[path])
        assert len(long[path]) <= CEILING[path], (path, long[path])
        # the data revision once a view, however many parts of the page are kept
        assert sum("max(id)" in sql for sql in long[path]) == 1, path


def test_a_second_view_is_the_same_page_after_two_small_queries(client, monkeypatch):
    seed(2)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # within one minute for Progress
    for path in PAGES:
        first = client.get(path)
        with CaptureQueriesContext(connection) as seen:
            again = client.get(path)
        assert again.status_code == 200 and again.content == first.content, path
        assert again.templates == [], path  # the page as sent was kept: nothing drawn
        assert len(seen) == 2, (path, seen.captured_queries)  # the person, their revision


def test_a_write_shows_at_once(client):
    person = seed(2)  # check-ins score 2 to 6
    assert "Latest: 1." not in client.get("/progress/").content.decode()
    PainCheckin.objects.create(person=person, date=TODAY, nprs=1)
    assert "Latest: 1." in client.get("/progress/").content.decode()


def start_form(page: str) -> dict[str, str]:
    token = re.search(r'action="/today/".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)
    assert token, "no start form"
    return {"csrfmiddlewaretoken": token.group(1), "warning_signs": "none", "pain": "2"}


def test_a_page_with_a_form_is_drawn_for_each_visitor():
    seed(1, done_today=False)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert "Start today's session" in first.get("/today/").content.decode()
    page = second.get("/today/")  # a page kept from the first visit would carry its token
    assert "csrftoken" in page.cookies
    r = second.post("/today/", start_form(page.content.decode()))
    assert r.status_code == 302 and r["Location"].startswith("/session/")


def test_a_page_that_answers_a_query_string_is_not_kept(client):
    seed(1)
    saved = "Saved. Well done for doing your session."
    assert saved in client.get("/today/?logged=1").content.decode()
    assert saved not in client.get("/today/").content.decode()
    assert saved in client.get("/today/?logged=1").content.decode()


@override_settings(REQUIRE_LOGIN=True)
def test_with_logins_each_visitor_gets_a_frame_of_their_own():
    seed(1)
    user = get_user_model().objects.create_user("sam", password="a long password")
    for path in PAGES:
        visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
        for visitor in visitors:
            visitor.force_login(user)
            page = visitor.get(path)
            assert page.status_code == 200
            token = re.search(
                r'action="/logout/".*?name="csrfmiddlewaretoken" value="([^"]+)"',
                page.content.decode(),
                re.S,
            )
            assert token, f"{path}: no log-out form"
            # the visitor's own form: logging out with it works
            out = visitor.post("/logout/", {"csrfmiddlewaretoken": token.group(1)})
            assert out.status_code == 302, path


def test_the_breaks_week_on_progress_counts_up_to_the_minute(client, monkeypatch):
    person = seed(1)
    now = timezone.now().replace(second=0, microsecond=0)
    due_at(person, now - timedelta(minutes=30))  # breaks on from 50 minutes ago
    services.record(person, "taken", now - timedelta(minutes=40), source="web")
    clock = [now + timedelta(seconds=5)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])

    def longest() -> str:
        page = client.get("/progress/").content.decode()
        return re.search(r"without a break was <strong>(\d+) minutes", page).group(1)

    assert longest() == "40"
    clock[0] = now + timedelta(seconds=50)  # the same minute: the page as it was
    assert longest() == "40"
    clock[0] = now + timedelta(minutes=3, seconds=5)  # no write, yet the sitting went on
    assert longest() == "43"


def test_the_local_person_is_the_first_one_with_every_field():
    """Every page reads it with one plain query; it is the same person the ORM reads."""
    first = local_person()  # made on first use
    Person.objects.create(name="later")
    again = local_person()
    orm = Person.objects.order_by("id").first()
    assert again.pk == first.pk == orm.pk and again.name == orm.name == "me"
    assert again.user_id is None and again.created_at == orm.created_at  # read when asked
    assert timezone.is_aware(again.created_at)
    again.name = "renamed"
    again.save()
    assert Person.objects.get(pk=orm.pk).name == "renamed"
