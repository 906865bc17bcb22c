"""Move breaks on the desktop (issue 15): what `psoas breaks run` needs from the computer.

Desktop notifications (desktop-notifier), the session's idle time over D-Bus, a clock that
tests can speed up, opening the guided break in a terminal, and the user service that
starts the runner at login. The rules (when to remind, what counts) are the core's
(`psoas.core.breaks`); the events are the store's (`psoas.web.breaks`). Nothing here is
imported by `psoas --help`.
"""
