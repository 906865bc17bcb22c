"""URLs of the web app: the JSON API under /api/ (pages come with later work)."""

from django.urls import path

from psoas.web.api.api import api

urlpatterns = [path("api/", api.urls)]
