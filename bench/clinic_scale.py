"""The clinic on more than one process: reports per minute with 1 and M workers, and
worklist requests per second with 1 and N app servers.

    python bench/clinic_scale.py [--servers N] [--workers M] [--patients P] [--reports R]

Defaults: 2 servers, 2 workers, 1,000 patients, 100 reports. The database, the seed (a
clinic, one clinician with a verified session, P patients with a year of history each)
and the PostgreSQL cluster are bench/clinic.py's; each seeded plan is then given a real
program (the seed's plans hold only a status), so a report draws a whole program.

- `reports_per_min` (1 worker, then M): M real `psoas worker --queue reports` processes
  are started and ready; the clinician asks for a batch of R reports (the first R
  patients) through the batch service, as the form does; the time runs until every row
  is done.
- `worklist_rps` (1 server, then N): N real `psoas serve` processes; 20 clients on
  keep-alive connections, spread over the servers in turn (as a round-robin proxy
  would), ask for the worklist for DURATION_S seconds after a warm-up; the figure is the
  answers per second.
- `scale_ratio`: worklist_rps with N servers over 1.

Every process (PostgreSQL, servers, workers, clients) shares this machine's cores, so
the ratios say how far the work spreads here; the script prints the core count beside
them and runs unchanged on a bigger machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.clinic_seed
sys.path.insert(0, str(ROOT / "bench"))

import clinic as clinic_bench  # noqa: E402 (bench/clinic.py: the cluster and the seed)
from http_load import CLIENTS, serving  # noqa: E402

DURATION_S = 15  # each worklist measurement
WARM_UP = 5  # requests per client before the clock starts
PSOAS = str(Path(sys.executable).with_name("psoas"))


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=2, help="app servers (1 or more)")
    parser.add_argument("--workers", type=int, default=2, help="psoas workers (1 or more)")
    parser.add_argument("--patients", type=int, default=1000, help="patients to seed")
    parser.add_argument("--reports", type=int, default=100, help="reports in each batch")
    args = parser.parse_args(argv)
    for name in ("servers", "workers", "patients", "reports"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: give a whole number of 1 or more")
    if args.reports > args.patients:
        parser.error(f"--reports: at most --patients ({args.patients})")
    return args


def report_ready() -> None:
    """The seed's plans hold only a status and its activity scores no answers; a report
    draws both, so each plan gets a real program (tests/clinic_seed.py's) and each score
    three rated activities."""
    from psoas.core.planning.planner import build_plan
    from psoas.core.profile import parse_profile
    from psoas.web.clinic import scope
    from psoas.web.outcomes.models import QuestionnaireResponse
    from psoas.web.programs.models import Plan
    from tests.clinic_seed import PROFILE

    rated = {"activity_1_name": "walking", "activity_2_name": "sitting"}
    rated |= {"activity_3_name": "stairs", "activity_1": 5, "activity_2": 6, "activity_3": 4}
    with scope.everyone():
        Plan.objects.update(data=build_plan(parse_profile(PROFILE)))
        QuestionnaireResponse.objects.update(answers=rated)


@contextmanager
def workers(count: int):
    """`count` real `psoas worker` processes of the reports queue, each ready (its first
    line printed). A clinic can give reports workers of their own (docs/jobs.md); here it
    keeps the periodic jobs (the alert sweep every 15 minutes, over all patients) and the
    emails of the seed's alerts out of the measure, which they made vary by half."""
    with ExitStack() as stack:
        for _ in range(count):
            proc = subprocess.Popen(
                [PSOAS, "worker", "--queue", "reports"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            stack.callback(lambda proc=proc: (proc.terminate(), proc.wait(60)))
            line = proc.stdout.readline()
            if "serving" not in line:
                raise SystemExit(f"psoas worker did not start: {line}")
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
        yield


def failed_jobs() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        return cursor.fetchone()[0]


def reports_per_min(count: int, reports: int) -> float:
    from django.db import connections

    from psoas.web.batches import service
    from psoas.web.batches.models import BatchReport, State
    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Patient

    with scope.everyone():
        patients = list(Patient.objects.order_by("pk")[:reports])
        owner = patients[0].primary_clinician
    with workers(count):
        t0 = time.perf_counter()
        with scope.everyone():
            batch = service.ask(owner, patients, clinic_bench.TODAY)
            rows = BatchReport.objects.filter(batch=batch)
            while rows.filter(state=State.WAITING).exists():
                if failed_jobs():
                    raise SystemExit("a report job failed: see the procrastinate_jobs table")
                time.sleep(0.2)
            elapsed = time.perf_counter() - t0
            assert rows.filter(state=State.READY).count() == reports
    connections.close_all()
    return reports / elapsed * 60


def worklist_rps(count: int, session_key: str) -> float:
    with ExitStack() as stack:
        places = [stack.enter_context(serving())[1:] for _ in range(count)]
        headers = {"Cookie": f"sessionid={session_key}"}
        done = [0] * CLIENTS
        failed: list[str] = []
        ready = threading.Barrier(CLIENTS + 1)
        stop = threading.Event()

        def client(i: int) -> None:
            host, port = places[i % count]
            conn = http.client.HTTPConnection(host, port, timeout=120)

            def ask() -> bool:
                conn.request("GET", clinic_bench.WORKLIST, headers=headers)
                answer = conn.getresponse()
                body = answer.read()
                if answer.status != 200:
                    failed.append(f"HTTP {answer.status}: {body[:200]!r}")
                return answer.status == 200

            ok = all(ask() for _ in range(WARM_UP))
            ready.wait()
            while ok and not stop.is_set():
                ok = ask()
                done[i] += ok
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        ready.wait()
        t0 = time.perf_counter()
        time.sleep(DURATION_S)
        stop.set()
        for t in threads:
            t.join()
        if failed:
            raise SystemExit(failed[0])
        return sum(done) / (time.perf_counter() - t0)


def main() -> None:
    args = options()
    clinic_bench.PATIENTS = args.patients  # the seed reads the module's count
    key = "bench-" + secrets.token_urlsafe(40)
    with clinic_bench.postgres_server() as server, clinic_bench.fresh_database(server) as url:
        os.environ.update(PSOAS_DATABASE_URL=url, PSOAS_MODE="clinic", PSOAS_SECRET_KEY=key)
        from psoas.web.bootstrap import setup

        setup()
        _, session_key = clinic_bench.seed()
        report_ready()
        from django.db import connections

        connections.close_all()
        per_min = {n: reports_per_min(n, args.reports) for n in sorted({1, args.workers})}
        rps = {n: worklist_rps(n, session_key) for n in sorted({1, args.servers})}
    cores = os.cpu_count()
    print(f"machine: {cores} cores (PostgreSQL, servers, workers and clients share them)")
    for n, value in per_min.items():
        print(f"reports_per_min_{n}_worker{'s' * (n > 1)}: {value:.0f} reports/min")
    for n, value in rps.items():
        print(f"worklist_rps_{n}_server{'s' * (n > 1)}: {value:.1f} requests/s ({CLIENTS} clients)")
    print(
        f"scale_ratio: {rps[args.servers] / rps[1]:.2f} x "
        f"({args.servers} servers against 1, measured on {cores} cores)"
    )


if __name__ == "__main__":
    main()
