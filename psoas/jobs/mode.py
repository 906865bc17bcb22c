"""Which way a deferred job runs: queued for a worker, or inline in this process.

The queue is Procrastinate's, and its tables live in PostgreSQL only. Clinic mode
(`PSOAS_MODE=clinic`, which settings allow on PostgreSQL only) queues; local mode (one
person, on SQLite or a PostgreSQL of their own) runs every job inline. This is the one
place that decides, so a call site never asks.
"""

from __future__ import annotations


def queued() -> bool:
    """True when `defer` puts the job in the queue for `psoas worker`."""
    from django.conf import settings

    return settings.CLINIC_MODE
