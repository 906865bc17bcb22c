"""Clinic mode's pages (404 in local mode). Patients are named by their public id."""

from django.urls import path

from psoas.web.clinic import (
    alerts_views,
    api_tokens,
    failed_jobs,
    invite_page,
    overview,
    program,
    views,
    worklist_views,
)
from psoas.web.clips import views as clips

urlpatterns = [
    path("invite/", views.invite, name="clinic-invite"),
    path("clinic/", worklist_views.worklist_page, name="clinic-landing"),
    path("clinic/invite/", invite_page.invite_page, name="clinic-invite-page"),
    path("clinic/alerts/", alerts_views.alert_list, name="clinic-alerts"),
    path("clinic/alerts/<str:public_id>/", alerts_views.alert_handle, name="clinic-alert"),
    path("clinic/settings/", alerts_views.thresholds_page, name="clinic-settings"),
    path("clinic/api-tokens/", api_tokens.staff_tokens_page, name="clinic-api-tokens"),
    path("settings/api-tokens/", api_tokens.tokens_page, name="settings-api-tokens"),
    path("clinic/jobs/", failed_jobs.failed_jobs, name="clinic-failed-jobs"),
    path("clinic/jobs/<int:job_id>/retry", failed_jobs.retry_job, name="clinic-retry-job"),
    path("clinic/second-factor/", views.second_factor, name="clinic-second-factor"),
    path("clinic/patients/<str:public_id>/", overview.patient, name="clinic-patient"),
    path("clinic/patients/<str:public_id>/program/", program.editor, name="clinic-program"),
    path(
        "clinic/patients/<str:public_id>/program/history/",
        program.versions,
        name="clinic-program-history",
    ),
    path("clinic/patients/<str:public_id>/clips/", clips.clips, name="clinic-clips"),
    path("clinic/patients/<str:public_id>/clips/<str:clip_id>/", clips.clip, name="clinic-clip"),
    path("password-reset/", views.reset_ask, name="password-reset"),
    path("password-reset/sent/", views.reset_sent, name="password-reset-sent"),
    path("password-reset/<uidb64>/<token>/", views.reset_new, name="password-reset-new"),
    path("password-reset/done/", views.reset_done, name="password-reset-done"),
]
