"""A coach's state as plain JSON, and back.

The browser coach sends landmarks in small batches, and the next batch may reach another
app server; so between batches the coach's state (its counter, timer, smoothing, what it
has seen) is kept in the store as JSON. Only the coach's own classes are made again from
it, named in `KINDS`: a store or a backup file is data, never code (pickle would run
whatever a crafted file asked). An object met twice (the rep being settled is also the
last of the reps) is written once and referred to after, so it is one object again.

    text = dump(value); value = load(text)    # ValueError: not a state this code wrote
"""

from __future__ import annotations

import json
from collections import Counter, deque
from typing import Any

from psoas.core.coach.faults import FaultRules
from psoas.core.coach.holds import Hold, HoldTimer
from psoas.core.coach.reps import Rep, RepCounter
from psoas.core.coach.smoothing import Ema
from psoas.core.coach.view import ViewCheck

KINDS: dict[str, type] = {
    c.__name__: c for c in (Ema, FaultRules, Hold, HoldTimer, Rep, RepCounter, ViewCheck)
}
TAG = "~"


def _fields(obj: Any) -> dict[str, Any]:
    slots = getattr(type(obj), "__slots__", None)
    if slots is not None:
        return {name: getattr(obj, name) for name in slots}
    return vars(obj)


def _out(v: Any, seen: dict[int, int]) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list):
        return [_out(x, seen) for x in v]
    if isinstance(v, Counter):
        return {TAG: "Counter", "items": [[_out(k, seen), n] for k, n in v.items()]}
    if isinstance(v, deque):
        return {TAG: "deque", "maxlen": v.maxlen, "items": [_out(x, seen) for x in v]}
    if isinstance(v, tuple):
        return {TAG: "tuple", "items": [_out(x, seen) for x in v]}
    if isinstance(v, dict):
        return {TAG: "dict", "items": [[_out(k, seen), _out(x, seen)] for k, x in v.items()]}
    kind = type(v).__name__
    if KINDS.get(kind) is not type(v):
        raise TypeError(f"the coach's state cannot hold a {type(v).__qualname__}")
    if id(v) in seen:
        return {TAG: "ref", "n": seen[id(v)]}
    seen[id(v)] = len(seen)
    return {TAG: kind, "vars": {k: _out(x, seen) for k, x in _fields(v).items()}}


def _in(v: Any, made: list[Any]) -> Any:
    if isinstance(v, list):
        return [_in(x, made) for x in v]
    if not isinstance(v, dict):
        return v
    kind = v[TAG]
    if kind == "Counter":
        return Counter({_in(k, made): n for k, n in v["items"]})
    if kind == "deque":
        return deque((_in(x, made) for x in v["items"]), maxlen=v["maxlen"])
    if kind == "tuple":
        return tuple(_in(x, made) for x in v["items"])
    if kind == "dict":
        return {_in(k, made): _in(x, made) for k, x in v["items"]}
    if kind == "ref":
        return made[v["n"]]
    cls = KINDS[kind]
    obj = cls.__new__(cls)
    made.append(obj)
    for name, x in v["vars"].items():
        object.__setattr__(obj, name, _in(x, made))  # frozen dataclasses too
    return obj


def dump(value: Any) -> str:
    return json.dumps(_out(value, {}), separators=(",", ":"))


def load(text: str) -> Any:
    """The value `dump` wrote; ValueError for anything else."""
    try:
        return _in(json.loads(text), [])
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
        raise ValueError(f"not a coach state: {exc}") from None
