"""A clinician's batch of reports on a fresh PostgreSQL database with a real `psoas
worker` process (the pages and the seeding run in child processes in clinic mode:
tests/batch_steps.py).

Cara asks for her four patients' reports; the batch page shows 0 of 4 until the worker
runs, then every PDF is rendered once (pdftotext reads each patient's report, and the
patient with no plan is listed as such); each download and the zip work and leave an
audit row per patient; another clinician and the clinic admin get 404 for her batch and
its files; the form refuses an empty choice and a patient who is not hers; a duplicated
job renders nothing more.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.store, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clinic(env):
    e = {**env, "PSOAS_MODE": "clinic", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    e["PSOAS_SECRET_KEY"] = "batch-tests-" + "k7Qz9wX2mB4vN8pL5tR1yH6jD3fG0sA" * 2
    e["PSOAS_ALLOWED_HOSTS"] = "testserver"
    return e


def step(env, *args: str):
    done = subprocess.run(
        [sys.executable, "-m", "tests.batch_steps", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def query(env, sql: str) -> list[tuple]:
    with psycopg.connect(env["PSOAS_DATABASE_URL"]) as conn:
        return conn.execute(sql).fetchall()


def finished(env) -> int:
    return query(env, "SELECT count(*) FROM batches_batchreport WHERE state <> 'waiting'")[0][0]


@pytest.fixture
def worker(clinic, tmp_path):
    started = []

    def start():
        log = (tmp_path / f"worker{len(started)}.log").open("w")
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("psoas")), "worker"],
            env=clinic, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((proc, log))
        return proc

    yield start
    for proc, log in started:
        proc.terminate()
        proc.wait(30)
        log.close()


def wait_until(check, what: str, tmp_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    logs = "\n".join(p.read_text() for p in tmp_path.glob("worker*.log"))
    pytest.fail(f"{what} within {timeout} s\n{logs}")


def test_a_batch_renders_each_report_once_and_serves_it_to_its_owner_only(clinic, worker, tmp_path):
    ids = step(clinic, "seed")
    asked = step(clinic, "ask", *ids)
    assert asked["status"] == 302 and asked["to"].startswith("/clinic/reports/"), asked
    path = asked["to"]
    waiting = step(clinic, "page", path)
    assert waiting["status"] == 200
    assert "0 of 4 ready" in waiting["text"] and "Check again" in waiting["text"]
    assert 'max="4" value="0"' in waiting["text"]
    assert "all.zip" not in waiting["text"]  # no "Download all" before the batch is done
    assert step(clinic, "file", path + "all.zip")["status"] == 409

    worker()
    wait_until(lambda: finished(clinic) == 4, "all four reports", tmp_path)
    done = step(clinic, "page", path)["text"]
    assert "3 of 4 ready" in done and "1 with no plan to report on" in done
    assert "Check again" not in done and 'max="4" value="4"' in done
    assert "Di Dale" in done and "this patient has no plan yet" in done

    before = query(clinic, "SELECT count(*) FROM audit_auditevent WHERE action = 'download'")[0][0]
    links = re.findall(r'href="(/clinic/reports/[^"]+/patients/([^/]+)/report\.pdf)"', done)
    assert sorted(p for _, p in links) == sorted(ids[:3])
    names = {ids[0]: "Ann Able", ids[1]: "Bo Brook", ids[2]: "Cy Cole"}
    starts = {ids[0]: date.today() - timedelta(20)} | {
        i: date.today() - timedelta(10) for i in ids[1:3]
    }
    for link, public_id in links:
        got = step(clinic, "file", link)
        assert got["status"] == 200 and got["type"] == "application/pdf"
        text = pdf_text(bytes.fromhex(got["hex"]))
        assert "report for your physiotherapist" in text
        assert f"Covers {starts[public_id]} to {date.today()}" in text  # this patient's plan
        assert public_id in got["name"]
    zipped = step(clinic, "file", path + "all.zip")
    assert zipped["status"] == 200 and zipped["type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bytes.fromhex(zipped["hex"]))) as archive:
        inside = archive.namelist()
        assert sorted(n.split("-psoas-report-")[0] for n in inside) == sorted(names)
        assert all(archive.read(n).startswith(b"%PDF") for n in inside)
    rows = query(
        clinic,
        "SELECT patient, route FROM audit_auditevent WHERE action = 'download' ORDER BY id",
    )[before:]
    assert sorted(p for p, r in rows if r == "batch-report") == sorted(names)
    assert sorted(p for p, r in rows if r == "batch-zip") == sorted(names)

    # another clinician, a colleague and the clinic's admin: not found
    for role in ("sam", "cole", "north_admin"):
        assert step(clinic, "page", path, role)["status"] == 404, role
        assert step(clinic, "page", links[0][0], role)["status"] == 404, role
        assert step(clinic, "page", path + "all.zip", role)["status"] == 404, role
    # a patient who is not in the batch: not found
    assert step(clinic, "file", path + "patients/nobody/report.pdf")["status"] == 404

    # a duplicated job renders nothing more
    files = step(clinic, "counts")["files"]
    assert files == 3
    step(clinic, "redefer")
    # the reports' queue only: the seed's alerts queue emails too, and with no mail server
    # here those wait out their retries on the mail queue
    waiting_reports = (
        "SELECT count(*) FROM procrastinate_jobs"
        " WHERE status IN ('todo', 'doing') AND queue_name = 'reports'"
    )
    wait_until(
        lambda: query(clinic, waiting_reports) == [(0,)], "the duplicated jobs ran", tmp_path
    )
    after = step(clinic, "counts")
    assert after == {"states": ["no_plan", "ready", "ready", "ready"], "files": 3}


def test_the_form_refuses_no_choice_and_another_clinicians_patient(clinic):
    ids = step(clinic, "seed")
    empty = step(clinic, "ask")
    assert empty["status"] == 400
    assert "Patients: tick at least one patient, or ask for all your patients." in empty["text"]
    page = step(clinic, "page", "/clinic/reports/")
    assert page["status"] == 200 and "Ann Able" in page["text"]
    assert query(clinic, "SELECT count(*) FROM batches_reportbatch") == [(0,)]
    b_public_id = query(
        clinic,
        "SELECT p.public_id FROM clinic_patient p JOIN auth_user u ON u.id = p.primary_clinician_id"
        " WHERE u.username = 'cole@north.example'",
    )[0][0]
    other = step(clinic, "ask", ids[0], b_public_id)
    assert other["status"] == 400
    assert f"Patients: {b_public_id} is not one of your patients." in other["text"]
    assert query(clinic, "SELECT count(*) FROM batches_reportbatch") == [(0,)]
    assert step(clinic, "ask", "all")["status"] == 302
    assert query(clinic, "SELECT count(*) FROM batches_batchreport") == [(4,)]
