"""The clinic under load: a clinician's worklist over 1,000 patients, and the alert sweep.

On PostgreSQL: PSOAS_DATABASE_URL when it names a PostgreSQL server (a fresh database is
made on it and dropped at the end), else a throw-away cluster started here as the tests
start one (psoas/pg_cluster.py: initdb in a temp folder, a free loopback port, the
`postgres` user when root) and deleted at the end.

Seeds one clinic, one clinician with a confirmed authenticator, and 1,000 patients with a
year of history each (bulk inserts): a plan of three sessions a week, sessions done at a
rate of each patient's own (some stopped in the last weeks), two sets a session with a
rare stop for pain, a pain report at each session on a slow random walk, a weekly activity
score, a rare warning sign answered yes; then VACUUM ANALYZE, as autovacuum would have
done over that year (`settle`).

Then times the alert sweep over all patients (`alert_sweep_s`: records read in batches,
the rules, the alerts and the worklist figures saved; target under 5 s; the content
catalog read first, as `psoas worker` reads it when it starts), starts a real
`psoas serve` in clinic mode, and has 20 clients on keep-alive connections ask for the
worklist as the clinician (a session logged in and verified by the second factor, as
tests/clinic_seed.py makes one) and for the trivial view (`/ping`: the same server and
middleware, no database, no template) in rounds that take turns. Prints each one's p50 and
p95 in ms, then `clinic_p50_ratio` and `clinic_p95_ratio` (target at most 3).

`--keep DIR` (for one's own runs while working on speed): the throw-away cluster lives in
DIR and stays there, seeded, between runs; a later run with the same DIR starts it again
and skips the seed (the sweep's alerts and figures are cleared first, so the sweep starts
from nothing each time). Without it, everything is made fresh and removed at the end.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from http_load import measure, p, serving  # noqa: E402 (bench/, the script's own folder)

from psoas.pg_cluster import ClusterError, throwaway  # noqa: E402

PATIENTS, DAYS = 1000, 365
WORKLIST, TRIVIAL = "/clinic/", "/ping"
BATCH = 5000
TODAY = date.today()


# --- PostgreSQL ----------------------------------------------------------------------------


@contextmanager
def postgres_server(keep: Path | None = None):
    """The URL of a PostgreSQL server (its maintenance database): the given one, or a
    throw-away cluster (in `keep`, kept there, when given)."""
    given = os.environ.get("PSOAS_DATABASE_URL", "")
    if given.startswith("postgres") and keep is None:
        yield given
        return
    try:
        with throwaway(keep) as (cluster, port):
            yield cluster.url(port, "postgres")
    except ClusterError as exc:
        raise SystemExit(f"bench/clinic.py: {exc}; or set PSOAS_DATABASE_URL") from None


@contextmanager
def fresh_database(server: str, keep: bool = False):
    """A new database on `server`, dropped at the end; with `keep`, the one kept from an
    earlier run (made if missing) and left in place."""
    import psycopg

    name = "psoas_bench_kept" if keep else f"psoas_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not there:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the seed ------------------------------------------------------------------------------


def seed() -> tuple[object, str]:
    """The clinic, its clinician (returned with a logged-in, verified session key) and
    PATIENTS patients with DAYS days of history. Prints the rows made and the time."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from psoas.core.content.loader import catalog
    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Clinic, Membership, Patient, Role
    from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
    from psoas.web.programs.models import Person, Plan, ProfileVersion, ScheduledSession
    from psoas.web.tracking.models import SessionLog, SetLog

    t0 = time.perf_counter()
    rng = random.Random(12)
    start = TODAY - timedelta(days=DAYS - 1)
    days = [start + timedelta(days=i) for i in range(DAYS)]
    planned_days = [d for d in days if d.weekday() in (0, 2, 4)]
    with scope.everyone():
        clinic = Clinic.objects.create(name="Bench Physio")
        user = get_user_model().objects.create_user("clin@bench.example", "clin@bench.example")
        Membership.objects.create(user=user, clinic=clinic, role=Role.CLINICIAN)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        people = Person.objects.bulk_create(Person(name="") for _ in range(PATIENTS))
        Patient.objects.bulk_create(
            Patient(person=p, clinic=clinic, primary_clinician=user) for p in people
        )
        profiles = ProfileVersion.objects.bulk_create(
            ProfileVersion(person=p, version=1, data={"pain": {"nprs": rng.randint(2, 6)}})
            for p in people
        )
        plans = Plan.objects.bulk_create(
            Plan(person=p, profile=v, data={"status": "ok"}, start_date=start, active=True)
            for p, v in zip(people, profiles, strict=True)
        )
        counts = dict.fromkeys(("scheduled", "sessions", "sets", "checkins", "psfs"), 0)
        flags = list(catalog().red_flags)
        for chunk in range(0, PATIENTS, 100):
            sched, logs, pains, scores = [], [], [], []
            group = list(zip(people, plans, profiles, strict=True))[chunk : chunk + 100]
            for person, plan, profile in group:
                rate = rng.uniform(0.35, 1.0)
                quit_after = (
                    TODAY - timedelta(days=rng.randint(3, 40)) if rng.random() < 0.2 else None
                )
                pain = profile.data["pain"]["nprs"]
                for i, d in enumerate(planned_days):
                    sched.append(
                        ScheduledSession(person=person, plan=plan, date=d, week=i // 3 + 1,
                                         session_index=i % 3)
                    )  # fmt: skip
                    if (quit_after and d > quit_after) or rng.random() > rate:
                        continue
                    stop = rng.random() < 0.01
                    logs.append(
                        SessionLog(person=person, plan=plan, date=d, week=i // 3 + 1,
                                   session_index=i % 3, source="player",
                                   status="stopped_for_pain" if stop else "completed")
                    )  # fmt: skip
                    pain = min(10, max(0, pain + rng.choice((-1, 0, 0, 0, 1))))
                    yes = [rng.choice(flags)] if rng.random() < 0.0005 else []
                    pains.append(PainCheckin(person=person, date=d, nprs=pain, red_flags=yes))
                for w in range(0, DAYS, 7):
                    scores.append(
                        QuestionnaireResponse(person=person, questionnaire_id="psfs", version="1",
                                              date=days[w], answers={},
                                              score=round(rng.uniform(3, 8), 1))
                    )  # fmt: skip
            ScheduledSession.objects.bulk_create(sched, batch_size=BATCH)
            SessionLog.objects.bulk_create(logs, batch_size=BATCH)
            sets = [
                SetLog(person_id=log.person_id, session=log, exercise_id="glute_bridge",
                       week=log.week, set_number=n, side="both",
                       status="stopped_for_pain" if log.status == "stopped_for_pain" and n == 2
                       else ("done" if rng.random() < 0.85 else "skipped"))
                for log in logs
                for n in (1, 2)
            ]  # fmt: skip
            SetLog.objects.bulk_create(sets, batch_size=BATCH)
            PainCheckin.objects.bulk_create(pains, batch_size=BATCH)
            QuestionnaireResponse.objects.bulk_create(scores, batch_size=BATCH)
            for name, rows in (("scheduled", sched), ("sessions", logs), ("sets", sets),
                               ("checkins", pains), ("psfs", scores)):  # fmt: skip
                counts[name] += len(rows)
        session_key = verified_session(user, device, DEVICE_ID_SESSION_KEY)
    settle()
    made = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"seeded {PATIENTS} patients x {DAYS} days ({made}) in {time.perf_counter() - t0:.1f} s")
    return clinic, session_key


