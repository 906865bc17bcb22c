"""Planner throughput: plans per second over 10,000 generated profiles on one core.

Target (issue 2): at least 2,000 plans/s. Profiles are generated up front with a fixed
seed; each timed plan includes validating the profile dict, as `psoas plan` does.
Prints `plans_per_s: N plans/s`.
"""

from __future__ import annotations

import os
import random
import time

from psoas.core.content.loader import catalog
from psoas.core.content.models import Equipment
from psoas.core.planning.planner import build_plan
from psoas.core.profile import ACTIVITIES, parse_profile

N = 10_000


def generate(rng: random.Random, cat) -> dict:
    def some(items, k):
        return rng.sample(list(items), rng.randint(0, k))

    d = {"schema": "psoas.profile/1", "age": rng.randint(18, 90)}
    if rng.random() < 0.1:
        d["pregnancy_weeks"] = rng.randint(4, 40)
    if rng.random() < 0.05:
        d["red_flags"] = some([f.id for f in cat.screening.red_flags], 2)
    d["conditions"] = some(cat.conditions, 2)
    d["limits"] = some(cat.limits, 2)
    d["equipment"] = some(Equipment.__args__, 5)
    d["minutes_per_session"] = rng.randint(5, 60)
    d["sitting_hours_per_day"] = round(rng.uniform(0, 12), 1)
    d["activities"] = some(ACTIVITIES, 2)
    d["assessment"] = {
        "thomas_test": {
            "left": rng.choice(["positive", "negative"]),
            "right": rng.choice(["positive", "negative"]),
        },
        "hip_flexor_hold_s": {"left": rng.uniform(3, 40), "right": rng.uniform(3, 40)},
    }
    d["pain"] = {"nprs": rng.randint(0, 10)}
    return d


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cat = catalog()
    rng = random.Random(20261123)
    profiles = [generate(rng, cat) for _ in range(N)]
    for d in profiles[:200]:  # warm caches the way a long-running process has them
        build_plan(parse_profile(d))
    start = time.perf_counter()
    for d in profiles:
        build_plan(parse_profile(d))
    elapsed = time.perf_counter() - start
    print(f"plans_per_s: {N / elapsed:.0f} plans/s")
    print(f"plan_ms: {1000 * elapsed / N:.3f} ms")


if __name__ == "__main__":
    main()
