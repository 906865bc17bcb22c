"""The task-queue wrapper without PostgreSQL: local mode runs a deferred job inline after
its transaction commits (never for a rolled-back one), `once` lets an effect happen once
per key, the report job makes a file that only its owner can download; and the queue's
path (clinic mode) through Procrastinate's in-memory connector and a real in-process
worker: jobs are queued, not run, until a worker takes them, failures are retried, and a
retried or duplicated job writes its row once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from procrastinate import testing

from psoas import jobs
from psoas.jobs import upkeep
from psoas.web.jobs.models import GeneratedFile, JobDone
from psoas.web.jobs.tasks import FILE_DAYS, render_report, request_report
from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person
from tests import jobs_tasks
from tests.api_client import api
from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]


def effects(key: str) -> int:
    """Rows named `key` (through the base manager: clinic mode's scoping is not tested here)."""
    return Person._base_manager.filter(name=key).count()


def queued_jobs(app) -> list[dict]:
    """The in-memory queue's jobs on the test jobs' queue (not the periodic upkeep ones)."""
    return [j for j in app.connector.jobs.values() if j["queue_name"] == "reports"]


# --- local mode: inline, after commit ----------------------------------------------------


def test_local_mode_runs_a_job_inline_once_the_data_commits():
    assert not jobs.queued()
    with transaction.atomic():
        Person.objects.create(name="k1-data")
        assert jobs_tasks.effect.defer(key="k1") is None
        assert effects("k1") == 0  # not yet: the caller's data is not committed
    assert effects("k1") == 1 and effects("k1-data") == 1


def test_local_mode_never_runs_the_job_of_a_rolled_back_transaction():
    jobs_tasks.defer_with_data("k2", rollback=True)
    assert effects("k2") == 0 and effects("k2-data") == 0
    jobs_tasks.defer_with_data("k3", rollback=False)
    assert effects("k3") == 1 and effects("k3-data") == 1


def test_local_mode_failure_reaches_the_caller_after_the_data_committed():
    with pytest.raises(RuntimeError, match="always fails"), transaction.atomic():
        Person.objects.create(name="k4-data")
        jobs_tasks.always_fails.defer(key="k4")
    assert effects("k4-data") == 1


def test_arguments_must_be_json_values_in_both_modes():
    with pytest.raises(TypeError, match="argument 'key' is a date, not a JSON value"):
        jobs_tasks.effect.defer(key=date(2026, 1, 1))
    with pytest.raises(TypeError, match="'sleep_s' is a float, not a JSON value"):
        jobs_tasks.effect.defer(key="x", sleep_s=float("nan"))


def test_a_job_is_defined_on_a_psoas_queue_as_a_plain_function():
    with pytest.raises(ValueError, match="queue: 'emails' is not a psoas queue; use one of"):
        jobs.task(queue="emails")
    with pytest.raises(TypeError, match="a job is a plain function, not async"):

        @jobs.task(queue="mail")
        async def not_a_job() -> None: ...


# --- once --------------------------------------------------------------------------------


def test_once_lets_an_effect_happen_once_per_key():
    for _ in range(3):
        jobs_tasks._effect("k5")
    assert effects("k5") == 1 and JobDone.objects.filter(key="k5").count() == 1
    assert jobs.done("k5") and not jobs.done("k6")


def test_once_rolls_its_key_back_with_a_failed_effect():
    with pytest.raises(RuntimeError), jobs.once("k7") as first:
        assert first
        Person.objects.create(name="k7")
        raise RuntimeError("the effect failed half-way")
    assert effects("k7") == 0 and not jobs.done("k7")  # the retry will do it
    jobs_tasks._effect("k7")
    assert effects("k7") == 1


def test_once_sends_an_email_after_commit_and_never_twice(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def send(key: str) -> None:
        with jobs.once(key) as first:
            if first:
                transaction.on_commit(
                    lambda: mail.send_mail("Your report", "It is ready.", None, ["p@example.org"])
                )

    send("mail:1")
    send("mail:1")
    assert len(mail.outbox) == 1
    with pytest.raises(RuntimeError), jobs.once("mail:2"):
        transaction.on_commit(lambda: mail.send_mail("x", "y", None, ["p@example.org"]))
        raise RuntimeError("failed before commit")
    assert len(mail.outbox) == 1  # a failed run sends nothing


def test_once_refuses_an_empty_or_long_key():
    for key in ("", "k" * 201):
        with pytest.raises(ValueError, match="key: give 1 to 200 characters"), jobs.once(key):
            pass


# --- the report job and the file view ----------------------------------------------------

PROFILE = {"schema": "psoas.profile/1", "age": 52, "equipment": ["chair"]}


@pytest.fixture
def planned(client):
    api(client, "put", "/api/profile", PROFILE)
    api(client, "post", "/api/plan", {"start": (date.today() - timedelta(days=3)).isoformat()})
    return local_person()


def test_report_job_makes_a_file_for_its_owner_only(client, planned):
    today = date.today()
    other = Person.objects.create(name="someone else")
    for token, person in (("expired", planned), ("not-mine", other)):
        GeneratedFile.objects.create(
            token=token, person=person, kind="report", name="old.pdf",
            content_type="application/pdf", data=b"%PDF-old", expires_at=timezone.now(),
        )  # fmt: skip
    with transaction.atomic():
        token = request_report(planned.pk, today - timedelta(days=3), today)
        assert not GeneratedFile.objects.filter(token=token).exists()
    made = GeneratedFile.objects.get(token=token)
    assert made.person == planned and made.kind == "report"
    # no nightly job in local mode: the owner's expired file went when the new one came
    assert set(GeneratedFile.objects.values_list("token", flat=True)) == {token, "not-mine"}
    assert made.expires_at - made.created_at == timedelta(days=FILE_DAYS)
    r = client.get(f"/files/{token}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "no-store" and "attachment" in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF")
    words = pdf_text(r.content)
    assert "52" in words
    # run again (a retry or a duplicate): still one file
    render_report(token=token, person_id=planned.pk, start="2026-01-01", end="2026-01-02",
                  today=today.isoformat())  # fmt: skip
    assert GeneratedFile.objects.filter(token=token).count() == 1


def test_file_view_answers_404_for_other_peoples_unknown_and_expired_files(client, planned):
    other = Person.objects.create(name="someone else")
    later = timezone.now() + timedelta(days=1)
    theirs = GeneratedFile.objects.create(
        token="theirs", person=other, kind="report", name="a.pdf",
        content_type="application/pdf", data=b"%PDF-their", expires_at=later,
    )  # fmt: skip
    old = GeneratedFile.objects.create(
        token="old", person=planned, kind="report", name="b.pdf",
        content_type="application/pdf", data=b"%PDF-old", expires_at=timezone.now(),
    )  # fmt: skip
    for token in (theirs.token, old.token, "no-such-file"):
        r = client.get(f"/files/{token}")
        assert r.status_code == 404 and b"%PDF" not in r.content
    assert client.post(f"/files/{theirs.token}").status_code in (403, 405)


def test_expired_files_are_deleted_by_the_nightly_job(planned):
    for token, expires in (("a", timezone.now()), ("b", timezone.now() + timedelta(hours=1))):
        GeneratedFile.objects.create(
            token=token, person=planned, kind="report", name="r.pdf",
            content_type="application/pdf", data=b"x", expires_at=expires,
        )  # fmt: skip
    jobs_module = __import__("psoas.web.jobs.tasks", fromlist=["delete_expired_files"])
    jobs_module.delete_expired_files(timestamp=0)
    assert list(GeneratedFile.objects.values_list("token", flat=True)) == ["b"]


def test_keys_of_old_effects_are_forgotten_nightly():
    for key in ("old", "recent"):
        jobs_tasks._effect(key)
    JobDone.objects.filter(key="old").update(
        done_at=timezone.now() - timedelta(days=upkeep.KEYS_KEPT_DAYS, minutes=1)
    )
    upkeep.forget_old_keys(timestamp=0)
    assert list(JobDone.objects.values_list("key", flat=True)) == ["recent"]


def test_expired_login_sessions_are_deleted_nightly():
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    keys = {}
    for name in ("old", "current"):
        store = SessionStore()
        store["name"] = name
        store.create()
        keys[name] = store.session_key
    Session.objects.filter(pk=keys["old"]).update(expire_date=timezone.now() - timedelta(seconds=1))
    upkeep.forget_expired_sessions(timestamp=0)
    [left] = Session.objects.all()
    assert left.get_decoded()["name"] == "current"


# --- clinic mode's path, through the in-memory connector ---------------------------------


@pytest.fixture
def queue(settings, monkeypatch):
    """Clinic mode with Procrastinate's in-memory connector in place of PostgreSQL. The
    worker runs jobs in threads of its own; their connections close after each job, so
    none is left open on the test database."""
    settings.CLINIC_MODE = True
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with jobs.app.replace_connector(testing.InMemoryConnector()) as app:
        yield app


def run_worker(app) -> None:
    app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False,
                   queues=["reports"])  # fmt: skip


def test_clinic_mode_queues_the_job_until_a_worker_runs_it(queue):
    job_id = jobs_tasks.effect.defer(key="q1")
    assert isinstance(job_id, int)
    [job] = queued_jobs(queue)
    assert job["task_name"] == "tests.jobs_tasks.effect" and job["queue_name"] == "reports"
    assert job["args"] == {"key": "q1"} and job["status"] == "todo"
    assert effects("q1") == 0  # nothing runs inline in clinic mode
    run_worker(queue)
    assert effects("q1") == 1 and job["status"] == "succeeded"


def test_a_failed_job_is_retried_and_its_effect_written_once(queue):
    jobs_tasks.effect.defer(key="q2", fail_first=True)
    run_worker(queue)  # the first try fails; its retry waits backoff_s
    [job] = queued_jobs(queue)
    assert job["status"] == "todo" and job["attempts"] == 1 and effects("q2") == 0
    job["scheduled_at"] = timezone.now()  # the wait is over
    run_worker(queue)
    assert job["status"] == "succeeded" and effects("q2") == 1


def test_retries_end_in_failed_after_the_last_attempt(queue):
    jobs_tasks.always_fails.defer(key="q3")
    run_worker(queue)
    [job] = queued_jobs(queue)
    assert job["status"] == "failed" and job["attempts"] == 1  # retries=0


def test_a_duplicated_job_writes_its_row_once(queue):
    for _ in range(3):
        jobs_tasks.effect.defer(key="q4")
    run_worker(queue)
    statuses = [j["status"] for j in queued_jobs(queue)]
    assert statuses == ["succeeded"] * 3 and effects("q4") == 1


def test_jobs_that_succeeded_long_ago_are_removed_nightly_and_failed_ones_stay(queue):
    jobs_tasks.effect.defer(key="q5")
    jobs_tasks.always_fails.defer(key="q6")
    run_worker(queue)
    assert sorted(j["status"] for j in queued_jobs(queue)) == ["failed", "succeeded"]
    long_ago = timezone.now() - timedelta(hours=upkeep.FINISHED_KEPT_H + 1)
    for events in queue.connector.events.values():
        for event in events:
            event["at"] = long_ago
    asyncio.run(upkeep.remove_old_jobs(timestamp=0))
    assert [j["status"] for j in queued_jobs(queue)] == ["failed"]


def test_the_report_job_in_the_queue(planned, queue):
    today = date.today()
    token = request_report(planned.pk, today - timedelta(days=2), today)
    files = GeneratedFile._base_manager.filter(token=token)
    assert not files.exists()
    queue.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    assert files.get().data[:4] == b"%PDF" and files.get().person_id == planned.pk


# --- psoas worker: its refusals -----------------------------------------------------------

PSOAS = str(Path(sys.executable).parent / "psoas")


def worker(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PSOAS, "worker", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "extra", "says"),
    [
        ((), {}, "psoas: PSOAS_MODE: a worker serves clinic mode only (PSOAS_MODE=clinic"),
        (("--queue", "emails"), {}, "psoas: --queue: 'emails' is not a psoas queue; use"),
        (("--concurrency", "0"), {}, "--concurrency"),
        (("--stalled-after", "1"), {}, "--stalled-after"),
        ((), {"PSOAS_MODE": "surgery"}, "PSOAS_MODE: 'surgery' is not a mode"),
    ],
)
def test_worker_refuses_bad_input_and_local_mode_in_one_line(env, args, extra, says):
    r = worker({**env, **extra}, *args)
    assert r.returncode == 2 and says in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_worker_refuses_clinic_mode_on_sqlite(env, tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    r = worker({**env, "PSOAS_MODE": "clinic", "PSOAS_DATABASE_URL": sqlite})
    assert r.returncode == 2 and "PSOAS_MODE=clinic runs on PostgreSQL only" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_worker_help():
    r = subprocess.run([PSOAS, "worker", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for option in ("--queue", "--concurrency", "--stalled-after", "--until-empty"):
        assert option in r.stdout
