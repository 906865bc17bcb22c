"""Who can use the running app, in a real browser: the loopback link and its page, a page on
another port of this computer that tries to write, the Content-Security-Policy on the API
docs, a paused login, and a login behind an HTTPS proxy (the probe's findings 1, 3, 5, 6)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.conftest import server_with_login, start_server, stop_server

RED_FLAG = '{"nprs": 0, "red_flags": ["hot_swollen_joint_fever"]}'


def test_a_browser_without_the_link_gets_a_page_saying_to_open_it(server, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    stranger = ctx.new_page()
    r = stranger.goto(server.url + "plan/")
    assert r.status == 403
    assert stranger.title() == "Open your link · psoas"
    text = main_text(stranger)
    assert "psoas serve" in text and grade(text) <= 8
    check_page(stranger, "access-open-the-link")
    assert stranger.request.get(server.url + "api/plan").status == 401
    assert server.link and server.link.startswith(server.url + "?token=")
    stranger.goto(server.link)  # the link psoas serve printed
    assert stranger.url == server.url  # the token leaves the address bar and the history
    assert stranger.title() == "Welcome · psoas"
    stranger.goto(server.url + "plan/")
    assert "/plan/" in stranger.url and stranger.title() != "Open your link · psoas"
    ctx.close()


def test_the_link_cookie_outlives_a_restart_the_token_does_not(server, browser):
    ctx = browser.new_context()
    server.let_in(ctx)
    old_link = server.link
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    stop_server(server)
    again = start_server(server.env, "--port", port)
    try:
        assert again.link != old_link
        assert ctx.request.get(again.url + "api/today").status == 404  # in: no plan yet
        fresh = browser.new_context()
        assert fresh.request.get(old_link).status == 403  # an old link lets no one in
        fresh.close()
    finally:
        stop_server(again)
        ctx.close()


EVIL_PAGE = """<!doctype html><html lang="en"><title>Win a prize</title>
<form method="post" action="{api}logs" enctype="text/plain">
<input name='{{"notes": "from evil", "x": "' value='"}}'></form>
<script>
window.tryFetch = async () => {{
  try {{
    await fetch("{api}checkins", {{method: "POST", mode: "no-cors", credentials: "include",
      headers: {{"Content-Type": "text/plain"}}, body: '{red}'}});
    return "sent";
  }} catch (e) {{ return "failed: " + e; }}
}};
</script></html>"""


def test_a_page_on_another_port_of_this_computer_cannot_write(server, page):
    """The probe's same-site case: the browser sends the cookie to every port of 127.0.0.1,
    so only the Sec-Fetch-Site and Origin check stands between that page and the store."""
    assert server.cli("init", "--profile", "examples/desk_worker.json").returncode == 0
    evil = "http://127.0.0.1:9/prize.html"  # nothing listens on port 9: the route serves it
    body = EVIL_PAGE.format(api=server.url + "api/", red=RED_FLAG)
    page.route(evil, lambda route: route.fulfill(body=body, content_type="text/html"))
    page.goto(evil)
    page.evaluate("window.tryFetch()")
    with page.expect_navigation() as nav:
        page.evaluate("document.forms[0].submit()")
    assert nav.value.status == 403  # the server's answer, not the browser's
    assert page.request.get(server.url + "api/today").json()["status"] != "refer"
    assert page.request.get(server.url + "api/history").json() == []
    assert page.request.get(server.url + "api/plan").json()["plan"]["status"] == "ok"


def test_api_docs_work_under_the_content_security_policy(server, page):
    r = page.goto(server.url + "api/docs")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info", state="visible")


def test_five_wrong_passwords_pause_the_login(open_server, page):
    page.goto(open_server.url + "login/")
    for _ in range(5):
        page.get_by_label("User name").fill("sam")
        page.get_by_label("Password").fill("not my password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    assert page.title() == "Login paused · psoas"
    page.goto(open_server.url + "login/")
    page.get_by_label("User name").fill("sam")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.title() == "Login paused · psoas"  # even the right password, for now
    text = main_text(page)
    assert "15 minutes" in text and grade(text) <= 8
    check_page(page, "access-login-paused")
    assert page.request.get(open_server.url + "api/plan").status == 401


PUBLIC = "https://psoas.example.org"
PROXY_HEADERS = {
    "Host": "psoas.example.org",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.7",
}


@pytest.fixture
def proxied(tmp_path):
    s = server_with_login(tmp_path, "alice", "secret123456 horse", "--behind-https-proxy", PUBLIC)
    yield s
    stop_server(s)


def login_form(url: str) -> tuple[str, str]:
    r = requests.get(url + "login/", headers=PROXY_HEADERS, timeout=30, allow_redirects=False)
    assert r.status_code == 200
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and cookie.startswith("csrftoken=")
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)', r.text)[1]
    return cookie.split(";", 1)[0], token


def post_login(url, cookie, token, origin):
    return requests.post(
        url + "login/",
        data={"username": "alice", "password": "secret123456 horse", "csrfmiddlewaretoken": token},
        headers={**PROXY_HEADERS, "Cookie": cookie, "Origin": origin},
        timeout=30,
        allow_redirects=False,
    )


def test_login_works_behind_an_https_proxy(proxied):
    """The probe's finding 3: the browser's Origin is https://HOST, the app hears http."""
    cookie, token = login_form(proxied.url)
    assert post_login(proxied.url, cookie, token, "http://psoas.example.org").status_code == 403
    r = post_login(proxied.url, cookie, token, PUBLIC)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    session = next(c for c in r.raw.headers.getlist("Set-Cookie") if "sessionid=" in c)
    assert "Secure" in session and "HttpOnly" in session
    # plain HTTP past the proxy goes to HTTPS; the proxy's health check does not
    plain = requests.get(proxied.url + "plan/", timeout=30, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    assert requests.get(proxied.url + "ping", timeout=30).status_code == 200
