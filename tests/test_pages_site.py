"""The frame's views through Django's test client: welcome, the manifest and service
worker, the trivial view, login and logout, the 404 page, and the login rule off loopback."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.programs.services import local_person, save_plan, save_profile

pytestmark = [pytest.mark.django_db(transaction=True)]

PROFILE = {"schema": "psoas.profile/1", "age": 40, "sitting_hours_per_day": 8}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def test_welcome_shows_the_disclaimer_and_the_way_in(client):
    r = client.get("/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "does not diagnose you" in text and 'href="/start/"' in text
    assert text.count("<h1") == 1


def test_welcome_goes_to_today_once_there_is_a_plan(client):
    person = local_person()
    version = save_profile(person, PROFILE)
    from datetime import date

    save_plan(person, version, build_plan(parse_profile(PROFILE)), date.today())
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/today/"


def test_welcome_only_answers_get(client):
    assert client.post("/").status_code == 405


def test_trivial_view(client):
    r = client.get("/ping")
    assert r.status_code == 200 and r.content == b"ok"


def test_manifest_names_the_app_and_its_icons(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    data = r.json()
    assert data["start_url"] == "/today/" and data["display"] == "standalone"
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_from_the_root_and_not_cached(client):
    r = client.get("/sw.js")
    assert r.status_code == 200
    assert r["Service-Worker-Allowed"] == "/" and "no-cache" in r["Cache-Control"]
    assert b"fetch" in r.content


def test_unknown_page_is_a_friendly_404(client):
    r = Client().get("/no-such-page/")
    assert r.status_code == 404 and b"We could not find that page" in r.content


def test_nav_marks_the_current_section(client):
    r = client.get("/learn/")
    assert b'href="/learn/" aria-current="page"' in r.content
    assert b'href="/plan/" aria-current' not in r.content


def test_login_page_and_a_wrong_password(client):
    get_user_model().objects.create_user("sam", password="a long password")
    assert client.get("/login/").status_code == 200
    r = client.post("/login/", {"username": "sam", "password": "nope"})
    assert r.status_code == 200 and b'role="alert"' in r.content
    r = client.post("/login/", {"username": "sam", "password": "a long password"})
    assert r.status_code == 302


def test_logout_needs_a_post(client):
    user = get_user_model().objects.create_user("sam", password="a long password")
    client.force_login(user)
    assert client.get("/logout/").status_code == 302
    assert client.session.get("_auth_user_id")  # a GET does not log out
    r = client.post("/logout/")
    assert r.status_code == 302 and not client.session.get("_auth_user_id")


@override_settings(REQUIRE_LOGIN=True)
def test_off_loopback_pages_redirect_and_api_answers_401(client):
    r = client.get("/plan/")
    assert r.status_code == 302 and r["Location"] == "/login/?next=/plan/"
    r = client.get("/api/plan")
    assert r.status_code == 401 and r.json()["detail"].startswith("login:")
    for open_path in ("/login/", "/manifest.webmanifest", "/sw.js", "/ping"):
        assert client.get(open_path).status_code == 200, open_path
    assert client.get("/static/site/app.css").status_code == 200
    user = get_user_model().objects.create_user("sam", password="a long password")
    client.force_login(user)
    assert client.get("/learn/").status_code == 200
    assert b"Log out" in client.get("/learn/").content
