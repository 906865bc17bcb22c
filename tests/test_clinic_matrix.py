"""The authorization matrix of clinic mode, kept as data: every URL pattern and every API
operation, by role, with what each role must get. One test per cell; a route that is not
in the matrix fails the suite (`test_every_route_is_in_the_matrix`), so no new route
escapes being classified.

Roles: anonymous, patient A, patient B, A's clinician (Cara), a clinician of another clinic
(Sam), the clinic admin (North's) and the admin of another clinic (South's). Two clinics
with look-alike people, so a leak across clinics shows. Every route is asked with GET (a
GET never writes); write operations (POST, PUT) are asked only by the roles that must be
refused, so no cell changes a patient's records.

What a cell expects:
- a status code;
- LOGIN: not logged in, so a page redirects to the login page and the API answers 401;
- OK: the view served this user (a page, a redirect that is not to the login page, or 405
  for a route that takes only POST): a patient's own pages and their own API.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client, override_settings

from psoas.core.content.loader import catalog
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.account.models import CalendarFeed
from psoas.web.api.api import api as ninja_api
from psoas.web.batches.models import BatchReport, ReportBatch, State
from psoas.web.clips.models import ClipAnalysis
from psoas.web.jobs.tasks import keep_report
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.tracking.services import start_session
from tests.clinic_seed import as_patient, as_staff, clinic_mode, world
from tests.test_reads_never_write import page_routes

pytestmark = [pytest.mark.store, pytest.mark.postgres]

ROLES = ("anonymous", "patient_a", "patient_b", "cara", "sam", "north_admin", "south_admin")
STAFF = ("cara", "sam", "north_admin", "south_admin")
LOGIN, OK = "login", "ok"


def kind(anonymous, patient_a, patient_b, cara, sam, north_admin, south_admin):
    given = (anonymous, patient_a, patient_b, cara, sam, north_admin, south_admin)
    return dict(zip(ROLES, given, strict=True))


KINDS = {
    # the frame: anyone
    "open": kind(200, 200, 200, 200, 200, 200, 200),
    # the health check: no login and the same answer for all. This test database has no
    # task queue tables (Procrastinate's migrations run where PSOAS_MODE=clinic is set at
    # start), so it names the queue unreachable (tests/test_health.py has the 200s).
    "health": kind(503, 503, 503, 503, 503, 503, 503),
    "login": kind(200, 302, 302, 302, 302, 302, 302),
    "logout": kind(302, 302, 302, 302, 302, 302, 302),
    # account pages before a login: an invitation without its code is unknown to all
    "invite": kind(404, 404, 404, 404, 404, 404, 404),
    "reset": kind(200, 200, 200, 200, 200, 200, 200),
    # a patient's own pages and API: staff are not patients
    "patient": kind(LOGIN, OK, OK, 404, 404, 404, 404),
    # a record of patient A's (their session): not B's, not staff's
    "patient_a": kind(LOGIN, OK, 404, 404, 404, 404, 404),
    # the site's root: patients' Today, staff's own start page
    "root": kind(LOGIN, OK, OK, 302, 302, 302, 302),
    # staff pages
    "staff": kind(LOGIN, 404, 404, 200, 200, 200, 200),
    "second_factor": kind(LOGIN, 404, 404, 302, 302, 302, 302),  # verified already: go on
    # patient A's page for staff: A's care team and A's clinic's admin only
    "staff_a": kind(LOGIN, 404, 404, 200, 404, 200, 404),
    # patient A's records in the staff API: the same people, served (writes not asked)
    "staff_a_api": kind(LOGIN, 404, 404, OK, 404, OK, 404),
    # a staff form's target (acknowledging an alert): POST only; the guard's 404 for
    # another clinic's row is in tests/test_clinic_alerts.py
    "staff_post": kind(LOGIN, 404, 404, 405, 405, 405, 405),
    # a batch of reports and its files: the staff member who asked for it only (Cara)
    "own_batch": kind(LOGIN, 404, 404, 200, 404, 404, 404),
    # a clinic's alert settings: its admins only
    "clinic_settings": kind(LOGIN, 404, 404, 404, 404, 200, 200),
    # a clinic admin's page (the audit trail): each admin sees their own clinic's rows
    "clinic_admin": kind(LOGIN, 404, 404, 404, 404, 200, 200),
    # local mode's tools over the whole store: none in a clinic; and what is no page at all
    # (the API's root, a file that was never made)
    "local_only": kind(LOGIN, 404, 404, 404, 404, 404, 404),
    "no_page": kind(LOGIN, 404, 404, 404, 404, 404, 404),
    "local_only_open": kind(404, 404, 404, 404, 404, 404, 404),
    # the API's own description
    "api_meta": kind(LOGIN, 200, 200, 404, 404, 404, 404),
}

# Every URL pattern (the resolver's, less the API's operations, which are below by method).
PAGES = {
    "": "root",
    "api/": "no_page",
    "api/docs": "api_meta",
    "api/openapi.json": "api_meta",
    "block/": "patient",
    "breaks/": "patient",
    "breaks/act": "patient",
    "breaks/now/": "patient",
    "calendar/<str:token>.ics": "local_only_open",
    "checkin/": "patient",
    "checkin/done/": "patient",
    "clinic/": "staff",
    "clinic/alerts/": "staff",
    "clinic/invite/": "staff",
    "clinic/alerts/<str:public_id>/": "staff_post",
    "clinic/settings/": "clinic_settings",
    "clinic/audit/": "clinic_admin",
    "clinic/audit.csv": "clinic_admin",
    "clinic/jobs/": "clinic_admin",
    "clinic/api-tokens/": "staff",
    "clinic/jobs/<int:job_id>/retry": "staff_post",
    "clinic/patients/<str:public_id>/": "staff_a",
    "clinic/patients/<str:public_id>/messages/": "staff_post",
    "clinic/patients/<str:public_id>/messages/read/": "staff_post",
    "clinic/messages/": "staff",
    "clinic/patients/<str:public_id>/program/": "staff_a",
    "clinic/patients/<str:public_id>/clips/": "staff_a",
    "clinic/patients/<str:public_id>/clips/<str:clip_id>/": "staff_a",
    "clinic/patients/<str:public_id>/program/history/": "staff_a",
    "clinic/patients/<str:public_id>/export/csv": "staff_a",
    "clinic/patients/<str:public_id>/export/fhir": "staff_a",
    "clinic/patients/<str:public_id>/report.pdf": "staff_a",
    "clinic/second-factor/": "second_factor",
    "clinic/reports/": "staff",
    "clinic/reports/<str:batch_id>/": "own_batch",
    "clinic/reports/<str:batch_id>/all.zip": "own_batch",
    "clinic/reports/<str:batch_id>/patients/<str:public_id>/report.pdf": "own_batch",
    "exercises/": "patient",
    "exercises/<str:exercise_id>/": "patient",
    "files/<str:token>": "no_page",
    "reports/": "patient",
    "reports/<str:token>/": "no_page",  # a token that is no report of anyone's
    "invite/": "invite",
    "learn/": "patient",
    "learn/<str:topic_id>/": "patient",
    "login/": "login",
    "messages/": "patient",
    "messages/read/": "patient",
    "logout/": "logout",
    "manifest.webmanifest": "open",
    "pair/": "local_only_open",
    "password-reset/": "reset",
    "password-reset/<uidb64>/<token>/": "reset",
    "password-reset/done/": "reset",
    "password-reset/sent/": "reset",
    "ping": "open",
    "healthz": "health",
    "plan/": "patient",
    "progress/": "patient",
    "self-tests/": "patient",
    "session/<int:session_id>/": "patient_a",
    "settings/": "patient",
    "settings/backup": "local_only",
    "settings/breaks": "patient",
    "settings/breaks/switch": "patient",
    "settings/calendar-link": "patient",
    "settings/api-tokens/": "patient",
    "settings/reminder": "patient",
    "settings/delete": "local_only",
    "settings/erase/": "patient",
    "settings/export/csv": "patient",
    "settings/export/fhir": "patient",
    "settings/export/ics": "patient",
    "settings/phone-link": "local_only",
    "settings/report.pdf": "patient",
    "settings/restore": "local_only",
    "start/": "patient",
    "start/<slug:slug>/": "patient",
    "start/refer/": "patient",
    "sw.js": "open",
    "today/": "patient",
    "today/log/": "patient",
}

# Every API operation, by method and path as the API's OpenAPI schema gives them.
API = {
    ("GET", "/api/profile"): "patient",
    ("PUT", "/api/profile"): "patient",
    ("GET", "/api/profile/versions"): "patient",
    ("GET", "/api/plan"): "patient",
    ("POST", "/api/plan"): "patient",
    ("GET", "/api/today"): "patient",
    ("POST", "/api/sessions"): "patient",
    ("POST", "/api/sessions/{session_id}/exercises"): "patient_a",
    ("POST", "/api/sessions/{session_id}/finish"): "patient_a",
    ("POST", "/api/sessions/{session_id}/coach"): "patient_a",
    ("POST", "/api/logs"): "patient",
    ("POST", "/api/checkins"): "patient",
    ("GET", "/api/history"): "patient",
    ("GET", "/api/progress"): "patient",
    ("GET", "/api/block"): "patient",
    ("POST", "/api/block/review"): "patient",
    ("POST", "/api/block/choice"): "patient",
    ("GET", "/api/breaks"): "patient",
    ("GET", "/api/breaks/stats"): "patient",
    ("POST", "/api/breaks/events"): "patient",
    ("POST", "/api/breaks/now/finish"): "patient",
    ("GET", "/api/breaks/settings"): "patient",
    ("PUT", "/api/breaks/settings"): "patient",
    ("GET", "/api/messages"): "patient",
    ("POST", "/api/messages"): "patient",
    ("POST", "/api/messages/read"): "patient",
    ("GET", "/api/clinic/messages"): "staff",
    ("GET", "/api/clinic/patients/{public_id}/messages"): "staff_a_api",
    ("POST", "/api/clinic/patients/{public_id}/messages"): "staff_a_api",
    ("POST", "/api/clinic/patients/{public_id}/messages/read"): "staff_a_api",
    ("GET", "/api/clinic/patients/{public_id}/program"): "staff_a_api",
    ("POST", "/api/clinic/patients/{public_id}/program"): "staff_a_api",
}


# The body a write is sent with: a valid one, so that a refusal is the scope's, not the
# body's (the others are refused before their body is read).
EXERCISE = "glute_bridge"
BODIES = {
    ("POST", "/api/sessions/{session_id}/exercises"): {
        "exercise_id": EXERCISE,
        "sets": [{"side": "both", "set_number": 1, "status": "done"}],
    },
    ("POST", "/api/sessions/{session_id}/finish"): {"status": "quit"},
    ("POST", "/api/sessions/{session_id}/coach"): {
        "exercise_id": EXERCISE,
        "side": "left",
        "frames": [{"t": 0, "points": None, "world": None, "aspect": 1}],
    },
    ("POST", "/api/messages"): {"text": "hello"},
    ("POST", "/api/messages/read"): {"upto": 1},
    ("POST", "/api/clinic/patients/{public_id}/messages"): {"text": "hello"},
    ("POST", "/api/clinic/patients/{public_id}/messages/read"): {"upto": 1},
    ("POST", "/api/clinic/patients/{public_id}/program"): {"reason": "Reviewed at the clinic."},
}


def resolver_routes() -> set[str]:
    return set(page_routes())


def api_operations() -> set[tuple[str, str]]:
    paths = ninja_api.get_openapi_schema()["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops}


def api_patterns() -> set[str]:
    """The API's operations as the resolver spells them ("api/sessions/<session_id>/...")."""
    return {p.lstrip("/").replace("{", "<").replace("}", ">") for _, p in api_operations()}


