"""The alert sweep with a real `psoas worker` process, and `psoas clinic alerts`, on a fresh
PostgreSQL database (the `env` fixture).

A patient whose plan began 12 days ago and who never did a session is seeded in a child
process; a worker runs with the sweep's cron set to every second
(PSOAS_ALERT_SWEEP_CRON), fires the no-session alert, and several ticks later there is
still one row. `psoas clinic alerts` then lists it (table and --json), and bad options are
exit 2 naming the option.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.test_cli import refused, run_in

pytestmark = [pytest.mark.store, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent

SEED = """
from datetime import date, timedelta
from psoas.web.bootstrap import setup
setup()
from psoas.web.clinic import scope
from tests.clinic_seed import north_and_cara, patient_of
with scope.everyone():
    clinic, cara = north_and_cara()
    patient = patient_of(clinic, cara, date.today() - timedelta(12))
    print(patient.public_id)
"""


@pytest.fixture
def clinic(env, tmp_path):
    e = {**env, "PSOAS_MODE": "clinic", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    e["PSOAS_SECRET_KEY"] = "alerts-tests-" + "k7Qz9wX2mB4vN8pL5tR1yH6jD3fG0sA" * 2
    e["PSOAS_ALERT_SWEEP_CRON"] = "* * * * * *"
    return e


def no_session_rows(env) -> int:
    with psycopg.connect(env["PSOAS_DATABASE_URL"]) as conn:
        return conn.execute(
            "SELECT count(*) FROM clinic_alert WHERE rule = 'no_session'"
        ).fetchone()[0]


def test_the_sweep_in_a_real_worker_fires_no_session_once_and_the_cli_lists_it(clinic, tmp_path):
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=clinic, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    public_id = seeded.stdout.split()[-1]
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("psoas")), "worker"],
        env=clinic, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while no_session_rows(clinic) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert no_session_rows(clinic) == 1, (tmp_path / "worker.log").read_text()
        time.sleep(4)  # more ticks of the sweep: still one row
        assert no_session_rows(clinic) == 1
    finally:
        worker.terminate()
        worker.wait(30)
        log.close()

    listed = json.loads(run_in(clinic, "clinic", "alerts", "--json").stdout)
    gap = [a for a in listed if a["rule"] == "no_session"]
    assert len(gap) == 1 and gap[0]["patient"] == public_id and gap[0]["status"] == "open"
    assert gap[0]["severity"] == "low"  # under 14 days
    assert gap[0]["message"].startswith("No session for 1")  # 1x days, since the plan began
    mine = run_in(clinic, "clinic", "alerts", "--clinician", "cara@north.example", "--json")
    assert json.loads(mine.stdout) == listed
    table = run_in(clinic, "clinic", "alerts", "--status", "all")
    assert table.returncode == 0 and public_id in table.stdout and "no session" in table.stdout
    refused(run_in(clinic, "clinic", "alerts", "--status", "closed"), "--status")
    refused(run_in(clinic, "clinic", "alerts", "--clinic", "East"), "--clinic")
    refused(run_in(clinic, "clinic", "alerts", "--clinician", "nobody@x.example"), "--clinician")
