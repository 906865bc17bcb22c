"""The warning signs asked before every session and every check-in, and reading a form's
answers to them. One place for the rule that matters most: a yes is enough to refer, and a
question left unanswered is never read as a no."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psoas.core.content.loader import catalog
from psoas.core.content.models import RedFlag
from psoas.core.profile import parse_profile
from psoas.core.screening.referral import questions_to_ask
from psoas.web.programs.models import Plan


def every_session_questions(plan: Plan) -> list[RedFlag]:
    """The emergency signs (and in pregnancy or after a birth the warning signs of those)
    for the person the plan was made for, in catalog order."""
    return questions_to_ask(parse_profile(plan.profile.data), catalog(), every_session_only=True)


def read_answers(
    data: Mapping[str, Any], questions: list[RedFlag]
) -> tuple[list[str], list[tuple[int, RedFlag]]]:
    """(ids answered yes, (number from 1, question) of each answered neither yes nor no)
    from form fields named `flag_<id>` holding "yes" or "no"."""
    yes, unanswered = [], []
    for n, q in enumerate(questions, 1):
        answer = data.get(f"flag_{q.id}")
        if answer == "yes":
            yes.append(q.id)
        elif answer != "no":
            unanswered.append((n, q))
    return yes, unanswered
