"""Writing pain check-ins and questionnaire responses."""

from __future__ import annotations

from datetime import date

from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.models import Person


def add_checkin(
    person: Person, day: date, nprs: int, red_flags: list[str], note: str = ""
) -> PainCheckin:
    return PainCheckin.objects.create(
        person=person, date=day, nprs=nprs, red_flags=red_flags, note=note
    )


def add_response(
    person: Person, questionnaire_id: str, version: str, day: date, answers: dict, score: float
) -> QuestionnaireResponse:
    return QuestionnaireResponse.objects.create(
        person=person,
        questionnaire_id=questionnaire_id,
        version=version,
        date=day,
        answers=answers,
        score=score,
    )
