"""`psoas report`: the PDF for a physiotherapist (psoas/web/reports does the work).

app.py imports this module to register the command, so only Typer and the standard library
load here: `psoas --help` stays fast, and nothing imports psoas.cli.app back at import time.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add `psoas report` to the app."""
    app.command("report")(report)


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the PDF.")],
    from_day: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD; default: plan start.")
    ] = None,
    to_day: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD; default today.")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print {path, pages, bytes} as JSON.")
    ] = False,
) -> None:
    """Write a PDF for your physiotherapist: profile, screen, the block in force and its
    program, sessions done, pain and scores against the start, exercises stepped back for
    pain, notes; and after a re-test, each block's before and after and the choice."""
    from psoas.cli.app import _print_json, fail
    from psoas.cli.tracking import active_plan_or_fail, open_store, parse_day

    end = parse_day(to_day, "--to")
    start = parse_day(from_day, "--from") if from_day else None
    if start is not None and start > end:
        raise fail(f"--from: {start} is after --to ({end})")
    path = _writable(out)
    person = open_store()
    plan = active_plan_or_fail(person)
    from psoas.files import Refused, write
    from psoas.web.reports.data import first_day
    from psoas.web.reports.pdf import report_pdf

    start = start or min(first_day(person) or end, end)
    pdf = report_pdf(person, plan, start, end, date.today())
    try:
        write(path, pdf.data)
    except Refused as exc:
        raise fail(f"--out: {exc}") from None
    except OSError as exc:
        raise fail(f"--out: cannot write '{out}': {exc.strerror or exc}") from None
    if json_out:
        _print_json({"path": str(path), "pages": pdf.pages, "bytes": len(pdf.data)})
    else:
        typer.echo(f"Wrote {path}: {pdf.pages} pages, {len(pdf.data) / 1024:.0f} KB.")


def _writable(out: Path) -> Path:
    """Check the target before any work, so a typo costs no rendering time (psoas.files:
    never a folder or a device; a link is followed)."""
    from psoas.cli.app import fail
    from psoas.files import Refused, target

    path = out.expanduser().absolute()
    try:
        target(path)
    except Refused as exc:
        hint = " such as report.pdf" if "is a folder" in str(exc) else ""
        raise fail(f"--out: {exc}{hint}") from None
    return path
