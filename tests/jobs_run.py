"""Real processes for the task-queue tests, with the jobs of tests/jobs_tasks.py known.

`python -m tests.jobs_run worker ARGS` is `psoas worker ARGS`;
`python -m tests.jobs_run defer KEY [rollback] [sleep_s=N] [sleep_after_s=N] [fail_first]`
writes a row and defers a job in one transaction, as app code does.
PSOAS_TEST_JOB_MODULES names more job modules to import first (comma-separated).
"""

from __future__ import annotations

import importlib
import os
import sys

import tests.jobs_tasks as tasks


def _import_extra() -> None:
    for name in filter(None, os.environ.get("PSOAS_TEST_JOB_MODULES", "").split(",")):
        importlib.import_module(name)


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
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
