"""Phone links (issue 16 item 4), through Django's test client on a real database: a link
shows whose login it gives without using it (a GET writes nothing), its form logs the
browser in and burns it, a used, expired or unknown link is a 410 or 404 page that says
how to get a new one, only a hash is stored, and the Settings page makes links only for a
logged-in person on a server that asks for logins. Backups leave the links out. The
browser test with a second context (the phone) is tests/e2e/test_phone.py."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from psoas.web.account import pairing
from psoas.web.account.models import PairingLink
from psoas.web.link_codes import code_hash
from tests.test_cli import PSOAS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

NETWORK = "http://192.0.2.5:8765"  # a documentation address: nothing is sent to it


@pytest.fixture
def sam():
    return get_user_model().objects.create_user("sam", password="a long password")


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


def rows() -> list[tuple]:
    return list(PairingLink.objects.order_by("pk").values_list())


def logged_in(client: Client) -> bool:
    return client.get("/api/plan").status_code != 401


@override_settings(REQUIRE_LOGIN=True)
def test_a_link_logs_the_phone_in_once(sam):
    link = pairing.make_link(sam, NETWORK)
    assert link.url.startswith(f"{NETWORK}/pair/?code=") and link.login == "sam"
    assert timedelta(minutes=9) < link.expires_at - timezone.now() <= pairing.LIFETIME
    phone = Client()
    assert not logged_in(phone)
    before = rows()
    page = phone.get(f"/pair/?code={code_of(link.url)}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "logs this phone in to psoas as <strong>sam</strong>" in text
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    assert rows() == before and not logged_in(phone)  # looking uses nothing
    assert phone.head(f"/pair/?code={code_of(link.url)}").status_code == 200
    r = phone.post("/pair/", {"code": code_of(link.url)})
    assert r.status_code == 302 and r["Location"] == "/today/"
    assert logged_in(phone) and phone.get("/today/").status_code == 200
    assert phone.session["_auth_user_id"] == str(sam.pk)
    assert PairingLink.objects.get().used_at is not None
    # burnt: a second phone gets a page that says so, and is not let in
    other = Client()
    again = other.post("/pair/", {"code": code_of(link.url)})
    assert again.status_code == 410 and "used this link already" in again.content.decode()
    assert "Make a phone link" in again.content.decode() and not logged_in(other)
    assert other.get(f"/pair/?code={code_of(link.url)}").status_code == 410


@override_settings(REQUIRE_LOGIN=True)
def test_an_expired_link_says_so_and_lets_no_one_in(sam):
    link = pairing.make_link(sam, NETWORK)
    PairingLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    phone = Client()
    page = phone.get(f"/pair/?code={code_of(link.url)}")
    assert page.status_code == 410
    assert "too old" in page.content.decode() and "10 minutes" in page.content.decode()
    assert phone.post("/pair/", {"code": code_of(link.url)}).status_code == 410
    assert not logged_in(phone) and PairingLink.objects.get().used_at is None


@override_settings(REQUIRE_LOGIN=True)
@pytest.mark.parametrize("query", ["?code=not-a-code", "", "?code="])
def test_an_unknown_link_is_a_404_page_that_says_how_to_get_a_new_one(sam, query):
    pairing.make_link(sam, NETWORK)
    page = Client().get(f"/pair/{query}")
    assert page.status_code == 404
    text = page.content.decode()
    assert "does not know this link" in text and "Make a phone link" in text


@override_settings(REQUIRE_LOGIN=True)
def test_a_link_of_a_login_switched_off_does_not_work(sam):
    link = pairing.make_link(sam, NETWORK)
    sam.is_active = False
    sam.save()
    phone = Client()
    assert phone.post("/pair/", {"code": code_of(link.url)}).status_code == 404
    assert not logged_in(phone)


def test_on_this_computer_only_there_is_no_phone_link(sam):
    link = pairing.make_link(sam, NETWORK)
    assert Client().get(f"/pair/?code={code_of(link.url)}").status_code == 404
    assert Client().post("/pair/", {"code": code_of(link.url)}).status_code == 404
    assert PairingLink.objects.get().used_at is None


def test_only_a_hash_is_kept_and_old_links_go_when_a_new_one_is_made(sam):
    first = pairing.make_link(sam, NETWORK)
    code = code_of(first.url)
    assert len(code) == 22  # 128 bits
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM account_pairinglink")
        assert code not in repr(cur.fetchall())
    assert pairing.redeem(code) == (pairing.LinkState.OK, sam)
    assert pairing.redeem(code) == (pairing.LinkState.USED, None)
    stale = pairing.make_link(sam, NETWORK)
    PairingLink.objects.filter(code_hash=code_hash(code_of(stale.url))).update(
        expires_at=timezone.now()
    )
    pairing.make_link(sam, NETWORK)
    assert PairingLink.objects.count() == 1  # the used and the expired one are gone


# --- the Settings page ----------------------------------------------------------------


@override_settings(REQUIRE_LOGIN=True, NETWORK_ORIGIN=NETWORK)
def test_settings_makes_a_phone_link_with_a_qr_code_for_the_logged_in_person(sam):
    laptop = Client()
    assert laptop.post("/settings/phone-link").status_code == 302  # not logged in: login
    assert PairingLink.objects.count() == 0
    laptop.force_login(sam)
    page = laptop.get("/settings/").content.decode()
    assert "Use psoas on your phone" in page and "Make a phone link" in page
    assert 'action="/settings/phone-link"' in page and "/pair/?code=" not in page
    assert PairingLink.objects.count() == 0  # the page only offers
    assert laptop.get("/settings/phone-link").status_code == 405  # making one is a POST
    r = laptop.post("/settings/phone-link")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    text = r.content.decode()
    url = unescape(re.search(r'id="phone_url" value="([^"]+)"', text)[1])
    assert url.startswith(f"{NETWORK}/pair/?code=")  # the network address, not 127.0.0.1
    assert re.search(r'<img class="qr" src="data:image/svg\+xml[^"]+" alt="A code to scan', text)
    assert "Make a new phone link" in text
    phone = Client()
    assert phone.post("/pair/", {"code": code_of(url)}).status_code == 302
    assert phone.session["_auth_user_id"] == str(sam.pk)


@override_settings(REQUIRE_LOGIN=True, HTTPS_ORIGIN="https://psoas.example.org")
def test_behind_the_proxy_the_link_uses_its_https_address(sam):
    laptop = Client()
    laptop.force_login(sam)
    r = laptop.post("/settings/phone-link", headers={"X-Forwarded-Proto": "https"})
    url = unescape(re.search(r'id="phone_url" value="([^"]+)"', r.content.decode())[1])
    assert url.startswith("https://psoas.example.org/pair/?code=")


@override_settings(REQUIRE_LOGIN=True, ALLOWED_HOSTS=["*"])
def test_without_a_network_address_the_link_uses_the_page_address(sam):
    laptop = Client()
    laptop.force_login(sam)
    r = laptop.post("/settings/phone-link", headers={"Host": "192.0.2.9:8765"})
    assert 'value="http://192.0.2.9:8765/pair/?code=' in r.content.decode()


def test_on_this_computer_only_settings_offer_no_phone_link():
    page = Client().get("/settings/").content.decode()
    assert "Use psoas on your phone" not in page
    assert Client().post("/settings/phone-link").status_code == 404
    assert PairingLink.objects.count() == 0


# --- backups --------------------------------------------------------------------------

MAKE_LINK = """
from psoas.web.bootstrap import setup
setup()
from django.contrib.auth import get_user_model
from psoas.web.account.pairing import make_link
from psoas.web.link_codes import code_hash
user = get_user_model().objects.create_user("sam", password="a long password")
url = make_link(user, "http://192.0.2.5:8765").url
print(code_hash(url.rsplit("=", 1)[1]))
"""


def test_backups_leave_out_phone_links(tmp_path):
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("PSOAS_DATABASE_URL", None)
    run = {"env": env, "capture_output": True, "text": True}
    r = subprocess.run([PSOAS, "init", "--profile", "examples/desk_worker.json"], **run)
    assert r.returncode == 0, r.stderr
    made = subprocess.run([sys.executable, "-c", MAKE_LINK], **run)
    hashed = made.stdout.strip()
    assert len(hashed) == 64, made.stderr
    out = tmp_path / "b.backup"
    r = subprocess.run([PSOAS, "backup", str(out)], **run)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT count(*) FROM account_pairinglink").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM auth_user").fetchone() == (1,)
    assert hashed.encode() not in out.read_bytes()  # not even in a free page
