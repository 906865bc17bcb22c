"""The warning signs asked before every session and every check-in, and reading the answer.

One screen: the signs that apply to this person, listed, and one answer that must be given,
"None of these" or "Yes, one or more". Nothing is chosen for the person, and a missing
answer is never read as "none". Only a yes asks which signs, and those refer at their own
action level (emergency, urgent, routine), as every red flag does.

The form fields: `warning_signs` ("none" or "yes") and `sign` (one per sign ticked, its
id). The API's fields: `none_of_these: true`, or `red_flags: [ids]` with at least one id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psoas.core.content.loader import catalog
from psoas.core.content.models import RedFlag
from psoas.core.profile import parse_profile
from psoas.core.screening.referral import questions_to_ask
from psoas.web.programs.models import Plan

ANSWER = "warning_signs"  # the one answer: "none" or "yes"
SIGN = "sign"  # each sign ticked after a yes
NONE, YES = "none", "yes"

MISSING = "Warning signs: choose None of these, or Yes, one or more."
NO_SIGN = "Warning signs: you chose Yes. Tick each sign you have."
BOTH = "Warning signs: you chose None of these, but you ticked a sign. Choose again."
UNKNOWN = "Warning signs: tick only signs from the list."

_ASKED_OF_ALL = "We ask everyone this."


def every_session_questions(plan: Plan) -> list[RedFlag]:
    """The emergency signs (and in pregnancy, after a birth or after surgery the warning
    signs of those) for the person the plan was made for, in catalog order."""
    return questions_to_ask(parse_profile(plan.profile.data), catalog(), every_session_only=True)


def sign_text(flag: RedFlag) -> str:
    """The sign as listed on the one screen: its question, without the note that we ask
    everyone (true of every sign in a list)."""
    text = " ".join(flag.question.split())
    return text.removeprefix(_ASKED_OF_ALL).strip()


def _ticked(data: Mapping[str, Any]) -> list[str]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return list(getlist(SIGN))
    value = data.get(SIGN)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def read_check(data: Mapping[str, Any], questions: list[RedFlag]) -> tuple[list[str], str | None]:
    """(ids of the signs the person has, the error in words or None) from a form.

    "none" with nothing ticked is the only answer that lets a session start. A yes with
    signs ticked refers. Anything else (no answer, a yes without a sign, "none" with a
    sign ticked, a sign not on the list) is an error: nothing may start, nothing is read
    as a no."""
    answer = data.get(ANSWER)
    ticked = list(dict.fromkeys(_ticked(data)))
    known = {q.id for q in questions}
    if any(t not in known for t in ticked):
        return [], UNKNOWN
    if answer == YES:
        return (ticked, None) if ticked else ([], NO_SIGN)
    if answer == NONE:
        return ([], None) if not ticked else ([], BOTH)
    return [], MISSING


def api_answer(red_flags: list[str] | None, none_of_these: bool | None) -> tuple[list[str], str]:
    """(ids answered yes, "") or ([], the error) from the API's two fields: an answer must
    be given, `none_of_these: true` or `red_flags` with at least one id. An empty
    `red_flags` list sent on its own is read as none (clients from before the one-screen
    check send it so); a missing answer never is."""
    flags = list(dict.fromkeys(red_flags or []))
    if none_of_these and flags:
        return [], "none_of_these: true contradicts the warning signs in red_flags; send one"
    if none_of_these or flags:
        return flags, ""
    if red_flags is not None and none_of_these is None:
        return [], ""
    return [], (
        "none_of_these: the warning signs were not answered; send none_of_these: true, "
        "or red_flags with the ids answered yes"
    )


def form_context(
    questions: list[RedFlag], data: Mapping[str, Any] | None, error: str | None
) -> dict[str, Any]:
    """What the one-screen check (`tracking/_warning_signs.html`) shows: the signs, the
    answer and ticks given so far, and the error."""
    data = data or {}
    ticked = set(_ticked(data))
    signs = [
        {"id": q.id, "text": sign_text(q), "level": q.level, "checked": q.id in ticked}
        for q in questions
    ]
    anchor = f"{SIGN}-{questions[0].id}" if error in (NO_SIGN, UNKNOWN) and questions else None
    return {
        "signs": signs,
        "answer": data.get(ANSWER),
        "error": error,
        "anchor": anchor or f"{ANSWER}-{NONE}",
        "which_open": bool(ticked) or error in (NO_SIGN, UNKNOWN, BOTH),
        "pregnancy": any(q.ask_when in ("pregnant", "postpartum") for q in questions),
        "surgery": any(q.ask_when == "recent_surgery" for q in questions),
    }
