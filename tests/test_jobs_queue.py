"""The clinic's task queue on real PostgreSQL with real `psoas worker` processes.

Each test has a database of its own (the `env` fixture) and runs clinic mode in child
processes: tests/jobs_run.py defers jobs as app code does (a row and its job in one
transaction) and starts `psoas worker` with the test jobs known (tests/jobs_tasks.py: each
effect is a Person row named after the job's key). Shown here: a job commits or rolls back
with its data; a failure is retried after its backoff; duplicates and retries write one
row; SIGTERM lets the running job finish; a worker killed with SIGKILL mid-job leaves a
job that the next worker runs, and its effect still happens exactly once; a periodic job
fires once per tick with two workers running.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from psoas.jobs import QUEUES

pytestmark = [pytest.mark.store, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
STALLED_S = "3"  # the workers' --stalled-after: a killed worker counts as dead after 3 s


@pytest.fixture
def clinic(env, tmp_path):
    e = {**env, "PSOAS_MODE": "clinic", "PYTHONPATH": str(ROOT)}
    e["PSOAS_SECRET_KEY"] = "jobs-tests-" + "k7Qz9wX2mB4vN8pL5tR1yH6jD3fG0sA" * 2
    e["LOGS"] = str(tmp_path)
    return e


def run(env, *args: str) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "tests.jobs_run", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r


class Worker:
    """A `psoas worker` process; its output goes to a file for the failure message."""

    count = 0

    def __init__(self, env, *args: str) -> None:
        Worker.count += 1
        self.log = Path(env["LOGS"]) / f"worker{Worker.count}.log"
        self.fh = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs_run", "worker", "--stalled-after", STALLED_S,
             *args],
            env=env, cwd=ROOT, stdout=self.fh, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.fh.close()

    def wait(self, timeout: float = 60) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self.fh.close()


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for w in started:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


def query(env, sql: str, *params) -> list[tuple]:
    with psycopg.connect(env["PSOAS_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def effects(env, key: str) -> int:
    return query(env, "SELECT count(*) FROM programs_person WHERE name = %s", key)[0][0]


def jobs(env) -> list[tuple[str, str, int]]:
    """(key, status, runs) of the test jobs, oldest first (Procrastinate counts each run
    that ended, or was found stalled, as an attempt)."""
    return query(
        env,
        "SELECT args->>'key', status::text, attempts FROM procrastinate_jobs"
        " WHERE queue_name = 'reports' ORDER BY id",
    )


def wait_for(check, what: str, timeout: float = 60, worker: Worker | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout} s" + (f"\n{worker.output()}" if worker else ""))


def test_a_job_commits_or_rolls_back_with_its_data(clinic, workers):
    run(clinic, "defer", "gone", "rollback")
    run(clinic, "defer", "kept")
    assert jobs(clinic) == [("kept", "todo", 0)]  # queued, not run: nothing runs inline
    assert effects(clinic, "gone-data") == 0 and effects(clinic, "kept-data") == 1
    assert effects(clinic, "kept") == 0
    w = Worker(clinic, "--until-empty")
    workers.append(w)
    assert w.wait() == 0, w.output()
    assert jobs(clinic) == [("kept", "succeeded", 1)] and effects(clinic, "kept") == 1
    assert f"psoas worker: serving {', '.join(QUEUES)} from database" in w.output()


def test_a_failure_is_retried_after_its_backoff_and_sigterm_stops_cleanly(clinic, workers):
    run(clinic, "defer", "flaky", "fail_first")
    w = Worker(clinic)
    workers.append(w)
    wait_for(lambda: effects(clinic, "flaky") == 1, "the retry's effect", worker=w)
    wait_for(lambda: jobs(clinic)[0][1] == "succeeded", "the job succeeded", worker=w)
    assert jobs(clinic) == [("flaky", "succeeded", 2)]  # one failed run, one retry
    assert effects(clinic, "flaky-tried") == 1
    assert w.stop() == 0
    assert w.output().rstrip().endswith("psoas worker: stopped")


def test_duplicated_jobs_on_two_workers_write_one_row(clinic, workers):
    for _ in range(4):
        run(clinic, "defer", "dup")
    pair = [Worker(clinic, "--until-empty"), Worker(clinic, "--until-empty")]
    workers.extend(pair)
    for w in pair:
        assert w.wait() == 0, w.output()
    assert [s for _k, s, _a in jobs(clinic)] == ["succeeded"] * 4
    assert effects(clinic, "dup") == 1


def test_sigterm_lets_the_running_job_finish(clinic, workers):
    run(clinic, "defer", "slow", "sleep_s=3")
    w = Worker(clinic)
    workers.append(w)
    wait_for(lambda: jobs(clinic)[0][1] == "doing", "the job started", worker=w)
    assert w.stop(timeout=30) == 0, w.output()
    assert jobs(clinic) == [("slow", "succeeded", 1)] and effects(clinic, "slow") == 1


def test_a_job_of_a_killed_worker_is_run_again_and_its_effect_happens_once(clinic, workers):
    # killed before the effect: the next worker does it (at its start, or else the
    # per-minute upkeep job does; hence the wait of up to 90 s)
    run(clinic, "defer", "cut", "sleep_s=6")
    a = Worker(clinic)
    workers.append(a)
    wait_for(lambda: jobs(clinic)[0][1] == "doing", "the job started", worker=a)
    assert a.stop(signal.SIGKILL) == -signal.SIGKILL
    assert jobs(clinic)[0][1] == "doing" and effects(clinic, "cut") == 0  # left behind
    time.sleep(float(STALLED_S) + 1)  # its heartbeat is now too old
    b = Worker(clinic)
    workers.append(b)
    wait_for(lambda: jobs(clinic)[0][1] == "succeeded", "the stalled job done", 90, b)
    assert jobs(clinic) == [("cut", "succeeded", 2)] and effects(clinic, "cut") == 1
    assert "was left by a stopped worker; queued again" in b.output()
    assert b.stop() == 0


def test_a_job_killed_after_its_effect_is_run_again_without_a_second_row(clinic, workers):
    run(clinic, "defer", "late", "sleep_after_s=8")
    a = Worker(clinic)
    workers.append(a)
    wait_for(lambda: effects(clinic, "late") == 1, "the effect committed", worker=a)
    assert jobs(clinic)[0][1] == "doing"
    a.stop(signal.SIGKILL)
    time.sleep(float(STALLED_S) + 1)
    b = Worker(clinic)
    workers.append(b)
    wait_for(lambda: jobs(clinic)[0][1] == "succeeded", "the stalled job done", 90, b)
    # the retry ran the whole job again (and waited its 8 s), but wrote nothing twice
    assert jobs(clinic) == [("late", "succeeded", 2)] and effects(clinic, "late") == 1
    assert b.stop() == 0


def test_a_periodic_job_fires_once_per_tick_with_two_workers(clinic, workers):
    e = {**clinic, "PSOAS_TEST_JOB_MODULES": "tests.jobs_periodic"}
    run(e, "defer", "warm-up")  # migrations first, so both workers start at once
    pair = [Worker(e, "--queue", "upkeep"), Worker(e, "--queue", "upkeep")]
    workers.extend(pair)

    def ticks() -> Counter:
        rows = query(clinic, "SELECT name FROM programs_person WHERE name LIKE 'tick-%%'")
        return Counter(name for (name,) in rows)

    wait_for(lambda: len(ticks()) >= 4, "four ticks", worker=pair[0])
    for w in pair:
        assert w.stop() == 0, w.output()
    counts = ticks()
    assert set(counts.values()) == {1}, counts
    times = sorted(int(name.removeprefix("tick-")) for name in counts)
    assert times[-1] - times[0] >= 3  # one a second
