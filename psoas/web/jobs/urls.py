"""Generated files, handed out by an access-checked view (never a public folder)."""

from django.urls import path

from psoas.web.jobs import views

urlpatterns = [
    path("files/<str:token>", views.generated_file, name="generated-file"),
]
