"""`psoas report` over three years of daily records, rendered in-process.

Seeds a fresh SQLite database with bench/progress.py's seed (a plan every six weeks, a
session with all its sets and a pain check-in every day for three years), then times the
whole report: reading the store, the HTML, WeasyPrint's layout and PDF, and the write.
The first run in a process also pays for importing WeasyPrint and reading the fonts, which
a `psoas report` command always pays once; later runs show the steady cost.
Target (issue 5): under 2 s. Prints `report_s` (first run, as the CLI sees it),
`report_warm_s` (median of later runs) and where the warm time goes.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from progress import DAYS, fresh_store, seed

RUNS = 5


def main() -> None:
    with fresh_store() as tmp:
        person = seed()
        from psoas.files import write
        from psoas.web.programs.services import active_plan
        from psoas.web.reports import pdf
        from psoas.web.reports.data import report_data

        plan = active_plan(person)
        end = date.today()
        start = end - timedelta(days=DAYS)
        out = tmp / "report.pdf"

        def once() -> float:
            t0 = time.perf_counter()
            result = pdf.report_pdf(person, plan, start, end, end)
            write(out, result.data)
            assert result.pages == 2, f"{result.pages} pages"
            return time.perf_counter() - t0

        first = once()
        warm = statistics.median(once() for _ in range(RUNS))
        t0 = time.perf_counter()
        context = report_data(person, plan, start, end, end)
        t1 = time.perf_counter()
        html = pdf.render_html(context)
        t2 = time.perf_counter()
        pdf.render_pdf(html)
        t3 = time.perf_counter()
        print(f"report_s: {first:.2f} s")
        print(f"report_warm_s: {warm:.2f} s")
        print(f"report_data_ms: {1000 * (t1 - t0):.0f} ms")
        print(f"report_html_ms: {1000 * (t2 - t1):.0f} ms")
        print(f"report_weasyprint_ms: {1000 * (t3 - t2):.0f} ms")
        print(f"report_bytes: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
