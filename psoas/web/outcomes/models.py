"""Pain check-ins and questionnaire responses, the outcomes charted over time."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from psoas.web.programs.models import Person


class PainCheckin(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    nprs = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    red_flags = models.JSONField(default=list)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at"]
        indexes = [models.Index(fields=["person", "date"])]


class QuestionnaireResponse(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="responses")
    questionnaire_id = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    date = models.DateField()
    answers = models.JSONField()
    score = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at"]
        indexes = [models.Index(fields=["person", "questionnaire_id", "date"])]
