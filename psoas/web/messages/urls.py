"""The message pages (clinic mode only; 404 in local mode)."""

from django.urls import path

from psoas.web.messages import views

urlpatterns = [
    path("messages/", views.patient_messages, name="messages"),
    path("messages/read/", views.patient_read, name="messages-read"),
    path("clinic/messages/", views.inbox, name="clinic-messages"),
    path(
        "clinic/patients/<str:public_id>/messages/",
        views.staff_write,
        name="clinic-patient-messages",
    ),
    path(
        "clinic/patients/<str:public_id>/messages/read/",
        views.staff_read,
        name="clinic-patient-messages-read",
    ),
]
