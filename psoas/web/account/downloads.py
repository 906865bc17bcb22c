"""A person's files as the Settings page serves them: the PDF report, the CSV tables in a
zip and the FHIR bundle, made by the same functions as `psoas report` and `psoas
export`. The patient's own downloads (account/views.py) and their clinician's
(clinic/downloads.py) both answer with these, so the two files are the same."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from django.http import HttpResponse

from psoas.web.programs.models import Person, Plan


def attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # health records: never kept in a shared cache
    return response


def report(person: Person, plan: Plan, start: date | None, end: date) -> HttpResponse:
    """The two-page PDF for a physiotherapist, from `start` (default: the first day with
    a record) to `end`."""
    data, name = report_file(person, plan, start, end)
    return attachment(data, name, "application/pdf")


def report_file(person: Person, plan: Plan, start: date | None, end: date) -> tuple[bytes, str]:
    """The report's PDF and its file name (a batch's job keeps the same file)."""
    from psoas.web.reports.data import first_day
    from psoas.web.reports.pdf import report_pdf

    start = start or min(first_day(person) or end, end)
    pdf = report_pdf(person, plan, start, end, date.today())
    return pdf.data, f"psoas-report-{start.isoformat()}-to-{end.isoformat()}.pdf"


def csv_zip(person: Person) -> HttpResponse:
    """Every CSV table of `psoas export --format csv`, in one zip file."""
    from psoas.web.exports.reading import Period, snapshot
    from psoas.web.exports.tables import csv_files

    with snapshot():
        tables = csv_files(person, Period())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (data, _rows) in tables.items():
            zf.writestr(f"psoas-export/{name}", data)
    return attachment(buffer.getvalue(), "psoas-export.zip", "application/zip")


def fhir(person: Person) -> HttpResponse:
    """The FHIR R4 bundle of `psoas export --format fhir`."""
    from psoas.web.exports.fhir import bundle
    from psoas.web.exports.reading import Period, snapshot

    with snapshot():
        data = bundle(person, Period())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return attachment(text.encode("utf-8"), "psoas-fhir.json", "application/fhir+json")
