"""`psoas worker`: runs the clinic's queued jobs (PDF reports, emails, the periodic sweeps).

Clinic mode only: in local mode every job runs inline when it is asked for, so there is
nothing to serve and the command says so. Any number of workers can run, on any machine
that reaches the database; each job runs on one of them. SIGTERM or Ctrl+C stops a worker
cleanly: it takes no new job and finishes the one it runs (a second signal stops it at
once). A worker that dies mid-job (SIGKILL, a lost machine) stops writing its heartbeat;
the next worker to start, or the per-minute upkeep job, puts its job back in the queue.

app.py imports this module to register the command, so only Typer loads here.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from psoas.cli.secret_key import local_secret_key

MIN_STALLED_S = 3.0


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    queue: Annotated[
        list[str] | None,
        typer.Option(
            "--queue",
            "-q",
            metavar="NAME",
            help="A queue to serve; repeat for more (default: all of psoas's queues, "
            "which docs/jobs.md lists).",
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=16, help="Jobs run at the same time (1 to 16)."),
    ] = 1,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            min=MIN_STALLED_S,
            max=3600,
            help="Seconds without a heartbeat after which a worker counts as dead and its "
            "job is queued again (3 to 3600; every worker should use the same).",
        ),
    ] = 30.0,
    until_empty: Annotated[
        bool,
        typer.Option("--until-empty", help="Run the jobs waiting now, then stop."),
    ] = False,
) -> None:
    """Run queued jobs (clinic mode): reports, emails and the periodic sweeps."""
    from psoas.cli.app import fail

    queues = _queues(queue or [])
    # beside a loopback `psoas serve` with no key given: the same folder's key, so what
    # a job signs (a password reset link) is good on the server
    os.environ.setdefault("PSOAS_SECRET_KEY", local_secret_key())
    _start_django()
    from psoas.jobs.mode import queued

    if not queued():
        raise fail(
            "PSOAS_MODE: a worker serves clinic mode only (PSOAS_MODE=clinic, on PostgreSQL); "
            "in local mode jobs run at once and need no worker"
        )
    from psoas.core.content.loader import catalog

    catalog()  # read and checked once at start: no job pays for it, and bad content stops here
    _serve(queues, concurrency, stalled_after, until_empty)


def _queues(given: list[str]) -> list[str]:
    from psoas.cli.app import fail
    from psoas.jobs.queue import QUEUES

    for name in given:
        if name not in QUEUES:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise fail(f"--queue: {shown!r} is not a psoas queue; use {', '.join(QUEUES)}")
    return list(dict.fromkeys(given)) or list(QUEUES)


def _start_django() -> None:
    """Settings and the store, or one line naming what is wrong and exit 2."""
    from django.core.exceptions import ImproperlyConfigured

    from psoas.cli.app import fail
    from psoas.cli.tracking import store_problem
    from psoas.web.bootstrap import setup

    try:
        setup()
    except ImproperlyConfigured as exc:
        raise fail(str(exc)) from None
    except ValueError as exc:
        raise fail(f"--database-url: {exc}") from None
    except Exception as exc:
        from django.db import Error as DatabaseError

        if isinstance(exc, DatabaseError):
            raise fail(store_problem(exc)) from None
        raise


def _serve(queues: list[str], concurrency: int, stalled_after: float, until_empty: bool) -> None:
    import asyncio
    import logging

    from django.conf import settings
    from django.db import connection

    from psoas.jobs.queue import app
    from psoas.jobs.upkeep import retry_stalled
    from psoas.web.logs import JsonLines

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.LOG_FORMAT == "json":  # Procrastinate's own lines as JSON too
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonLines())
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    logging.getLogger("procrastinate.worker").setLevel(logging.INFO)
    where = connection.settings_dict.get("NAME")
    sys.stderr.write(
        f"psoas worker: serving {', '.join(queues)} from database '{where}'; "
        "Ctrl+C stops after the running job\n"
    )
    sys.stderr.flush()

    async def run() -> None:
        async with app.open_async():
            await retry_stalled(stalled_after)
            await app.run_worker_async(
                queues=queues,
                concurrency=concurrency,
                wait=not until_empty,
                update_heartbeat_interval=stalled_after / 3,
                stalled_worker_timeout=stalled_after,
                additional_context={"stalled_after_s": stalled_after},
            )

    with app.replace_connector(app.connector.get_worker_connector()):
        asyncio.run(run())
    sys.stderr.write("psoas worker: stopped\n")
