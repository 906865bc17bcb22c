"""The plan overview, the end of a block, the exercise pages and the education pages."""

from django.urls import path

from psoas.web.programs import block_page, views

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("block/", block_page.block, name="block"),
    path("exercises/", views.exercises, name="exercises"),
    path("exercises/<str:exercise_id>/", views.exercise, name="exercise"),
    path("learn/", views.learn, name="learn"),
    path("learn/<str:topic_id>/", views.topic, name="topic"),
]
