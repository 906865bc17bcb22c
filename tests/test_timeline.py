"""The session timeline that both the estimate and the player use."""

from __future__ import annotations

from psoas.core.player.timeline import (
    GET_READY_S,
    SWITCH_SIDE_S,
    Dose,
    exercise_seconds,
    exercise_steps,
)


def test_hold_each_side_alternates_sides_and_rests_between_sets():
    dose = Dose("kneeling_hip_flexor_stretch", "each", 2, None, 30, None, 10)
    kinds = [(s.kind, s.side, s.set_number) for s in exercise_steps(dose)]
    assert kinds == [
        ("get_ready", "none", 0),
        ("hold", "left", 1),
        ("switch_side", "right", 1),
        ("hold", "right", 1),
        ("rest", "none", 2),
        ("hold", "left", 2),
        ("switch_side", "right", 2),
        ("hold", "right", 2),
    ]
    assert exercise_seconds(dose) == GET_READY_S + 4 * 30 + 2 * SWITCH_SIDE_S + 10


def test_reps_use_tempo_plus_pause():
    dose = Dose("glute_bridge", "both", 1, 10, 2, 3.0, 45)
    steps = exercise_steps(dose)
    assert steps[1].kind == "reps" and steps[1].reps == 10 and steps[1].rep_seconds == 5.0
    assert exercise_seconds(dose) == GET_READY_S + 50
