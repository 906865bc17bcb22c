"""The camera coach of a session: the page sends landmarks (never video) in small
batches and gets back the reps so far, the hold, and the one cue to show and say. The
rules are the core's (psoas/core/coach), run by psoas/web/tracking/coaching.py."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from psoas.web.api.common import BODY_ERRORS, DbId, answers, invalid
from psoas.web.api.schemas import ExerciseId, In
from psoas.web.api.sessions import open_session
from psoas.web.site.people import person_for
from psoas.web.tracking.coach_batch import MAX_FRAMES, BatchError
from psoas.web.tracking.coaching import Conflict, feed

router = Router(tags=["coach"])


class CoachIn(In):
    exercise_id: ExerciseId
    side: Literal["left", "right"] = Field(description="the working side")
    frames: list[Any] = Field(
        min_length=1,
        max_length=MAX_FRAMES,
        description='each {"t": seconds, "points": [[x, y, z, visibility] x 33] or null, '
        '"world": [[x, y, z] x 33] or null, "aspect": width / height}, in time order',
    )


class CueOut(Schema):
    kind: Literal["no_person", "cannot_see", "view", "fault"]
    id: str
    message: str


class CoachOut(Schema):
    reps: int
    in_rep: bool
    holding: bool
    hold_s: float = Field(description="the hold under way, seconds so far")
    holds: int = Field(description="holds finished")
    held_s: float = Field(description="seconds held in all, the hold under way included")
    view: Literal["side", "front", "unknown"]
    cue: CueOut | None


@router.post("/sessions/{session_id}/coach", response=answers(CoachOut, *BODY_ERRORS, 404, 409))
def coach(request, session_id: DbId, payload: CoachIn):
    """One batch of landmarks for an exercise of the session on one side; the answer is
    where the coach stands after it. Once the exercise is saved (POST .../exercises), what
    the coach counted is saved with it and further batches for it are a 409."""
    session = open_session(person_for(request), session_id)
    try:
        return feed(session, payload.exercise_id, payload.side, payload.frames)
    except BatchError as exc:
        raise invalid(["body", "payload", *exc.loc], str(exc)) from None
    except Conflict as exc:
        raise HttpError(409, str(exc)) from None
