from django.urls import path

from psoas.web.site import health, views

urlpatterns = [
    path("", views.welcome, name="welcome"),
    path("ping", views.ping, name="ping"),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
]
