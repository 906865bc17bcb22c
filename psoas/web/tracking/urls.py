"""Today's session and the browser player."""

from django.urls import path

from psoas.web.tracking import views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("today/log/", views.log_manual, name="today-log"),
    path("session/<int:session_id>/", views.player, name="player"),
]
