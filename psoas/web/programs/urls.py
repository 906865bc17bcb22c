"""The plan overview, the exercise pages and the education pages."""

from django.urls import path

from psoas.web.programs import views

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("exercises/", views.exercises, name="exercises"),
    path("exercises/<str:exercise_id>/", views.exercise, name="exercise"),
    path("learn/", views.learn, name="learn"),
    path("learn/<str:topic_id>/", views.topic, name="topic"),
]
