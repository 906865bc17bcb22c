"""The session player's state machine, step by step on a clock the test moves by hand.

The session below is a hold exercise on each side (150 s) then a reps exercise (155 s):

    0-10 get ready · 10-40 hold left · 40-45 switch · 45-75 hold right · 75-85 rest
    85-115 hold left · 115-120 switch · 120-150 hold right
    150-160 get ready · 160-210 ten reps of 5 s · 210-255 rest · 255-305 ten reps
"""

from __future__ import annotations

import pytest

from psoas.core.player.machine import (
    AWAY_AFTER_S,
    ExerciseFinished,
    IllegalTransition,
    PauseReason,
    Player,
    RepCompleted,
    SessionFinished,
    SpeedClock,
    State,
    Status,
    StepFinished,
    StepStarted,
    WentAway,
    away_after,
    doses_from_plan_session,
)
from psoas.core.player.timeline import Dose, session_seconds, session_steps

T0 = 1000.0
HOLD = Dose("kneeling_hip_flexor_stretch", "each", 2, None, 30, None, 10)
REPS = Dose("glute_bridge", "both", 2, 10, 2, 3.0, 45)
TOTAL = 305.0
STEPS = session_steps([HOLD, REPS])


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def started(doses=(HOLD, REPS), away=None):
    clock = FakeClock()
    player = Player(list(doses), clock, away)
    player.start()
    return player, clock


def at(clock, player, seconds):
    """Move the clock to `seconds` after the start and tick."""
    clock.t = T0 + seconds
    return player.tick()


def of(kind, events):
    return [e for e in events if isinstance(e, kind)]


def test_the_example_session_is_as_long_as_the_timeline_says():
    assert session_seconds([HOLD, REPS]) == TOTAL


def test_start_begins_the_first_step_now():
    clock = FakeClock()
    player = Player([HOLD], clock)
    assert player.state is State.READY
    assert player.start() == [StepStarted(0, player.view().step, T0)]
    assert player.state is State.RUNNING and player.view().step.kind == "get_ready"


def test_the_session_ends_at_start_plus_its_length():
    player, clock = started()
    assert of(SessionFinished, at(clock, player, TOTAL - 0.001)) == []
    assert at(clock, player, TOTAL) == [
        RepCompleted(11, STEPS[11], 10, T0 + TOTAL),
        StepFinished(11, STEPS[11], Status.DONE, T0 + TOTAL),
        ExerciseFinished(player.results()[1], T0 + TOTAL),
        SessionFinished(State.DONE, T0 + TOTAL),
    ]
    assert player.state is State.DONE
    assert [r.status for r in player.results()] == [Status.DONE, Status.DONE]


def test_a_pause_shifts_the_end_by_the_time_paused():
    player, clock = started()
    at(clock, player, 20)
    player.pause()
    frozen = player.view()
    assert frozen.state is State.PAUSED and frozen.seconds_left == 20
    assert at(clock, player, 500) == []  # time stands still while paused
    assert player.view() == frozen
    assert player.resume() == []
    assert player.view().seconds_left == 20
    events = at(clock, player, 10_000)
    assert of(SessionFinished, events)[0].at == T0 + TOTAL + 480


def test_a_long_stall_catches_up_without_drift():
    player, clock = started()
    at(clock, player, 12.5)
    player.pause()
    clock.t += 7
    player.resume()
    stalled = at(clock, player, 100_000)  # no away limit (--no-input): any stall catches up

    smooth, smooth_clock = started()
    at(smooth_clock, smooth, 12.5)
    smooth.pause()
    smooth_clock.t += 7
    smooth.resume()
    ticked = []
    for tenth in range(200, 3200):
        ticked += at(smooth_clock, smooth, tenth / 10)

    assert stalled == ticked
    assert of(SessionFinished, stalled) == [SessionFinished(State.DONE, T0 + TOTAL + 7)]
    assert [e.at for e in stalled] == sorted(e.at for e in stalled)


def test_each_exercise_result_comes_the_moment_it_ends():
    player, clock = started()
    assert player.results() == []
    events = at(clock, player, 150)
    (finished,) = of(ExerciseFinished, events)
    assert player.results() == [finished.result]
    assert finished.result.exercise_id == HOLD.exercise_id and finished.at == T0 + 150
    assert [(s.set_number, s.side, s.hold_s_reached, s.status) for s in finished.result.sets] == [
        (1, "left", 30, Status.DONE),
        (1, "right", 30, Status.DONE),
        (2, "left", 30, Status.DONE),
        (2, "right", 30, Status.DONE),
    ]
    assert of(StepStarted, events)[-1].step.kind == "get_ready"


