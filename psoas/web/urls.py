"""URLs of the web app: pages by feature, and the JSON API under /api/."""

from django.urls import include, path

from psoas.web.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("psoas.web.site.urls")),
    path("", include("psoas.web.intake.urls")),
    path("", include("psoas.web.programs.urls")),
    path("", include("psoas.web.tracking.urls")),
    path("", include("psoas.web.outcomes.urls")),
    path("", include("psoas.web.account.urls")),
    path("", include("psoas.web.breaks.urls")),
    path("", include("psoas.web.clinic.urls")),
    path("", include("psoas.web.messages.urls")),
    path("", include("psoas.web.audit.urls")),
    path("", include("psoas.web.jobs.urls")),
    path("", include("psoas.web.batches.urls")),
]
