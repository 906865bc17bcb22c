"""`psoas export`: your records as CSV tables, a FHIR R4 bundle or an iCalendar file.

Only Typer is imported here, so registering the command keeps `psoas --help` fast; the
store and the formats load when the command runs. The work is in `psoas.web.exports`,
which the web app will share; this module checks the options, writes the files and says
what it wrote. docs/exports.md describes every file.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

FORMATS = ("csv", "fhir", "ics")
DEFAULT_OUT = {"csv": "psoas-export", "fhir": "psoas-fhir.json", "ics": "psoas.ics"}
DEFAULT_TIME, DEFAULT_ALARM, MAX_ALARM = time(8, 0), 10, 24 * 60


def register(app: typer.Typer) -> None:
    """Add `psoas export` to the app."""
    app.command("export")(export)


def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, fhir or ics.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="A folder for csv (default psoas-export), a file for fhir "
            "(psoas-fhir.json) and ics (psoas.ics).",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="csv, fhir: first day, YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="csv, fhir: last day, YYYY-MM-DD.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--time", help="ics: time of the sessions, HH:MM (08:00).")
    ] = None,
    alarm_minutes: Annotated[
        int | None,
        typer.Option("--alarm-minutes", help="ics: reminder this many minutes before (10)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Take your records out: CSV tables, FHIR R4 for a clinic, or your plan for a calendar."""
    from psoas.cli.app import _print_json, fail

    if fmt not in FORMATS:
        raise fail(f"--format: '{fmt}' is not a format; allowed: {', '.join(FORMATS)}")
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and first > last:
        raise fail(f"--from: {first} is after --to ({last}); give an earlier --from")
    if fmt == "ics":
        for given, field in ((start, "--from"), (end, "--to")):
            if given is not None:
                raise fail(f"{field}: only for --format csv or fhir; the calendar is the plan")
    else:
        for given, field in ((at, "--time"), (alarm_minutes, "--alarm-minutes")):
            if given is not None:
                raise fail(f"{field}: only for --format ics")
    clock = _clock(at)
    if alarm_minutes is not None and not 0 <= alarm_minutes <= MAX_ALARM:
        raise fail(
            f"--alarm-minutes: must be a whole number from 0 to {MAX_ALARM} (got {alarm_minutes})"
        )
    target = _target(out or Path(DEFAULT_OUT[fmt]), folder=fmt == "csv")
    if fmt == "ics":
        alarm = DEFAULT_ALARM if alarm_minutes is None else alarm_minutes
        files = _calendar(target, clock, alarm, json_out)
    else:
        files = _records(fmt, target, first, last)
    from psoas.files import Refused, write_all

    try:
        write_all({path: data for path, (data, _rows) in files.items()})
    except Refused as exc:
        raise fail(f"--out: {exc}") from None
    except OSError as exc:
        raise fail(f"--out: cannot write '{exc.filename or target}': {exc.strerror}") from None
    summary = [{"path": str(p), "rows": rows} for p, (_data, rows) in files.items()]
    if json_out:
        _print_json({"format": fmt, "files": summary})
    else:
        for f in summary:
            typer.echo(f"Wrote {f['path']} ({f['rows']} {_unit(fmt, f['rows'])})")


def _day(value: str | None, field: str) -> date | None:
    from psoas.cli.app import fail

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{field}: '{value}' is not a date; use YYYY-MM-DD") from None


def _clock(value: str | None) -> time:
    from psoas.cli.app import fail

    if value is None:
        return DEFAULT_TIME
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError:
        raise fail(f"--time: '{value}' is not a time; use HH:MM, like 07:30") from None


def _target(path: Path, *, folder: bool) -> Path:
    """Check --out before reading anything: a folder for csv (made if missing), else a
    file that psoas may replace (psoas.files: never a folder or a device; a link is
    followed). Each CSV file in the folder is checked the same way when written."""
    from psoas.cli.app import fail
    from psoas.files import Refused, target

    if folder:
        try:
            path.mkdir(exist_ok=True)
        except FileExistsError:
            raise fail(f"--out: '{path}' is a file; csv needs a folder") from None
        except OSError as exc:
            raise fail(f"--out: cannot make folder '{path}': {exc.strerror}") from None
        return path
    try:
        target(path)
    except Refused as exc:
        raise fail(f"--out: {exc}") from None
    return path


def _records(
    fmt: str, target: Path, first: date | None, last: date | None
) -> dict[Path, tuple[bytes, int]]:
    """The CSV tables or the FHIR bundle, read in one snapshot: bytes and rows per file."""
    from psoas.cli.tracking import open_store

    person = open_store()
    from psoas.web.exports.reading import Period, snapshot

    period = Period(first, last)
    if fmt == "csv":
        from psoas.web.exports.tables import csv_files

        with snapshot():
            tables = csv_files(person, period)
        return {target / name: file for name, file in tables.items()}
    import json

    from psoas.web.exports.fhir import bundle

    with snapshot():
        data = bundle(person, period)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return {target: (text.encode("utf-8"), len(data["entry"]))}


def _calendar(
    target: Path, clock: time, alarm: int, json_out: bool
) -> dict[Path, tuple[bytes, int]]:
    """The active plan as an .ics file; a plan that refers (a red flag) has no sessions and
    exits 3 with the referral, as `psoas today` does."""
    from psoas.cli.tracking import active_plan_or_fail, open_store, refer_if_stopped

    plan = active_plan_or_fail(open_store())
    refer_if_stopped(plan, json_out)
    from psoas.web.exports.ical import calendar

    return {target: calendar(plan, clock, alarm)}


def _unit(fmt: str, n: int) -> str:
    word = {"csv": "row", "fhir": "resource", "ics": "event"}[fmt]
    return word if n == 1 else word + "s"