def settle() -> None:
    """VACUUM ANALYZE the seeded tables, as autovacuum would have over the year the seed
    stands for: rows written an instant ago carry no visibility hints yet, so the first
    read of each would write its page back, and the planner would have no statistics.
    The figures are then those of a clinic's database, not of a bulk load's first read."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")


def kept_seed() -> str | None:
    """With --keep: a new verified session of the seeded clinician when the database was
    seeded before (the sweep's rows cleared), else None."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Alert, Patient, WorklistEntry

    with scope.everyone():
        if Patient.objects.count() != PATIENTS:
            return None
        Alert.objects.all().delete()
        WorklistEntry.objects.all().delete()
        device = TOTPDevice.objects.select_related("user").get(name="bench")
        print(f"kept seed: {PATIENTS} patients")
        return verified_session(device.user, device, DEVICE_ID_SESSION_KEY)


def verified_session(user, device, device_key: str) -> str:
    """A session of `user` logged in and verified by the second factor, saved in the
    store as Django's login and django-otp's verification leave it (tests do the same)."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store[device_key] = device.persistent_id
    store.create()
    return store.session_key


# --- load ----------------------------------------------------------------------------------


def main() -> None:
    args = sys.argv[1:]
    keep = Path(args[1]).resolve() if args[:1] == ["--keep"] and len(args) == 2 else None
    if args and keep is None:
        raise SystemExit("usage: bench/clinic.py [--keep DIR]")
    key = "bench-" + secrets.token_urlsafe(40)
    if keep:  # the kept sessions are signed with it
        saved = keep / "secret_key"
        saved.parent.mkdir(parents=True, exist_ok=True)
        if not saved.exists():
            saved.write_text(key)
        key = saved.read_text()
    with postgres_server(keep) as server, fresh_database(server, keep is not None) as url:
        os.environ.update(PSOAS_DATABASE_URL=url, PSOAS_MODE="clinic", PSOAS_SECRET_KEY=key)
        from psoas.web.bootstrap import setup

        setup()
        from psoas.web.clinic import alerts, scope

        session_key = (keep and kept_seed()) or seed()[1]
        from psoas.core.content.loader import catalog

        catalog()  # as `psoas worker` reads it at start, before its first job
        with scope.everyone():
            t0 = time.perf_counter()
            new = alerts.sweep_all(TODAY)
            sweep_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            alerts.sweep_all(TODAY)
            again_s = time.perf_counter() - t0
        print(f"alerts fired by the sweep: {new}")
        print(f"alert_sweep_again_s: {again_s:.2f} s (nothing new)")

        from django.db import connections

        connections.close_all()
        with serving() as (_, host, port):
            headers = {"Cookie": f"sessionid={session_key}"}
            results = measure(host, port, [TRIVIAL, WORKLIST], headers)
    for path, name in ((TRIVIAL, "ping"), (WORKLIST, "worklist")):
        print(f"{name}_p50_ms: {1000 * p(results[path], 50):.1f} ms")
        print(f"{name}_p95_ms: {1000 * p(results[path], 95):.1f} ms")
    print(f"clinic_p50_ratio: {p(results[WORKLIST], 50) / p(results[TRIVIAL], 50):.2f} x")
    print(f"clinic_p95_ratio: {p(results[WORKLIST], 95) / p(results[TRIVIAL], 95):.2f} x")
    print(f"alert_sweep_s: {sweep_s:.2f} s")


if __name__ == "__main__":
    main()
