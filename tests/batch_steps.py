"""Steps of the batch-report tests, each run as `python -m tests.batch_steps STEP` in a
child process in clinic mode on the test's own PostgreSQL database (PSOAS_MODE=clinic and
PSOAS_DATABASE_URL in its environment), so the pages, the jobs and `psoas worker` all use
the real settings and the real queue. Each step prints one JSON value.

- seed: the two clinics of tests/clinic_seed.py; Cara's patients are A, two more with a
  plan and a year of history, and one with no plan (a batch still finishes for them).
- ask IDS...: Cara asks for the reports of these patients (or "all") through the form;
  prints the batch page's path.
- page PATH [ROLE]: the status and text of a page as Cara (or "sam", "north_admin").
- post PATH [ROLE]: the status and redirect of an empty form sent to PATH as Cara (or
  another role of `client`).
- file PATH: the status, type and bytes (hex) of a download as Cara.
- redefer: each of the batch's rows' job is deferred again (a duplicated job).
- counts: the batch rows' states and the number of generated files.
- device: Cara's confirmed authenticator; prints its key (hex) for a browser login.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

from psoas.web.bootstrap import setup


def seed() -> None:
    from psoas.web.clinic import scope
    from tests.clinic_seed import give_plan, patient_of, world

    made = world()
    cara = made.users["cara"]
    with scope.everyone():
        made.patients["A"].person.name = "Ann Able"
        made.patients["A"].person.save()
        give_plan(made.patients["A"], date.today() - timedelta(20))
        ids = [made.patients["A"].public_id]
        for name, plan in (("Bo Brook", True), ("Cy Cole", True), ("Di Dale", False)):
            start = date.today() - timedelta(10) if plan else None
            ids.append(patient_of(made.north, cara, start, name).public_id)
    print(json.dumps(ids))


def client(role: str = "cara"):
    from tests.clinic_seed import as_staff, user_named

    emails = {
        "cara": "cara@north.example",
        "sam": "sam@south.example",
        "cole": "cole@north.example",
        "north_admin": "admin@north.example",
        "south_admin": "admin@south.example",
    }
    return as_staff(user_named(emails[role]))


def ask(ids: list[str]) -> None:
    form = {"all": "1"} if ids == ["all"] else {"patient": ids}
    answer = client().post("/clinic/reports/", form)
    to = answer.get("Location", "")
    print(json.dumps({"status": answer.status_code, "to": to, "text": answer.content.decode()}))


def page(path: str, role: str = "cara") -> None:
    answer = client(role).get(path)
    print(json.dumps({"status": answer.status_code, "text": answer.content.decode()}))


def post(path: str, role: str = "cara") -> None:
    answer = client(role).post(path, {})
    print(json.dumps({"status": answer.status_code, "to": answer.get("Location", "")}))


def file(path: str) -> None:
    answer = client().get(path)
    print(
        json.dumps(
            {
                "status": answer.status_code,
                "type": answer.get("Content-Type", ""),
                "name": answer.get("Content-Disposition", ""),
                "hex": answer.content.hex(),
            }
        )
    )


def redefer() -> None:
    from psoas.web.batches.models import BatchReport
    from psoas.web.batches.tasks import render_batch_report
    from psoas.web.clinic import scope

    with scope.everyone():
        for pk in BatchReport.objects.values_list("pk", flat=True):
            render_batch_report.defer(report_id=pk)
    print("null")


def counts() -> None:
    from psoas.web.batches.models import BatchReport
    from psoas.web.clinic import scope
    from psoas.web.jobs.models import GeneratedFile

    with scope.everyone():
        states = sorted(BatchReport.objects.values_list("state", flat=True))
        print(json.dumps({"states": states, "files": GeneratedFile.objects.count()}))


def device() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.clinic_seed import user_named

    made = TOTPDevice.objects.create(user=user_named("cara@north.example"), confirmed=True)
    print(json.dumps(made.key))


def main(argv: list[str]) -> None:
    setup()
    step, args = argv[0], argv[1:]
    steps = {"seed": seed, "ask": lambda: ask(args), "redefer": redefer, "counts": counts}
    steps["device"] = device
    steps |= {"page": lambda: page(*args), "file": lambda: file(args[0])}
    steps["post"] = lambda: post(*args)
    steps[step]()


if __name__ == "__main__":
    main(sys.argv[1:])
