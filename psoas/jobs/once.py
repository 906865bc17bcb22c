"""At most once per key: the guard that makes a retried or duplicated job harmless.

    with jobs.once(f"report:{token}") as first:
        if first:
            GeneratedFile.objects.create(...)              # a row: exactly once
            send_mail(...)                                 # outside the database: see below

The block runs in a transaction that also writes the key (a unique row). The first run
commits both; a later run with the same key finds the key and gets False. A run that
fails inside the block rolls the key back with its rows, so a retry does the work. Two
runs at once: the second waits on the first's key and then gets False.

An email or any effect outside the database cannot join the transaction. Sent inside the
block, it goes out before the key commits: a refused send raises, the key rolls back and
the retry sends it; a duplicate run waits on the key and sends nothing. Only a worker
killed between the mail server's acceptance and the commit sends it twice. (Sent from
`transaction.on_commit` instead, a refused send would be lost for good: the key is
already committed when the send fails.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

MAX_KEY = 200


@contextlib.contextmanager
def once(key: str) -> Iterator[bool]:
    """A transaction in which `first` is True for the first run with `key` only."""
    from django.db import IntegrityError, transaction

    from psoas.web.jobs.models import JobDone

    if not key or len(key) > MAX_KEY:
        raise ValueError(f"key: give 1 to {MAX_KEY} characters, not {len(key)}")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the failed insert leaves the rest usable
                JobDone.objects.create(key=key)
        except IntegrityError:
            yield False
            return
        yield True


def done(key: str) -> bool:
    """Whether a run with `key` has committed its effect (to skip costly work early)."""
    from psoas.web.jobs.models import JobDone

    return JobDone.objects.filter(key=key).exists()
