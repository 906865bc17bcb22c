"""Who may change what, through Django's test client: no change from another site (the
probe's text/plain and form posts from a foreign Origin, a same-site port with a login
cookie), JSON only on the API, the loopback link, login limits, the Content-Security-Policy
and the templates it relies on. Every refusal is checked in the database too."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone

from psoas.web.outcomes.models import PainCheckin
from psoas.web.programs.models import Plan, ProfileVersion
from psoas.web.site.middleware import policy
from psoas.web.tracking.models import SessionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {"schema": "psoas.profile/1", "age": 40, "sitting_hours_per_day": 8}
EVIL = "https://evil.example"
WEB = Path(__file__).resolve().parents[1] / "psoas" / "web"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


@pytest.fixture
def planned(client):
    assert client.put("/api/profile", PROFILE, content_type="application/json").status_code == 200
    assert client.post("/api/plan", {}, content_type="application/json").status_code == 200


def counts() -> tuple[int, ...]:
    return (
        PainCheckin.objects.count(),
        SessionLog.objects.count(),
        ProfileVersion.objects.count(),
        Plan.objects.count(),
    )


def still_fine(client, before) -> None:
    """Nothing written, and the program not stopped."""
    assert counts() == before
    assert client.get("/api/plan").json()["plan"]["status"] == "ok"


RED_FLAG = '{"nprs": 0, "red_flags": ["hot_swollen_joint_fever"]}'


def test_probe_text_plain_red_flag_from_another_site_is_refused(client, planned):
    before = counts()
    r = client.post("/api/checkins", RED_FLAG, content_type="text/plain", headers={"Origin": EVIL})
    assert r.status_code == 403 and r.json()["detail"].startswith("Origin:")
    still_fine(client, before)


def test_probe_form_encoded_log_from_another_site_is_refused(client, planned):
    before = counts()
    r = client.post(
        "/api/logs",
        '{"notes":"x"}',
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": EVIL},
    )
    assert r.status_code == 403
    still_fine(client, before)


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", None])
def test_api_takes_only_json_bodies(client, planned, kind):
    """An old browser that sends no Origin still cannot pass: it can send these kinds from
    another site, but not application/json without asking first."""
    before = counts()
    kwargs = {"content_type": kind} if kind else {}
    r = client.post("/api/checkins", RED_FLAG, **kwargs) if kind else client.post("/api/plan")
    assert r.status_code == 415 and r.json()["detail"].startswith("Content-Type:")
    still_fine(client, before)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another port of the same computer
        {"Origin": "http://testserver:9999"},
        {"Origin": "null"},  # a sandboxed frame or a file
        {"Origin": "https://testserver"},  # the right host, the wrong scheme
        {"Sec-Fetch-Site": "same-origin", "Origin": EVIL},
    ],
)
def test_every_unsafe_method_from_elsewhere_is_refused(client, planned, headers):
    before = counts()
    for method, url in [
        ("post", "/api/checkins"),
        ("put", "/api/profile"),
        ("patch", "/api/profile"),
        ("delete", "/api/profile"),
        ("post", "/checkin/"),
        ("post", "/settings/delete"),
    ]:
        r = getattr(client, method)(url, RED_FLAG, content_type="application/json", headers=headers)
        assert r.status_code == 403, (method, url, r.status_code)
    still_fine(client, before)


def test_own_pages_and_programs_still_write(client, planned):
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    body = '{"nprs": 3, "none_of_these": true}'
    r = client.post("/api/checkins", body, content_type="application/json", headers=same)
    assert r.status_code == 200
    # no Origin and no Sec-Fetch-Site: a program (curl, a script), not a page
    assert client.post("/api/checkins", body, content_type="application/json").status_code == 200
    assert PainCheckin.objects.count() == 2
    r = client.post("/checkin/", {"pain": "2"}, headers=same)
    assert r.status_code not in (403, 415)  # past the guard: the form's own checks answer


def test_reading_from_elsewhere_is_not_a_change(client, planned):
    assert client.get("/api/plan", headers={"Origin": EVIL}).status_code == 200


@override_settings(REQUIRE_LOGIN=True)
def test_network_mode_same_site_port_with_a_login_cookie_is_refused(client, planned):
    """The probe: SameSite=Lax lets another port of the same host send the cookie."""
    user = get_user_model().objects.create_user("sam", password="a long password")
    client.force_login(user)
    before = counts()
    r = client.post(
        "/api/checkins",
        RED_FLAG,
        content_type="text/plain",
        headers={"Origin": "http://testserver:9999"},
    )
    assert r.status_code == 403
    still_fine(client, before)


# --- the loopback link -------------------------------------------------------------------


@override_settings(LOCAL_ACCESS_TOKEN="t0ken-for-this-run")
def test_loopback_needs_the_link_then_a_cookie_lets_the_browser_in(client):
    page = client.get("/today/")
    assert page.status_code == 403 and b"Open the link from psoas serve" in page.content
    assert client.get("/api/plan").status_code == 401
    assert client.get("/?token=wrong").status_code == 403
    for open_path in ("/ping", "/sw.js", "/manifest.webmanifest", "/static/site/app.css"):
        assert client.get(open_path).status_code == 200, open_path
    r = client.get("/learn/?token=t0ken-for-this-run&x=1")
    assert r.status_code == 302 and r["Location"] == "/learn/?x=1"  # the token leaves the URL
    cookie = r.cookies["psoas-access-80"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 3e7
    assert client.get("/learn/").status_code == 200
    assert client.get("/api/plan").status_code == 404  # in: no plan yet


@override_settings(LOCAL_ACCESS_TOKEN="t0ken-for-this-run")
def test_loopback_cookie_must_be_signed_and_scripts_may_send_the_token(client):
    client.cookies["psoas-access-80"] = "local"
    assert client.get("/learn/").status_code == 403
    other = Client()
    assert other.get("/api/plan", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = other.get("/api/plan", headers={"Authorization": "Bearer t0ken-for-this-run"})
    assert r.status_code == 404


# --- logins ------------------------------------------------------------------------------


def login(client, password):
    return client.post("/login/", {"username": "sam", "password": password})


@override_settings(REQUIRE_LOGIN=True)
def test_five_wrong_passwords_pause_the_login_even_for_the_right_one(client):
    from axes.models import AccessAttempt

    get_user_model().objects.create_user("sam", password="a long password")
    for _ in range(4):
        r = login(client, "wrong password")
        assert r.status_code == 200 and b'role="alert"' in r.content
    r = login(client, "wrong password")  # the 5th: paused from now on
    assert r.status_code == 429
    r = login(client, "a long password")  # the 6th try, with the right password
    assert r.status_code == 429 and b"Login paused" in r.content
    assert b"15 minutes" in r.content
    assert not client.session.get("_auth_user_id")
    assert client.get("/api/plan").status_code == 401
    # kept in the database: another server process sees the same count
    assert AccessAttempt.objects.get(username="sam").failures_since_start >= 5
    # after the pause, the right password works again
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, "a long password").status_code == 302


# --- headers and templates ---------------------------------------------------------------


def test_every_page_has_a_content_security_policy_without_unsafe_inline_scripts(client):
    for url in ("/", "/learn/", "/exercises/", "/start/", "/no-such-page/", "/api/docs", "/ping"):
        header = client.get(url)["Content-Security-Policy"]
        rules = dict(rule.strip().split(" ", 1) for rule in header.split(";"))
        assert rules["script-src"] == "'self'", url
        assert "unsafe" not in header and "frame-ancestors 'none'" in header
    assert policy() == header


def test_templates_have_no_inline_script_handler_or_style():
    """What the policy would block: inline <script> code, on...= handlers, style="..." and
    javascript: links. JSON data blocks (type="application/json") are not run."""
    problems = []
    for path in WEB.rglob("templates/**/*.html"):
        if "reports" in path.parts:  # the PDF's template: WeasyPrint, not a browser
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                problems.append(f"{path.name}: {tag}")
        problems += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        problems += [f"{path.name}: {m}" for m in re.findall(r"\sstyle\s*=", text)]
        problems += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert not problems


def test_htmx_injects_no_style_of_its_own(client):
    """htmx adds a <style> for its indicators and copies style attributes while it settles
    a swap; the policy would refuse both, so the config turns them off."""
    import json

    meta = re.search(rb"name=\"htmx-config\" content='([^']+)'", client.get("/").content)
    config = json.loads(meta[1])
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]
