"""The camera coach in a session, on the server.

Each batch of landmarks from the page goes through the core's `Coach`, the one
implementation of every rule; the coach's state waits in the store (`CoachRun`, one per
exercise and side of a session) for the next batch, so any app server can take it. When
the exercise is saved, what the coach counted is saved beside the plan's sets.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction

from psoas.core.coach import Coach, NotCoachable, Status, result
from psoas.core.content.loader import catalog
from psoas.core.content.models import Exercise
from psoas.web.tracking.coach_batch import BatchError, read_frames
from psoas.web.tracking.models import CoachRun, SessionLog
from psoas.web.tracking.pages import played_session


class Conflict(Exception):
    """A 409: the exercise is saved (its coach has stopped counting), or another batch
    started the same run at the same moment (a second tab)."""


def _exercise(log: SessionLog, exercise_id: str) -> Exercise:
    ids = [ex["id"] for ex in played_session(log)["exercises"]]
    if exercise_id not in ids:
        raise BatchError(
            ["exercise_id"], f"exercise_id: '{exercise_id}' is not in session {log.id}"
        )
    return catalog().exercises[exercise_id]


def status_json(status: Status) -> dict[str, Any]:
    out = asdict(status)
    out["hold_s"] = round(out["hold_s"], 1)
    del out["t"]
    return out


def _keep_counts(run: CoachRun, coach: Coach) -> None:
    """What the coach has counted, in the run's own columns (the history reads them)."""
    run.reps, run.holds = len(coach.counter.reps), len(coach.hold_log)
    run.hold_s = sum(h.seconds for h in coach.hold_log)


def feed(log: SessionLog, exercise_id: str, side: str, raw: list[Any]) -> dict[str, Any]:
    """Read one batch for the exercise on `side`; where the coach stands after it.

    Raises BatchError (a wrong field) and Conflict."""
    exercise = _exercise(log, exercise_id)
    with transaction.atomic():
        run = (
            CoachRun.objects.select_for_update()
            .filter(session=log, exercise_id=exercise_id, side=side)
            .first()
        )
        if run is not None and run.result is not None:
            raise Conflict(f"exercise_id: {exercise_id} is already saved in session {log.id}")
        try:
            coach = Coach.resume(exercise, side, run.state) if run else Coach(exercise, side)
        except NotCoachable as exc:
            raise BatchError(["exercise_id"], f"exercise_id: {exc}") from None
        last_t = coach.last_t if coach.frames else None
        frames, t0 = read_frames(raw, run.t0 if run else None, last_t)
        status = coach.feed(frames)
        if run is None:
            run = CoachRun(person_id=log.person_id, session=log, exercise_id=exercise_id, side=side)
            run.t0 = t0
        run.state = coach.state()
        _keep_counts(run, coach)
        try:
            with transaction.atomic():  # a savepoint: the first batch of a run may race
                run.save()
        except IntegrityError:
            raise Conflict(
                f"exercise_id: another batch for {exercise_id} ({side}) came at the same "
                "moment; send this one again"
            ) from None
    return {**status_json(status), "held_s": round(run.hold_s + status.hold_s, 1)}


def finish_exercise(log: SessionLog, exercise_id: str) -> None:
    """The exercise is saved: a hold under way counts to its last right moment, and each
    side's coach keeps its psoas.analysis/1 result instead of its state."""
    exercise = catalog().exercises.get(exercise_id)
    with transaction.atomic():
        runs = CoachRun.objects.select_for_update().filter(
            session=log, exercise_id=exercise_id, result__isnull=True
        )
        for run in runs:
            coach = Coach.resume(exercise, run.side, run.state)
            coach.finish()
            run.result = result(coach)
            _keep_counts(run, coach)
            run.state = ""
            run.save()
