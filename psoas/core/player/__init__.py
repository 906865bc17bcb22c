"""The session player: a pure timeline of steps that terminal and browser players both run.

Shells import everything from `psoas.core.player.machine`. This file stays empty so the
planner, which only needs the timeline, does not pay for loading the player.
"""
