"""Real processes for the task-queue tests, with the jobs of tests/jobs_tasks.py known.

`python -m tests.jobs_run worker ARGS` is `psoas worker ARGS`;
`python -m tests.jobs_run defer KEY [rollback] [sleep_s=N] [sleep_after_s=N] [fail_first]`
writes a row and defers a job in one transaction, as app code does;
`python -m tests.jobs_run defer-job NAME JSON` defers the job NAME of tests/jobs_tasks.py
with the JSON object's arguments, a "patient" public id given as that person's person_id.
PSOAS_TEST_JOB_MODULES names more job modules to import first (comma-separated).
"""

from __future__ import annotations

import importlib
import json
import os
import sys

import tests.jobs_tasks as tasks


def _import_extra() -> None:
    for name in filter(None, os.environ.get("PSOAS_TEST_JOB_MODULES", "").split(",")):
        importlib.import_module(name)


def defer_job(name: str, kwargs: dict) -> None:
    from psoas.web.bootstrap import setup

    setup()
    from psoas.web.clinic.models import Patient

    if "patient" in kwargs:
        found = Patient.all_rows.get(public_id=kwargs.pop("patient"))
        kwargs["person_id"] = found.person_id
    getattr(tasks, name).defer(**kwargs)


def main(argv: list[str]) -> None:
    _import_extra()
    if argv[0] == "worker":
        from psoas.cli.app import main as psoas_main

        sys.argv = ["psoas", *argv]
        psoas_main()
    elif argv[0] == "defer":  # defer KEY [rollback] [sleep_s=N] [sleep_after_s=N] [fail_first]
        from psoas.web.bootstrap import setup

        setup()
        key, flags = argv[1], argv[2:]
        kwargs = {}
        for flag in flags:
            name, _, value = flag.partition("=")
            if name in ("sleep_s", "sleep_after_s"):
                kwargs[name] = float(value)
            elif flag == "fail_first":
                kwargs["fail_first"] = True
        tasks.defer_with_data(key, rollback="rollback" in flags, **kwargs)
    elif argv[0] == "defer-job":
        defer_job(argv[1], json.loads(argv[2]))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
