"""The report for a physiotherapist: two A4 pages made from the store (data.py, summary.py),
with SVG charts (charts.py), through an HTML template and WeasyPrint (pdf.py).

A plain package, not a Django app: it has no models, so it needs no INSTALLED_APPS entry.
"""
