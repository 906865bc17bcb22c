"""`psoas clinic`: set up a clinic on PostgreSQL, invite its people, list its patients.

`init` makes the clinic and invites its first admin; `invite` makes a one-time link for a
patient, a clinician or an admin; `patients` lists patients by public id. The operator runs
these on the server, so they see every clinic (scope.everyone()). Each link is printed once:
the store keeps only a hash of its code. Only Typer is imported here at load time.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
OriginOpt = Annotated[
    str | None,
    typer.Option(
        "--origin",
        envvar="PSOAS_BEHIND_HTTPS_PROXY",
        help="The address people open, e.g. https://care.example.org (default: "
        "PSOAS_BEHIND_HTTPS_PROXY). Links start with it.",
    ),
]
ClinicOpt = Annotated[
    str | None,
    typer.Option("--clinic", help="The clinic's name; needed when there is more than one."),
]
# Filters of the lists (patients, alerts).
OnlyClinicOpt = Annotated[str | None, typer.Option("--clinic", help="Only this clinic's patients.")]
OnlyClinicianOpt = Annotated[
    str | None,
    typer.Option("--clinician", help="Only this clinician's patients (their email)."),
]

clinic_app = typer.Typer(
    help="Clinic mode on PostgreSQL: set up a clinic, invite staff and patients, list "
    "patients (see docs/clinic.md).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add `psoas clinic` to the app."""
    from psoas.cli.clinic_up import up

    clinic_app.command("up")(up)
    app.add_typer(clinic_app, name="clinic")


def open_clinic_store() -> None:
    """Start the store in clinic mode (PostgreSQL only), migrating it if needed."""
    from psoas.cli.app import fail

    os.environ["PSOAS_MODE"] = "clinic"
    from django.core.exceptions import ImproperlyConfigured
    from django.db import Error as DatabaseError

    from psoas.cli.tracking import store_problem
    from psoas.web.bootstrap import setup

    try:
        setup()
    except ImproperlyConfigured as exc:
        said = str(exc).replace("PSOAS_MODE=clinic", "clinic mode")
        raise fail(f"--database-url: {said}") from None
    except ValueError as exc:
        raise fail(f"--database-url: {exc}") from None
    except DatabaseError as exc:
        raise fail(store_problem(exc)) from None


def _origin(origin: str | None) -> str:
    from psoas.cli.app import fail

    if not origin:
        raise fail(
            "--origin: give the address people open psoas at, e.g. https://care.example.org "
            "(or set PSOAS_BEHIND_HTTPS_PROXY)"
        )
    if not origin.startswith(("https://", "http://")) or "?" in origin or "#" in origin:
        raise fail(f"--origin: '{origin}' is not an address; use https://HOST[:PORT]")
    return origin.rstrip("/")


def _clinic(name: str | None):
    from psoas.cli.app import fail
    from psoas.web.clinic.models import Clinic

    names = list(Clinic.objects.order_by("name").values_list("name", flat=True))
    if not names:
        raise fail("--clinic: there is no clinic yet; make one with psoas clinic init")
    if name is None:
        if len(names) > 1:
            raise fail(f"--clinic: there are {len(names)} clinics; name one of: {', '.join(names)}")
        name = names[0]
    clinic = Clinic.objects.filter(name=name).first()
    if clinic is None:
        raise fail(f"--clinic: no clinic is named '{name}'; clinics: {', '.join(names)}")
    return clinic


def _print_invitation(new: Any, json_out: bool, extra: dict[str, Any]) -> None:
    from psoas.cli.app import _print_json
    from psoas.web.clinic.invitations import lifetime

    if json_out:
        _print_json(
            {
                **extra,
                "email": new.email,
                "role": new.role,
                "link": new.url,
                "expires_at": new.expires_at.isoformat(),
            }
        )
        return
    days = lifetime().days
    sys.stdout.write(
        f"Send this link to {new.email} ({new.role}). It works once, for {days} days.\n"
        "It is shown only now: psoas keeps no copy of it.\n"
        f"{new.url}\n"
    )