@pytest.mark.django_db  # also makes pytest-django set the test database up for the cells
def test_every_route_is_in_the_matrix():
    pages = resolver_routes() - api_patterns()
    missing_pages = sorted(pages - set(PAGES))
    missing_api = sorted(api_operations() - set(API))
    assert not missing_pages, (
        f"routes not in the matrix (tests/test_clinic_matrix.py): {missing_pages}"
    )
    assert not missing_api, f"API operations not in the matrix: {missing_api}"
    for name in [*PAGES.values(), *API.values()]:
        assert set(KINDS[name]) == set(ROLES)


# --- the world the cells run in ------------------------------------------------------------

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 3},
}


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker):
    """Two clinics, patients A and B some days into a plan, A with a session in progress
    and a calendar link, made once for the module; the tables are emptied at the end. The
    cells run on the database as it is, with no transaction around them (some pages open
    their own at a chosen isolation level), so a cell that wrote would show in the others."""
    from django.core.management import call_command

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        made = world()
        start = date.today() - timedelta(3)
        for key in "AB":
            person = made.patients[key].person
            version = save_profile(person, PROFILE)
            save_plan(person, version, build_plan(parse_profile(PROFILE)), start)
        person = made.patients["A"].person
        session = start_session(person, person.plans.get(), date.today(), 1, 0)
        feed = CalendarFeed.objects.create(person=person)
        clip = ClipAnalysis.objects.create(
            public_id="matrix-clip", person=person, uploader_name="cara", exercise=EXERCISE,
            side="left", suffix=".mp4", status="failed", reason="Clip: the file is empty",
        )  # fmt: skip
        batch = ReportBatch.objects.create(owner=made.users["cara"], end=date.today())
        BatchReport.objects.create(
            batch=batch, person=person, state=State.READY,
            file=keep_report(person, "psoas-report.pdf", b"%PDF-1.7 a stand-in"),
        )  # fmt: skip
        made.values = {
            "session_id": session.id,
            "token": feed.token,  # calendar/<token>.ics; files/<token> has none of that name
            "public_id": made.patients["A"].public_id,
            "exercise_id": next(iter(catalog().exercises)),
            "topic_id": next(iter(catalog().topics)),
            "slug": "about",
            "uidb64": "MQ",
            "clip_id": clip.public_id,
            "batch_id": batch.public_id,
            "job_id": 1,  # clinic/jobs/<job_id>/retry is POST only: any number
        }
    with django_db_blocker.unblock():
        yield made
        call_command("flush", interactive=False, verbosity=0)


