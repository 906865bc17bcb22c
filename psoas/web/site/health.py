"""`/healthz`: whether this server can do its work, for a reverse proxy's or a monitor's
health checks (docs/deploy.md).

It answers without a login, holds nothing about anyone, writes nothing and is not in the
audit trail: a proxy asks every few seconds. It checks what a request needs beyond the
process itself: the database answers a query, and in clinic mode the task queue's table
(Procrastinate's, in the same database) can be read, so a server whose jobs would fail to
queue is taken out of rotation too. 200 when all answer, 503 naming the part that did not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

QUEUE_TABLE = "procrastinate_jobs"


def _answers(sql: str) -> bool:
    """Whether the database runs `sql`; a broken connection is not kept for the next
    request."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()
            return True
    except DatabaseError:
        connection.close()
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """{"status": "ok", ...} with 200, or "failing" with 503 and the part that failed."""
    database = _answers("SELECT 1")
    parts = {"database": "ok" if database else "unreachable"}
    if settings.CLINIC_MODE:  # local mode runs jobs inline: it has no queue
        queue = database and _answers(f"SELECT 1 FROM {QUEUE_TABLE} LIMIT 1")
        parts["queue"] = "ok" if queue else "unreachable"
    failing = [name for name, state in parts.items() if state != "ok"]
    body = {"status": "failing" if failing else "ok", "mode": settings.MODE, **parts}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
