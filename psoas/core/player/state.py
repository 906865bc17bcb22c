"""The player's states and the error for an action the current state does not allow."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a session stands. The last three are final: nothing moves after them."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    STOPPED_FOR_PAIN = "stopped_for_pain"
    QUIT = "quit"


FINAL = frozenset({State.DONE, State.STOPPED_FOR_PAIN, State.QUIT})


class PauseReason(StrEnum):
    """Why a session stands paused: the person asked for it, or the player found that it
    had not run for longer than its away limit (a computer asleep, a frozen tab) and
    stopped the session where it last ran, so the time nobody saw counts for nothing."""

    ASKED = "asked"
    AWAY = "away"


class IllegalTransition(RuntimeError):
    """An action the session's state does not allow, such as resuming a session that runs.

    A shell that sends it has a bug (its keys should follow the state), so it is loud
    rather than ignored.
    """

    def __init__(self, action: str, state: State, allowed: frozenset[State]) -> None:
        ok = " or ".join(sorted(allowed))
        super().__init__(
            f"cannot {action} while the session is {state}: {action} works only when it is {ok}"
        )
