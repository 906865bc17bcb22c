"""`psoas clinic init|invite|patients` as real processes on a fresh PostgreSQL database
each (the `env` fixture): the links they print work once in the web app, the lists show
public ids only, bad input is exit 2 naming the field, and SQLite is refused in one line."""

from __future__ import annotations

import json
import os

import pytest

from tests.test_cli import refused, run_in

pytestmark = [pytest.mark.store, pytest.mark.postgres]
ORIGIN = "https://care.example.org"


@pytest.fixture
def cenv(env):
    return {**env, "PSOAS_BEHIND_HTTPS_PROXY": ORIGIN, "NO_COLOR": "1"}


def ok(r) -> str:
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def accept(env, url: str, password: str = "a long and quiet password") -> None:
    """Use a printed link through the web app, on the same database, as a browser would."""
    script = (
        "import os, sys; os.environ['PSOAS_MODE'] = 'clinic';"
        "from psoas.web.bootstrap import setup; setup();"
        "from django.test import Client;"
        "from urllib.parse import urlsplit;"
        "u = urlsplit(sys.argv[1]); c = Client(HTTP_HOST=u.hostname);"
        "code = u.query.split('=', 1)[1];"
        "data = {'code': code, 'password': sys.argv[2], 'password2': sys.argv[2]};"
        "r = c.post('/invite/', data, secure=True);"
        "print(r.status_code, r.get('Location', ''))"
    )
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", script, url, password],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_help_names_every_command(cenv):
    text = ok(run_in(cenv, "clinic", "--help"))
    for command in ("init", "invite", "patients", "alerts"):
        assert command in text
    for command in ("init", "invite", "patients", "alerts"):
        assert "--help" in ok(run_in(cenv, "clinic", command, "--help"))


def invited(env, email: str, role: str, *more: str) -> dict:
    """What `psoas clinic invite --json` printed for a new invitation."""
    command = ("clinic", "invite", "--email", email, "--role", role, *more, "--json")
    return json.loads(ok(run_in(env, *command)))


def test_init_invite_and_patients_from_start_to_a_listed_patient(cenv):
    out = ok(
        run_in(
            cenv, "clinic", "init", "--name", "North Physio", "--admin-email", "Ann@North.example"
        )
    )
    assert "Clinic 'North Physio' is ready." in out
    link = out.strip().splitlines()[-1]
    assert link.startswith(f"{ORIGIN}/invite/?code=") and "ann@north.example" in out
    assert accept(cenv, link) == ["302", "/clinic/second-factor/"]
    assert accept(cenv, link) == ["410"]  # once only
    made = invited(cenv, "cara@north.example", "clinician")
    assert made["role"] == "clinician" and made["clinic"] == "North Physio"
    assert accept(cenv, made["link"])[0] == "302"
    assert json.loads(ok(run_in(cenv, "clinic", "patients", "--json"))) == []
    assert "No patients yet" in ok(run_in(cenv, "clinic", "patients"))
    more = ("--clinician", "cara@north.example", "--condition", "osteoporosis")
    pat = invited(cenv, "pat@mail.example", "patient", *more, "--limit", "no_kneeling")
    assert accept(cenv, pat["link"]) == ["302", "/start/"]
    listed = json.loads(ok(run_in(cenv, "clinic", "patients", "--json")))
    assert len(listed) == 1
    row = listed[0]
    assert set(row) == {"public_id", "clinic", "primary_clinician", "created", "last_activity"}
    assert row["primary_clinician"] == "cara@north.example" and row["last_activity"] is None
    assert "pat" not in row["public_id"] and len(row["public_id"]) == 16
    mine = json.loads(
        ok(run_in(cenv, "clinic", "patients", "--clinician", "cara@north.example", "--json"))
    )
    assert mine == listed
    assert (
        json.loads(
            ok(run_in(cenv, "clinic", "patients", "--clinician", "ann@north.example", "--json"))
        )
        == []
    )
    table = ok(run_in(cenv, "clinic", "patients"))
    assert row["public_id"] in table and "pat@mail.example" not in table


def test_bad_input_is_exit_2_naming_the_field(cenv):
    init = ("clinic", "init", "--name", "N", "--admin-email", "a@b.example")
    invite = ("clinic", "invite", "--email", "x@y.example", "--role")
    no_origin = {**cenv, "PSOAS_BEHIND_HTTPS_PROXY": ""}
    assert "--origin" in refused(run_in(no_origin, *init), "--origin")
    refused(run_in(cenv, *init, "--origin", "care.example.org"), "--origin")
    refused(run_in(cenv, "clinic", "init", "--name", " ", "--admin-email", "a@b.example"), "--name")
    refused(run_in(cenv, "clinic", "init", "--name", "N", "--admin-email", "nope"), "--admin-email")
    refused(run_in(cenv, *invite, "admin"), "--clinic")
    ok(run_in(cenv, "clinic", "init", "--name", "North", "--admin-email", "a@north.example"))
    refused(
        run_in(cenv, "clinic", "init", "--name", "North", "--admin-email", "b@north.example"),
        "--name",
    )
    refused(run_in(cenv, *invite, "owner"), "--role")
    refused(run_in(cenv, *invite, "patient"), "--clinician")
    patient = (*invite, "patient", "--clinician", "a@north.example")
    refused(run_in(cenv, *patient, "--condition", "flu"), "--condition")
    ok(run_in(cenv, "clinic", "init", "--name", "South", "--admin-email", "a@south.example"))
    refused(run_in(cenv, *invite, "admin"), "--clinic")
    refused(run_in(cenv, *invite, "admin", "--clinic", "East"), "--clinic")
    refused(run_in(cenv, "clinic", "patients", "--clinic", "East"), "--clinic")
    refused(run_in(cenv, "clinic", "patients", "--clinician", "nobody@x.example"), "--clinician")


def test_clinic_mode_refuses_sqlite_in_one_line(cenv, tmp_path):
    sqlite = {**cenv, "PSOAS_DATABASE_URL": f"sqlite:///{tmp_path}/psoas.sqlite3"}
    message = refused(run_in(sqlite, "clinic", "patients"), "--database-url")
    assert "PostgreSQL only" in message
    local = {k: v for k, v in cenv.items() if k != "PSOAS_DATABASE_URL"}
    assert "PostgreSQL only" in refused(
        run_in({**local, "PSOAS_MODE": "clinic"}, "clinic", "patients"), "--database-url"
    )
    assert not os.path.exists(tmp_path / "psoas.sqlite3")