@clinic_app.command()
def init(
    name: Annotated[str, typer.Option("--name", help="The clinic's name.")],
    admin_email: Annotated[
        str, typer.Option("--admin-email", help="Email of the clinic's first admin.")
    ],
    origin: OriginOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make a clinic and invite its first admin (PostgreSQL via PSOAS_DATABASE_URL)."""
    from psoas.cli.app import fail

    name = name.strip()
    if not name or len(name) > 200:
        raise fail("--name: give the clinic's name, 1 to 200 characters")
    base = _origin(origin)
    open_clinic_store()
    from django.db import transaction

    from psoas.web.clinic import invitations, scope
    from psoas.web.clinic.models import Clinic, Role

    with scope.everyone(), transaction.atomic():
        if Clinic.objects.filter(name=name).exists():
            raise fail(f"--name: a clinic named '{name}' exists already")
        clinic = Clinic.objects.create(name=name)
        try:
            new = invitations.invite(clinic, admin_email, Role.ADMIN, base)
        except invitations.InvitationError as exc:  # the clinic is rolled back with it
            raise fail(str(exc).replace("--email", "--admin-email", 1)) from None
    if not json_out:
        sys.stdout.write(f"Clinic '{name}' is ready.\n")
    _print_invitation(new, json_out, {"clinic": name})


@clinic_app.command()
def invite(
    email: Annotated[str, typer.Option("--email", help="Who is invited.")],
    role: Annotated[str, typer.Option("--role", help="patient, clinician or admin.")],
    clinician: Annotated[
        str | None,
        typer.Option("--clinician", help="A patient's primary clinician (their email)."),
    ] = None,
    condition: Annotated[
        list[str] | None,
        typer.Option("--condition", help="A condition the patient has (a profile id); repeat."),
    ] = None,
    limit: Annotated[
        list[str] | None,
        typer.Option("--limit", help="A limit of the patient (a profile id); repeat."),
    ] = None,
    clinic: ClinicOpt = None,
    origin: OriginOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make a one-time invitation link and print it."""
    from psoas.cli.app import fail

    base = _origin(origin)
    open_clinic_store()
    from psoas.web.clinic import invitations, scope

    with scope.everyone():
        where = _clinic(clinic)
        try:
            new = invitations.invite(
                where,
                email,
                role,
                base,
                clinician=clinician,
                conditions=condition or [],
                limits=limit or [],
            )
        except invitations.InvitationError as exc:
            raise fail(str(exc)) from None
    _print_invitation(new, json_out, {"clinic": where.name})


@clinic_app.command()
def patients(
    clinic: OnlyClinicOpt = None,
    clinician: OnlyClinicianOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List patients: public id, primary clinician, when they joined, last activity."""
    from psoas.cli.app import _print_json

    open_clinic_store()
    from psoas.web.clinic import roster, scope

    with scope.everyone():
        found = roster.rows(_patients(clinic, clinician))
    if json_out:
        _print_json([{**r, **_times(r)} for r in found])
        return
    _print_table(found)


def _patients(clinic: str | None, clinician: str | None) -> Any:
    """Every clinic patient, or those of one clinic or one clinician (primary or other);
    run inside scope.everyone()."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from psoas.cli.app import fail
    from psoas.web.clinic.models import Clinic, Patient

    rows = Patient.objects.all()
    if clinic is not None:
        if not Clinic.objects.filter(name=clinic).exists():
            raise fail(f"--clinic: no clinic is named '{clinic}'")
        rows = rows.filter(clinic__name=clinic)
    if clinician is not None:
        user = get_user_model().objects.filter(username=clinician.strip().lower()).first()
        if user is None or not user.clinic_memberships.exists():
            raise fail(f"--clinician: '{clinician}' is not a member of staff")
        rows = rows.filter(Q(primary_clinician=user) | Q(other_clinicians=user)).distinct()
    return rows


ALERT_STATUSES = ("open", "all")


@clinic_app.command()
def alerts(
    clinic: OnlyClinicOpt = None,
    clinician: OnlyClinicianOpt = None,
    status: Annotated[
        str,
        typer.Option("--status", help="open (not resolved yet, the default) or all."),
    ] = "open",
    json_out: JsonOpt = False,
) -> None:
    """List alerts, most urgent first: red flags on top with their action level."""
    from psoas.cli.app import _print_json, fail

    if status not in ALERT_STATUSES:
        raise fail(f"--status: use open or all, not '{status}'")
    open_clinic_store()
    from psoas.core.alerts.rules import urgency
    from psoas.web.clinic import scope
    from psoas.web.clinic.models import Alert

    with scope.everyone():
        people = _patients(clinic, clinician).values("person_id")
        rows = Alert.objects.filter(person_id__in=people).select_related("person__clinic_patient")
        if status == "open":
            rows = rows.exclude(status=Alert.Status.RESOLVED)
        found = [
            {
                "alert": a.public_id,
                "patient": a.person.clinic_patient.public_id,
                "rule": a.rule,
                "severity": a.severity,
                "level": a.level,
                "flag": a.flag,
                "since": a.since.isoformat(),
                "fired_on": a.fired_on.isoformat(),
                "status": a.status,
                "message": a.message,
            }
            for a in sorted(rows, key=urgency)
        ]
    if json_out:
        _print_json(found)
        return
    _print_alerts(found, status)


def _print_alerts(found: list[dict[str, Any]], status: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not found:
        console.print("No open alerts." if status == "open" else "No alerts yet.")
        return
    table = Table("Patient", "Alert", "Fired on", "Status", "What happened")
    for r in found:
        what = r["rule"].replace("_", " ")
        if r["level"]:
            what = f"{what} ({r['level']}, {r['severity']})"
        else:
            what = f"{what} ({r['severity']})"
        table.add_row(r["patient"], what, r["fired_on"], r["status"], r["message"])
    console.print(table)


def _times(row: dict[str, Any]) -> dict[str, Any]:
    last = row["last_activity"]
    return {"created": row["created"].isoformat(), "last_activity": last and last.isoformat()}


def _print_table(found: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not found:
        console.print("No patients yet. Invite one with psoas clinic invite --role patient.")
        return
    table = Table("Patient", "Clinic", "Primary clinician", "Joined", "Last activity")
    for r in found:
        last = r["last_activity"]
        table.add_row(
            r["public_id"],
            r["clinic"],
            r["primary_clinician"],
            r["created"].date().isoformat(),
            last.date().isoformat() if last else "none yet",
        )
    console.print(table)