def test_skip_marks_the_rest_of_the_exercise_skipped_and_starts_the_next():
    player, clock = started()
    at(clock, player, 50)  # 5 s into the right-side hold of set 1
    events = player.skip()
    assert [(e.index, e.status) for e in of(StepFinished, events)] == [
        (3, Status.SKIPPED),
        (4, Status.SKIPPED),
        (5, Status.SKIPPED),
        (6, Status.SKIPPED),
        (7, Status.SKIPPED),
    ]
    result = of(ExerciseFinished, events)[0].result
    assert result.status is Status.SKIPPED
    assert [(s.hold_s_reached, s.status) for s in result.sets] == [
        (30, Status.DONE),
        (5.0, Status.SKIPPED),
        (0.0, Status.SKIPPED),
        (0.0, Status.SKIPPED),
    ]
    assert events[-1] == StepStarted(8, STEPS[8], T0 + 50)
    assert player.view().seconds_left == 10  # the next exercise starts from its beginning
    done = at(clock, player, 10_000)
    assert of(SessionFinished, done)[0].at == T0 + 50 + 155
    assert [r.status for r in player.results()] == [Status.SKIPPED, Status.DONE]


def test_skip_catches_up_first_so_it_skips_the_exercise_actually_running():
    player, clock = started()
    clock.t = T0 + 170  # no tick since the start: the hold exercise is long over
    events = player.skip()
    first, second = (e.result for e in of(ExerciseFinished, events))
    assert first.status is Status.DONE
    assert second.status is Status.SKIPPED
    assert [(s.reps_done, s.status) for s in second.sets] == [
        (2, Status.SKIPPED),
        (0, Status.SKIPPED),
    ]
    assert events[-1] == SessionFinished(State.DONE, T0 + 170)
    assert player.state is State.DONE


def test_skip_while_paused_stays_paused_and_the_next_exercise_waits():
    player, clock = started()
    at(clock, player, 30)
    player.pause()
    clock.t += 60
    player.skip()
    assert player.state is State.PAUSED
    view = player.view()
    assert view.step.exercise_id == "glute_bridge" and view.seconds_left == 10
    assert [s.hold_s_reached for s in player.results()[0].sets] == [20.0, 0, 0, 0]
    clock.t += 100
    player.resume()
    events = at(clock, player, 10_000)
    assert of(SessionFinished, events)[0].at == T0 + 30 + 160 + 155


def test_stop_for_pain_records_the_exercise_in_progress_and_stops():
    player, clock = started()
    at(clock, player, 172)  # 12 s into the first set of reps: two reps of 5 s done
    events = player.stop_for_pain(6)
    assert player.state is State.STOPPED_FOR_PAIN
    assert events[-1] == SessionFinished(State.STOPPED_FOR_PAIN, T0 + 172)
    hold, reps = player.results()
    assert hold.status is Status.DONE and hold.pain is None
    assert reps.status is Status.STOPPED_FOR_PAIN and reps.pain == 6
    assert [(s.planned_reps, s.reps_done, s.status, s.pain) for s in reps.sets] == [
        (10, 2, Status.STOPPED_FOR_PAIN, 6),
        (10, 0, Status.STOPPED_FOR_PAIN, 6),
    ]
    assert of(ExerciseFinished, events)[0].result == reps
    view = player.view()
    assert view.step is None and view.session_progress == pytest.approx(172 / TOTAL)
    assert at(clock, player, 10_000) == []


def test_stop_for_pain_keeps_earlier_sets_done_and_later_exercises_out():
    player, clock = started()
    at(clock, player, 80)  # resting before set 2 of the hold
    player.stop_for_pain(4)
    (hold,) = player.results()
    assert [(s.status, s.pain) for s in hold.sets] == [
        (Status.DONE, None),
        (Status.DONE, None),
        (Status.STOPPED_FOR_PAIN, 4),
        (Status.STOPPED_FOR_PAIN, 4),
    ]


@pytest.mark.parametrize("pain", [-1, 11, 3.5, True, "5"])
def test_a_pain_score_outside_0_to_10_is_refused_and_changes_nothing(pain):
    player, _ = started()
    with pytest.raises(ValueError, match="pain must be a whole number from 0 to 10"):
        player.stop_for_pain(pain)
    assert player.state is State.RUNNING and player.results() == []


def test_quit_saves_the_exercise_in_progress_as_quit():
    player, clock = started()
    at(clock, player, 20)
    events = player.quit()
    assert player.state is State.QUIT and events[-1] == SessionFinished(State.QUIT, T0 + 20)
    (hold,) = player.results()
    assert hold.status is Status.QUIT
    assert [s.hold_s_reached for s in hold.sets] == [10.0, 0, 0, 0]


def test_quit_before_start_ends_with_no_results():
    player = Player([HOLD], FakeClock())
    assert player.quit() == [SessionFinished(State.QUIT, T0)]
    assert player.results() == []


