"""The progress page and the check-in."""

from django.urls import path

from psoas.web.outcomes import views

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/done/", views.checkin_done, name="checkin-done"),
]
