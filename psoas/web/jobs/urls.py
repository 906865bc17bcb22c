"""Generated files, handed out by an access-checked view (never a public folder), and a
person's own report asked for through the task queue."""

from django.urls import path

from psoas.web.jobs import report_views, views

urlpatterns = [
    path("files/<str:token>", views.generated_file, name="generated-file"),
    path("reports/", report_views.ask, name="report-ask"),
    path("reports/<str:token>/", report_views.status, name="report-status"),
]
