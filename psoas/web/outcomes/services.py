"""Writing pain check-ins and questionnaire responses, and the weekly activity check
(PSFS) that the CLI's and the web's check-ins share."""

from __future__ import annotations

from datetime import date
from typing import Any

from psoas.core.content.questionnaires import questionnaires
from psoas.core.scoring.change import change
from psoas.core.scoring.prompts import due_questionnaires
from psoas.core.scoring.score import score
from psoas.web.clinic.alerts import changed as alerts_changed
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.models import Person


def add_checkin(
    person: Person, day: date, nprs: int, red_flags: list[str], note: str = ""
) -> PainCheckin:
    saved = PainCheckin.objects.create(
        person=person, date=day, nprs=nprs, red_flags=red_flags, note=note
    )
    alerts_changed(person.pk)  # a warning sign or a rise in pain alerts the clinic at once
    return saved


def add_response(
    person: Person, questionnaire_id: str, version: str, day: date, answers: dict, score: float
) -> QuestionnaireResponse:
    saved = QuestionnaireResponse.objects.create(
        person=person,
        questionnaire_id=questionnaire_id,
        version=version,
        date=day,
        answers=answers,
        score=score,
    )
    alerts_changed(person.pk)  # an activity score that fell
    return saved


def last_psfs(person: Person) -> dict[str, Any] | None:
    """The answers of the latest activity check: next time asks about the same activities."""
    last = (
        QuestionnaireResponse.objects.filter(person=person, questionnaire_id="psfs")
        .order_by("-date", "-id")
        .first()
    )
    return last.answers if last else None


def psfs_due(person: Person, day: date) -> bool:
    """The weekly prompt: is the activity check due at this check-in?"""
    first = PainCheckin.objects.filter(person=person).order_by("date").first()
    baseline = min(first.date, day) if first else day
    last = (
        QuestionnaireResponse.objects.filter(person=person, questionnaire_id="psfs")
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return "psfs" in due_questionnaires(day, baseline, {"psfs": last} if last else {})


def save_psfs(person: Person, day: date, answers: dict[str, Any]) -> str:
    """Score and store an activity check; the words about change since the first one.
    Answers that do not score (a ValueError) save nothing."""
    q = questionnaires()["psfs"]
    result = score(q, answers)
    first = (
        QuestionnaireResponse.objects.filter(person=person, questionnaire_id="psfs")
        .order_by("date", "id")
        .first()
    )
    add_response(person, "psfs", q.version, day, answers, result.value)
    if first is None:
        return f"Activity score {result.value:g} of 10. This is your starting point."
    return change(q, score(q, first.answers), result).message
