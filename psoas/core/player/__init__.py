"""The session player: a pure timeline of steps that terminal and browser players both run."""
