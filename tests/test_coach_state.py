"""The coach's state between batches (psoas/core/coach/state.py): a coach resumed from its
JSON state after every batch ends exactly where one fed every frame at once ends, and a
state that this code did not write is refused, never run."""

from __future__ import annotations

import json

import pytest

from psoas.core.coach import Coach, result
from psoas.core.coach import state as coach_state
from psoas.core.coach.synthetic import Mess, movement, push_for
from psoas.core.content.loader import catalog
from psoas.core.content.models import Coached

COACHED = sorted(i for i, e in catalog().exercises.items() if isinstance(e.coach, Coached))


@pytest.mark.parametrize("exercise_id", COACHED)
@pytest.mark.parametrize("batch", [1, 7])
def test_resumed_after_every_batch_ends_as_fed_at_once(exercise_id, batch):
    ex = catalog().exercises[exercise_id]
    pushes = {2: push_for(ex.coach.faults[0], 20)} if ex.coach.faults else None
    clip = movement(
        ex, [2.5, 3.0, 3.5], fps=20, side="left", pushes=pushes, mess=Mess(3, drop=0.1, seed=4)
    )
    whole = Coach(ex, "left")
    whole.feed(clip.frames)
    saved = Coach(ex, "left").state()
    for i in range(0, len(clip.frames), batch):
        coach = Coach.resume(ex, "left", json.loads(json.dumps(saved)))
        status = coach.feed(clip.frames[i : i + batch])
        saved = coach.state()
    assert status == whole.status()
    whole.finish()
    coach = Coach.resume(ex, "left", saved)
    coach.finish()
    assert result(coach) == result(whole)
    assert result(whole)["reps"] + len(result(whole)["holds"]) > 0  # it saw something


def test_a_rep_being_settled_stays_the_last_rep():
    """The counter keeps settling the last rep's end after it counts it: one object in two
    places, which must stay one object after a resume."""
    ex = catalog().exercises["forward_lunge"]
    clip = movement(ex, [2.5], fps=30)
    coach = Coach(ex, "right")
    fed = 0
    while coach.counter.settling is None:
        coach.feed([clip.frames[fed]])
        fed += 1
    resumed = Coach.resume(ex, "right", coach.state())
    assert resumed.counter.settling[0] is resumed.counter.reps[-1]
    rest = clip.frames[fed:]
    coach.feed(rest)
    resumed.feed(rest)
    assert resumed.counter.reps == coach.counter.reps


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"~": "dict", "items": []}',
        '{"~": "os.system", "vars": {}}',
        '{"~": "Popen", "vars": {}}',
        '{"~": "ref", "n": 3}',
        "not json",
    ],
)
def test_a_state_this_code_did_not_write_is_refused(text):
    ex = catalog().exercises["forward_lunge"]
    with pytest.raises(ValueError, match="not a coach state"):
        Coach.resume(ex, "right", text)


def test_only_the_coachs_own_classes_are_written():
    with pytest.raises(TypeError, match="cannot hold"):
        coach_state.dump({"x": object()})
