"""Settings: profile, downloads, the calendar link, a phone link, backup, restore and
delete; and the page a phone link opens."""

from django.urls import path

from psoas.web.account import views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/report.pdf", views.report, name="settings-report"),
    path("settings/export/csv", views.export_csv, name="settings-export-csv"),
    path("settings/export/fhir", views.export_fhir, name="settings-export-fhir"),
    path("settings/export/ics", views.export_ics, name="settings-export-ics"),
    path("settings/reminder", views.reminder, name="settings-reminder"),
    path("settings/calendar-link", views.calendar_link, name="settings-calendar-link"),
    path("settings/phone-link", views.phone_link, name="settings-phone-link"),
    path("settings/backup", views.backup, name="settings-backup"),
    path("settings/restore", views.restore, name="settings-restore"),
    path("settings/delete", views.delete_everything, name="settings-delete"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("pair/", views.pair, name="pair"),
]
