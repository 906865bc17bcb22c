"""The break pages, their one-tap actions, and the Settings page's Breaks forms."""

from django.urls import path

from psoas.web.breaks import views

urlpatterns = [
    path("breaks/", views.breaks_page, name="breaks"),
    path("breaks/now/", views.break_now, name="break-now"),
    path("breaks/act", views.act, name="breaks-act"),
    path("settings/breaks", views.save_settings, name="settings-breaks"),
    path("settings/breaks/switch", views.switch, name="settings-breaks-switch"),
]