def url_for(route: str, values: dict) -> str:
    import re

    path = "/" + route.replace("{", "<").replace("}", ">").lstrip("/")
    return re.sub(r"<(?:[a-z]+:)?([a-z0-9_]+)>", lambda m: str(values[m.group(1)]), path)


def client_for(role: str, w) -> Client:
    if role == "anonymous":
        return Client()
    user = w.users[role]
    return as_staff(user) if role in STAFF else as_patient(user)


def check(response, expected, route: str, role: str) -> None:
    where = f"{route} as {role}: {response.status_code} {response.get('Location', '')}"
    status = response.status_code
    if expected == LOGIN:
        if route.startswith(("api/", "/api/")):
            assert status == 401, where
        else:
            assert status == 302 and response["Location"].startswith("/login/"), where
    elif expected == OK:
        login = status == 302 and response["Location"].startswith("/login/")
        assert (status < 400 and not login) or status == 405, where
    else:
        assert status == expected, where


def page_cells():
    """Every role on every route here (an entry for a route that another branch adds is
    kept, and asked once that route exists)."""
    here = resolver_routes()
    return [(route, role) for route in sorted(PAGES) if route in here for role in ROLES]


def api_cells():
    """GET by every role; a write only by the roles that must be refused."""
    cells = []
    here = api_operations()
    for (method, path), name in sorted(API.items()):
        if (method, path) not in here:
            continue
        for role in ROLES:
            if method != "GET" and KINDS[name][role] == OK:
                continue
            cells.append((method, path, role))
    return cells


