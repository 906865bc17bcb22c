"""Failed jobs for clinic admins, on real PostgreSQL with a real `psoas worker`.

A patient's job fails while a file it needs is missing (as an email fails while the mail
server is down) and a job for no one patient always fails. Once the queue gives up on
them, North's admin sees both on /clinic/jobs/ with the error's class and place and no
job arguments; South's admin sees only the one for no patient, and cannot retry North's;
a clinician has no such page. North's admin retries the patient's job after the file is
back: the worker runs it, its effect happens once and it leaves the page.

The pages are asked in child processes (tests/batch_steps.py) on the test's own
database, as in the batch tests; the jobs are deferred and run by tests/jobs_run.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_clinic_batch import ROOT, query, step, wait_until
from tests.test_clinic_batch import clinic as clinic

pytestmark = [pytest.mark.store, pytest.mark.postgres]


def defer(env, name: str, **kwargs) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.jobs_run", "defer-job", name, json.dumps(kwargs)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture
def worker(clinic, tmp_path):
    log = (tmp_path / "worker0.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs_run", "worker"],
        env=clinic, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield proc
    proc.terminate()
    proc.wait(30)
    log.close()


def statuses(env) -> dict[str, str]:
    rows = query(
        env, "SELECT task_name, status::text FROM procrastinate_jobs WHERE queue_name = 'reports'"
    )
    return {name.rsplit(".", 1)[-1]: status for name, status in rows}


def test_admins_see_their_failed_jobs_and_retry_one(clinic, worker, tmp_path):
    ids = step(clinic, "seed")
    a = ids[0]  # patient A, of North
    fixed = tmp_path / "mail-server-up"
    defer(clinic, "fails_while_missing", patient=a, key="mailed", path=str(fixed))
    defer(clinic, "always_fails", key="nightly")
    wait_until(
        lambda: statuses(clinic) == {"fails_while_missing": "failed", "always_fails": "failed"},
        "both jobs given up on",
        tmp_path,
    )
    rows = query(
        clinic, "SELECT job_id, patient, runs, final, error FROM jobs_jobfailure ORDER BY id"
    )
    (a_job, a_patient, a_runs, *_), (other_job, other_patient, *_) = rows
    assert a_patient == a and a_runs == 2 and other_patient == ""  # one run and one retry
    assert [r[3:] for r in rows] == [(True, "ConnectionRefusedError"), (True, "RuntimeError")]

    north = step(clinic, "page", "/clinic/jobs/", "north_admin")
    assert north["status"] == 200
    text = north["text"]
    assert text.count("Retry</button>") == 2 and f'href="/clinic/patients/{a}/"' in text
    assert "ConnectionRefusedError" in text and "after 2 tries" in text
    assert "psoas/jobs/queue.py, line" in text  # the innermost line of psoas's own code
    assert "mail-server-up" not in text and "mailed" not in text  # no arguments, no message
    south = step(clinic, "page", "/clinic/jobs/", "south_admin")["text"]
    assert south.count("Retry</button>") == 1 and a not in south and "RuntimeError" in south
    assert step(clinic, "page", "/clinic/jobs/", "cara")["status"] == 404
    assert step(clinic, "post", f"/clinic/jobs/{a_job}/retry", "south_admin")["status"] == 404
    assert step(clinic, "post", f"/clinic/jobs/{a_job}/retry", "cara")["status"] == 404
    assert statuses(clinic)["fails_while_missing"] == "failed"  # the refusals changed nothing

    fixed.touch()  # the mail server is back
    retried = step(clinic, "post", f"/clinic/jobs/{a_job}/retry", "north_admin")
    assert retried == {"status": 302, "to": "/clinic/jobs/?retried=1"}
    wait_until(
        lambda: statuses(clinic)["fails_while_missing"] == "succeeded", "the retry ran", tmp_path
    )
    assert query(clinic, "SELECT count(*) FROM programs_person WHERE name = 'mailed'")[0][0] == 1
    assert query(clinic, "SELECT job_id FROM jobs_jobfailure") == [(other_job,)]
    after = step(clinic, "page", "/clinic/jobs/?retried=1", "north_admin")["text"]
    assert "back in the queue" in after and after.count("Retry</button>") == 1 and a not in after
    # South's job retried by hand fails again: two runs, not three (the Retry is no run)
    again = step(clinic, "post", f"/clinic/jobs/{other_job}/retry", "south_admin")
    assert again == {"status": 302, "to": "/clinic/jobs/?retried=1"}

    def given_up_again() -> bool:
        found = query(clinic, f"SELECT runs, final FROM jobs_jobfailure WHERE job_id = {other_job}")
        return bool(found) and found[0][1]

    wait_until(given_up_again, "the retried job failed again", tmp_path)
    assert query(clinic, f"SELECT runs FROM jobs_jobfailure WHERE job_id = {other_job}") == [(2,)]
    assert "after 2 tries" in step(clinic, "page", "/clinic/jobs/", "south_admin")["text"]
    # the staff pages were audited like any other
    seen = query(clinic, "SELECT count(*) FROM audit_auditevent WHERE route = 'clinic-failed-jobs'")
    assert seen[0][0] >= 3
