"""A questionnaire response's answers in the questionnaire's own order, with item text.

PostgreSQL's jsonb does not keep the order of keys, so the order comes from the
questionnaire content; answers to items the content no longer has (an older version) keep
their place at the end, sorted, so nothing stored is left out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from psoas.core.content.questionnaires import questionnaires


class Answer(NamedTuple):
    item_id: str
    text: str | None  # the question as the content words it; None for an unknown item
    value: Any


def ordered_answers(questionnaire_id: str, answers: dict[str, Any]) -> list[Answer]:
    """The answered items (skipped ones, stored as null, are left out)."""
    q = questionnaires().get(questionnaire_id)
    texts = {item.id: item.text for item in q.items} if q else {}
    order = [i for i in texts if i in answers] + sorted(set(answers) - set(texts))
    return [Answer(i, texts.get(i), answers[i]) for i in order if answers[i] is not None]
