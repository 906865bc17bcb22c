"""A clinician's batches of reports (staff pages: 404 in local mode)."""

from django.urls import path

from psoas.web.batches import views

urlpatterns = [
    path("clinic/reports/", views.ask, name="batch-ask"),
    path("clinic/reports/<str:batch_id>/", views.batch, name="batch"),
    path("clinic/reports/<str:batch_id>/all.zip", views.download_all, name="batch-zip"),
    path(
        "clinic/reports/<str:batch_id>/patients/<str:public_id>/report.pdf",
        views.report,
        name="batch-report",
    ),
]
