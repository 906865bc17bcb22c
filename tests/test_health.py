"""`/healthz` through Django's test client: 200 with the parts that answered, no login
needed even where every page asks for one, and (a real server on PostgreSQL) 503 naming the
database once it is gone, in local mode (the database only) and in clinic mode (the
database and the task queue's table)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings


@pytest.fixture
def client(transactional_db) -> Client:
    return Client(raise_request_exception=True)


def test_healthz_answers_200_with_the_database_and_no_queue_in_local_mode(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"]
    assert json.loads(r.content) == {"status": "ok", "mode": "local", "database": "ok"}


@override_settings(REQUIRE_LOGIN=True)
def test_healthz_needs_no_login_where_every_page_does(client):
    assert client.get("/today/").status_code == 302  # the rule is on
    r = client.get("/healthz")
    assert r.status_code == 200 and json.loads(r.content)["status"] == "ok"
    assert "sessionid" not in r.cookies


def test_healthz_takes_only_reads(client):
    assert client.post("/healthz").status_code in (403, 405)


@pytest.mark.store
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("mode", "parts"), [("local", ["database"]), ("clinic", ["database", "queue"])]
)
def test_a_server_answers_503_naming_the_database_once_it_is_gone(env, tmp_path, mode, parts):
    """A real `psoas serve` on its own PostgreSQL database; the database is then dropped
    (its connections ended by the server), as when PostgreSQL goes down under it."""
    import psycopg

    from tests import server_process

    server = server_process.start({**env, "PSOAS_MODE": mode}, tmp_path)
    try:
        ok = {"status": "ok", "mode": mode, **dict.fromkeys(parts, "ok")}
        assert server.request("GET", "/healthz") == (200, ok)
        url = env["PSOAS_DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        status, body = server.request("GET", "/healthz")
        assert status == 503, body
        gone = dict.fromkeys(parts, "unreachable")
        assert body == {"status": "failing", "mode": mode, **gone, "failing": parts}
    finally:
        server_process.stop(server.proc)
