"""Whom a request acts for: the one place pages and the API ask.

Local mode has one person and no login (or a login that guards the one person's data off
loopback); clinic mode will resolve the logged-in user, or a patient they may see, here."""

from __future__ import annotations

from typing import Any

from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person


def person_for(request: Any) -> Person:
    return local_person()
