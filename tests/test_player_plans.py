"""Every session of every generated plan plays for the minutes the plan promises.

`estimated_minutes` is the timeline rounded to 0.1 min, so the player must end within
3 s of it; and a session played through must report every planned set as done.
"""

from __future__ import annotations

from hypothesis import given, settings

from psoas.core.planning.planner import build_plan
from psoas.core.player.machine import ExerciseFinished, Player, SessionFinished, State, Status
from psoas.core.player.machine import doses_from_plan_session as doses_of
from tests.strategies import profiles

TOLERANCE_S = 3.0  # half of the 0.1 min that estimated_minutes is rounded to


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def play(session):
    """Run a session on a fake clock; check it is still going just before the window."""
    estimate = 60 * session["estimated_minutes"]
    clock = FakeClock(5000.0)
    player = Player(doses_of(session), clock)
    events = player.start()
    clock.t += estimate - TOLERANCE_S - 1e-6
    events += player.tick()
    assert player.state is State.RUNNING
    clock.t = 5000.0 + estimate + TOLERANCE_S + 1e-6
    events += player.tick()
    assert player.state is State.DONE
    (end,) = (e for e in events if isinstance(e, SessionFinished))
    assert abs(end.at - 5000.0 - estimate) <= TOLERANCE_S + 1e-9
    return player, events


def sets_planned(exercise):
    """The (reps, hold) a set of this plan exercise should report, and how many sets."""
    per_side = 2 if exercise["side"] == "each" else 1
    count = exercise["sets"] * per_side + (exercise["focus_side"] is not None)
    if exercise["reps"] is not None:
        return (exercise["reps"], exercise["reps"], None, None), count
    hold = exercise["hold_s"]
    return (None, None, hold, hold), count


@settings(settings.get_profile("safety"))
@given(profile=profiles())
def test_every_planned_session_plays_for_its_estimated_minutes_and_is_all_done(profile):
    plan = build_plan(profile)
    for week in plan["weeks"]:
        for session in week["sessions"]:
            player, events = play(session)
            results = player.results()
            assert results == [e.result for e in events if isinstance(e, ExerciseFinished)]
            assert [r.exercise_id for r in results] == [e["id"] for e in session["exercises"]]
            for result, exercise in zip(results, session["exercises"], strict=True):
                assert result.status is Status.DONE and result.pain is None
                planned, count = sets_planned(exercise)
                assert len(result.sets) == count
                for s in result.sets:
                    assert (s.planned_reps, s.reps_done, s.planned_hold_s, s.hold_s_reached) == (
                        planned
                    )
                    top = exercise["sets"] + (exercise["focus_side"] is not None)
                    assert s.status is Status.DONE and 1 <= s.set_number <= top
                    if s.set_number > exercise["sets"]:
                        assert s.side == exercise["focus_side"]