@pytest.mark.parametrize(("route", "role"), page_cells())
@clinic_mode
def test_page(route, role, w):
    response = client_for(role, w).get(url_for(route, w.values))
    check(response, KINDS[PAGES[route]][role], route, role)


@pytest.mark.parametrize(("method", "path", "role"), api_cells())
@clinic_mode
def test_api(method, path, role, w):
    response = ask(client_for(role, w), method, path, w)
    check(response, KINDS[API[(method, path)]][role], path, role)


def ask(client: Client, method: str, path: str, w):
    """An API operation, with its valid body for a write (BODIES)."""
    url = url_for(path, w.values)
    send = getattr(client, method.lower())
    if method == "GET":
        return send(url)
    body = json.dumps(BODIES.get((method, path), {}))
    return send(url, data=body, content_type="application/json")


def key_client(role: str, w) -> Client:
    """A client that sends the role's own API key and no session cookie (staff keys are
    made after the second factor, as the keys page requires)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from psoas.web.clinic.api_tokens import mint

    user = w.users[role]
    if role in STAFF:
        TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    _row, key = mint(user, "matrix", 30)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize(
    ("method", "path", "role"), [c for c in api_cells() if c[2] != "anonymous"]
)
@clinic_mode
def test_api_with_a_key(method, path, role, w):
    """The same cells with the role's API key instead of its login: the same answers."""
    response = ask(key_client(role, w), method, path, w)
    check(response, KINDS[API[(method, path)]][role], path, role)
    assert "sessionid" not in response.cookies  # a key's request has no session