LEGAL = {
    State.READY: {"start", "quit"},
    State.RUNNING: {"pause", "skip", "stop_for_pain", "quit"},
    State.PAUSED: {"resume", "skip", "stop_for_pain", "quit"},
    State.DONE: set(),
    State.STOPPED_FOR_PAIN: set(),
    State.QUIT: set(),
}


def in_state(state):
    clock = FakeClock()
    player = Player([HOLD], clock)
    if state is not State.READY:
        player.start()
    if state is State.PAUSED:
        player.pause()
    elif state is State.DONE:
        at(clock, player, 1000)
    elif state is State.STOPPED_FOR_PAIN:
        player.stop_for_pain(3)
    elif state is State.QUIT:
        player.quit()
    assert player.state is state
    return player


def call(player, action):
    return player.stop_for_pain(5) if action == "stop_for_pain" else getattr(player, action)()


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", ["start", "pause", "resume", "skip", "stop_for_pain", "quit"])
def test_every_action_is_legal_only_in_its_states(state, action):
    player = in_state(state)
    if action in LEGAL[state]:
        call(player, action)
        return
    with pytest.raises(IllegalTransition, match=f"cannot {action} while the session is {state}"):
        call(player, action)
    assert player.state is state


def test_rep_counting_follows_the_tempo():
    player, clock = started([REPS])
    reps, shown = [], []
    for tenth in range(0, 1600):  # 160 s in tenths: both sets and the rest between
        reps += of(RepCompleted, at(clock, player, tenth / 10))
        view = player.view()
        if view.step is not None and view.step.kind == "reps":
            shown.append(view.rep)
    assert [(e.step.set_number, e.number, e.at - T0) for e in reps] == [
        *[(1, n, 10 + 5 * n) for n in range(1, 11)],
        *[(2, n, 105 + 5 * n) for n in range(1, 11)],
    ]
    # the rep being done now: 1 for the first 5 s (3 s tempo + 2 s pause), then 2, ...
    assert shown == [n for _set in range(2) for n in range(1, 11) for _ in range(50)]


def test_view_reads_out_what_a_display_shows():
    player, clock = started()
    first = player.view()
    assert (first.step.kind, first.seconds_left, first.set_number, first.sets) == (
        "get_ready",
        10,
        1,
        2,
    )
    assert (first.next_step.kind, first.next_step.side) == ("hold", "left")
    assert (first.exercise_number, first.exercises, first.session_progress) == (1, 2, 0)

    at(clock, player, 13)
    hold = player.view()
    assert (hold.step.kind, hold.side, hold.seconds_left) == ("hold", "left", 27)
    assert hold.step_progress == pytest.approx(0.1)
    assert hold.session_progress == pytest.approx(13 / TOTAL)
    assert hold.cue == "Breathe in"
    at(clock, player, 15)
    assert player.view().cue == "Breathe out"
    at(clock, player, 18)
    assert player.view().cue == "Breathe in"

    at(clock, player, 41)
    switch = player.view()
    assert switch.step.kind == "switch_side" and switch.cue == "Switch sides. Right side next."

    at(clock, player, 80)
    rest = player.view()
    assert (rest.step.kind, rest.set_number, rest.cue) == ("rest", 2, None)

    at(clock, player, 148)
    last_hold = player.view()
    assert (last_hold.next_step.exercise_id, last_hold.next_step.kind) == (
        "glute_bridge",
        "get_ready",
    )
    at(clock, player, 170)
    reps = player.view()
    assert (reps.exercise_number, reps.rep, reps.step.reps, reps.cue) == (2, 3, 10, None)

    at(clock, player, 10_000)
    end = player.view()
    assert (end.state, end.step, end.session_progress) == (State.DONE, None, 1.0)


def test_a_rest_of_zero_seconds_passes_straight_through():
    dose = Dose("clamshell", "each", 2, 3, None, 2.0, 0)  # reps steps of 6 s
    player, clock = started([dose])
    events = at(clock, player, 10 + 6 + 5 + 6)  # the end of set 1, right side
    rest = [e for e in of((StepStarted, StepFinished), events) if e.step.kind == "rest"]
    assert rest == [
        StepStarted(4, rest[0].step, T0 + 27),
        StepFinished(4, rest[0].step, "done", T0 + 27),
    ]
    assert (player.view().step.kind, player.view().set_number) == ("reps", 2)


def test_doses_come_from_the_plan_session():
    session = {
        "estimated_minutes": 1.0,
        "exercises": [
            {"id": "glute_bridge", "side": "both", "sets": 2, "reps": 10, "hold_s": 2,
             "tempo_s": 3.0, "rest_s": 45, "name": "Glute bridge"},
            {"id": "kneeling_hip_flexor_stretch", "side": "each", "sets": 2, "reps": None,
             "hold_s": 30, "tempo_s": None, "rest_s": 10},
        ],
    }  # fmt: skip
    assert doses_from_plan_session(session) == [REPS, HOLD]


