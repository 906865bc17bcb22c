"""Turn the report's data into a PDF file: an HTML template through Django's template
engine, then WeasyPrint. The engine is built here, not in settings, so the report needs no
settings of its own and the CLI and the web app render the same file the same way."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int


@functools.cache
def _engine():
    from django.template import Engine

    return Engine(dirs=[str(TEMPLATES)], autoescape=True)


@functools.cache
def _fonts():
    """One font configuration per process: WeasyPrint then reads the fonts once."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_html(context: dict[str, Any]) -> str:
    from django.template import Context

    return _engine().get_template("report.html").render(Context(context))


def render_pdf(html: str) -> Pdf:
    from weasyprint import HTML

    doc = HTML(string=html, base_url=str(TEMPLATES)).render(font_config=_fonts())
    return Pdf(doc.write_pdf(), len(doc.pages))


def report_pdf(person: Any, plan: Any, start: date, end: date, today: date) -> Pdf:
    """The report for `person` over `start`..`end`, made on `today`."""
    from psoas.web.reports.data import report_data

    return render_pdf(render_html(report_data(person, plan, start, end, today)))
