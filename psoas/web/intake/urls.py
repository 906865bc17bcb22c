"""The intake wizard and the self-tests."""

from django.urls import path

from psoas.web.intake import views

urlpatterns = [
    path("start/", views.start, name="start"),
    path("start/refer/", views.refer, name="start-refer"),
    path("start/<slug:slug>/", views.step, name="start-step"),
    path("self-tests/", views.self_tests, name="self-tests"),
]
