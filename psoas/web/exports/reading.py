"""How exports read the store: within a date range, and from one consistent snapshot."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import QuerySet


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included; a missing end is open."""

    start: date | None = None
    end: date | None = None

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def filter(self, rows: QuerySet, field: str = "date") -> QuerySet:
        if self.start is not None:
            rows = rows.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            rows = rows.filter(**{f"{field}__lte": self.end})
        return rows


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Read every table from the same moment, so a session saved during an export shows up
    in all the files or in none (its sets never point to a session that is missing).

    SQLite's immediate transactions hold writers back for the few moments an export takes;
    PostgreSQL needs repeatable read for one snapshot across several queries.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield
