"""Scheduling properties over generated sessions: how often the shell ticks never changes
what happens or when, pauses add exactly their length, and a skip or a stop for pain
touches only the exercise in progress.

Lengths are multiples of 0.5 s and the fake clock moves in whole seconds, so every sum is
exact in floating point and the end times can be compared with ==.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import accumulate

from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.core.player.machine import (
    AWAY_AFTER_S,
    ExerciseFinished,
    PauseReason,
    Player,
    SessionFinished,
    State,
    Status,
    WentAway,
)
from psoas.core.player.timeline import Dose, exercise_seconds, session_seconds

T0 = 1000.0
FAR = 10**7  # a clock time after any generated session


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@st.composite
def doses(draw):
    reps = draw(st.none() | st.integers(1, 12))
    if reps is None:
        hold, tempo = draw(st.integers(1, 60)), None
    else:
        hold = draw(st.none() | st.integers(1, 5))
        tempo = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0]))
    return Dose(
        draw(st.sampled_from(["glute_bridge", "clamshell", "lizard_pose"])),
        draw(st.sampled_from(["each", "both", "none"])),
        draw(st.integers(1, 3)),
        reps,
        hold,
        tempo,
        draw(st.integers(0, 60)),
    )


sessions = st.lists(doses(), min_size=1, max_size=4)


def end_of(events):
    (end,) = (e for e in events if isinstance(e, SessionFinished))
    return end


@settings(max_examples=300)
@given(session=sessions, gaps=st.lists(st.floats(0.01, 120), max_size=60))
def test_ticking_often_or_once_gives_the_same_events(session, gaps):
    once_clock, often_clock = FakeClock(), FakeClock()
    once, often = Player(session, once_clock), Player(session, often_clock)
    once_events, often_events = once.start(), often.start()
    for gap in gaps:
        often_clock.t += gap
        often_events += often.tick()
    once_clock.t = often_clock.t = FAR
    once_events += once.tick()
    often_events += often.tick()
    assert once_events == often_events
    assert end_of(once_events) == SessionFinished(State.DONE, T0 + session_seconds(session))
    assert once.results() == often.results()


@settings(max_examples=300)
@given(
    session=sessions,
    breaks=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 3600)), max_size=8),
)
def test_pauses_push_the_end_back_by_exactly_their_length(session, breaks):
    clock = FakeClock()
    player = Player(session, clock)
    events = player.start()
    paused = 0
    for run, rest in breaks:
        clock.t += run
        if player.state is not State.RUNNING:
            break
        events += player.pause()
        if player.state is State.PAUSED:
            clock.t += rest
            paused += rest
            events += player.resume()
    clock.t = FAR
    events += player.tick()
    assert end_of(events).at == T0 + session_seconds(session) + paused
    assert all(r.status is Status.DONE for r in player.results())


def _in_progress(session, elapsed):
    """Which exercise is running `elapsed` seconds after the start."""
    ends = list(accumulate(exercise_seconds(d) for d in session))
    return next(n for n, end in enumerate(ends) if elapsed < end)


@settings(max_examples=300)
@given(session=sessions, data=st.data())
def test_skip_touches_only_the_exercise_in_progress(session, data):
    elapsed = data.draw(st.integers(0, int(session_seconds(session)) - 1))
    clock = FakeClock()
    player = Player(session, clock)
    player.start()
    clock.t = T0 + elapsed  # no tick in between: skip must catch up by itself
    events = player.skip()
    skipped = _in_progress(session, elapsed)
    clock.t = FAR
    events += player.tick()
    later = session[skipped + 1 :]
    assert end_of(events).at == T0 + elapsed + session_seconds(later)
    results = player.results()
    assert [r.index for r in results] == list(range(len(session)))
    for r in results:
        assert r.status is (Status.SKIPPED if r.index == skipped else Status.DONE)
    statuses = [s.status for s in results[skipped].sets]
    assert statuses == sorted(statuses, key=[Status.DONE, Status.SKIPPED].index)


@settings(max_examples=300)
@given(session=sessions, pain=st.integers(0, 10), data=st.data())
def test_stop_for_pain_records_the_exercise_in_progress_and_nothing_after(session, pain, data):
    elapsed = data.draw(st.integers(0, int(session_seconds(session)) - 1))
    clock = FakeClock()
    player = Player(session, clock)
    events = player.start()
    clock.t = T0 + elapsed
    events += player.stop_for_pain(pain)
    stopped = _in_progress(session, elapsed)
    results = player.results()
    assert results == [e.result for e in events if isinstance(e, ExerciseFinished)]
    assert [r.index for r in results] == list(range(stopped + 1))
    assert all(r.status is Status.DONE for r in results[:stopped])
    assert results[stopped].status is Status.STOPPED_FOR_PAIN and results[stopped].pain == pain
    for s in results[stopped].sets:
        assert s.pain == (pain if s.status is Status.STOPPED_FOR_PAIN else None)
    assert end_of(events) == SessionFinished(State.STOPPED_FOR_PAIN, T0 + elapsed)


@settings(max_examples=300)
@given(
    session=sessions,
    before=st.lists(st.integers(1, 120), max_size=20),
    gap=st.integers(121, 10**6),
    after=st.lists(st.integers(1, 120), max_size=20),
)
def test_an_absence_is_a_pause_at_the_last_look(session, before, gap, after):
    """With the away limit on, ticks at most 120 s apart never pause, and one gap over it
    does exactly what a pause at the last tick before it and a resume after it do."""
    away_clock, paused_clock = FakeClock(), FakeClock()
    away = Player(session, away_clock, away_after=AWAY_AFTER_S)
    paused = Player(session, paused_clock)
    away_events, paused_events = away.start(), paused.start()
    for step in before:
        away_clock.t = paused_clock.t = away_clock.t + step
        away_events += away.tick()
        paused_events += paused.tick()
    if away.state is not State.RUNNING:  # the session ended before the absence
        assert away_events == paused_events
        return
    paused_events += paused.pause()
    away_clock.t = paused_clock.t = away_clock.t + gap
    back = away.tick()
    assert back == [WentAway(away_clock.t - gap, away_clock.t)]
    assert away.view() == replace(paused.view(), paused_for=PauseReason.AWAY)
    away_events += away.resume()
    paused_events += paused.resume()
    for step in [*after, *[60] * 10**4]:
        if away.state is not State.RUNNING:
            break
        away_clock.t = paused_clock.t = away_clock.t + step
        away_events += away.tick()
        paused_events += paused.tick()
    assert away_events == paused_events
    assert away.results() == paused.results()
    assert all(r.status is Status.DONE for r in away.results())
