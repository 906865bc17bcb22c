"""The audit trail's pages for clinic admins, staff downloads of a patient's files, and a
clinic patient's "Delete my data" (all 404 in local mode)."""

from django.urls import path

from psoas.web.audit import erase_views, views
from psoas.web.clinic import downloads

urlpatterns = [
    path("clinic/audit/", views.trail_page, name="clinic-audit"),
    path("clinic/audit.csv", views.trail_csv, name="clinic-audit-csv"),
    path(
        "clinic/patients/<str:public_id>/report.pdf",
        downloads.report,
        name="clinic-patient-report",
    ),
    path(
        "clinic/patients/<str:public_id>/export/csv",
        downloads.export_csv,
        name="clinic-patient-export-csv",
    ),
    path(
        "clinic/patients/<str:public_id>/export/fhir",
        downloads.export_fhir,
        name="clinic-patient-export-fhir",
    ),
    path("settings/erase/", erase_views.erase_page, name="settings-erase"),
]