def test_a_player_needs_exercises_with_a_pace():
    with pytest.raises(ValueError, match="at least one exercise"):
        Player([], FakeClock())
    with pytest.raises(ValueError, match="glute_bridge: reps need"):
        Player([Dose("glute_bridge", "both", 1, 10, None, None, 30)], FakeClock())


def test_speed_clock_runs_factor_times_faster():
    base = FakeClock(50.0)
    fast = SpeedClock(60, base)
    assert fast() == 50.0
    base.t += 1.5
    assert fast() == 50.0 + 90
    with pytest.raises(ValueError, match="above 0"):
        SpeedClock(0)


def test_a_session_on_a_speed_clock_takes_its_length_divided_by_the_factor():
    base = FakeClock(0.0)
    player = Player([HOLD, REPS], SpeedClock(100, base))
    player.start()
    base.t = TOTAL / 100 - 0.01
    assert player.tick()[-1:] != [SessionFinished(State.DONE, TOTAL)]
    base.t = TOTAL / 100
    assert player.tick()[-1] == SessionFinished(State.DONE, TOTAL)


# --- away: a gap longer than the limit pauses where the player last ran ----------------


def test_a_gap_longer_than_the_away_limit_pauses_where_it_last_ran():
    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)  # 10 s into the first hold: 20 s left
    assert player.view().paused_for is None
    events = at(clock, player, 20 + AWAY_AFTER_S + 1)  # e.g. the laptop slept
    assert events == [WentAway(T0 + 20, T0 + 20 + AWAY_AFTER_S + 1)]  # nothing done in the gap
    view = player.view()
    assert view.state is State.PAUSED and view.paused_for is PauseReason.AWAY
    assert (view.step.kind, view.side, view.seconds_left) == ("hold", "left", 20)
    assert player.results() == []
    assert at(clock, player, 5000) == []  # it waits for the person
    assert player.resume() == []
    assert player.view().paused_for is None and player.view().seconds_left == 20
    events = []
    while player.state is State.RUNNING:  # a person watching: a tick every second
        clock.t += 1
        events += player.tick()
    assert of(SessionFinished, events) == [SessionFinished(State.DONE, T0 + TOTAL + 5000 - 20)]
    assert all(s.status is Status.DONE for r in player.results() for s in r.sets)


def test_a_gap_of_the_limit_or_less_catches_up():
    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)
    events = at(clock, player, 20 + AWAY_AFTER_S)  # a phone locked for two minutes: kept
    assert not of(WentAway, events) and player.state is State.RUNNING
    kinds = [e.step.kind for e in of(StepFinished, events)]
    assert kinds == ["hold", "switch_side", "hold", "rest", "hold", "switch_side"]
    assert (player.view().step.kind, player.view().side) == ("hold", "right")


def test_an_action_after_a_long_gap_finds_the_absence_first():
    gap = AWAY_AFTER_S + 60
    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)
    clock.t += gap
    assert player.pause() == [WentAway(T0 + 20, T0 + 20 + gap)]
    assert player.view().paused_for is PauseReason.AWAY  # away, not asked

    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)
    clock.t += gap
    events = player.stop_for_pain(5)
    assert events[0] == WentAway(T0 + 20, T0 + 20 + gap)
    (hold,) = player.results()
    assert [s.hold_s_reached for s in hold.sets] == [10.0, 0, 0, 0]  # not the gap

    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)
    clock.t += gap
    events = player.skip()
    assert events[0] == WentAway(T0 + 20, T0 + 20 + gap) and player.state is State.PAUSED
    assert [s.hold_s_reached for s in player.results()[0].sets] == [10.0, 0, 0, 0]
    assert player.view().step.exercise_id == "glute_bridge"


def test_a_pause_the_person_asked_for_is_never_away():
    player, clock = started(away=AWAY_AFTER_S)
    at(clock, player, 20)
    player.pause()
    assert player.view().paused_for is PauseReason.ASKED
    clock.t += 3600
    assert player.tick() == [] and player.resume() == []
    assert player.view().seconds_left == 20 and player.view().paused_for is None


def test_the_away_limit_shrinks_with_a_fast_clock_but_not_below_5_real_seconds():
    assert away_after() == AWAY_AFTER_S == 120
    assert away_after(10) == 120  # 12 real seconds
    assert away_after(60) == 300  # 5 real seconds, not 2
    with pytest.raises(ValueError, match="away_after must be above 0"):
        Player([HOLD], FakeClock(), away_after=0)
