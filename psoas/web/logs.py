"""Structured logs: one JSON line per request and per job when PSOAS_LOG_FORMAT=json.

A clinic's servers and workers write to standard error, where systemd's journal (or any
log collector) keeps them; JSON lines let it count, filter and alert without parsing
prose (docs/deploy.md). A line says what happened and how long it took, never to whom:
a request's line has the method, the route's pattern (`clinic/patients/<str:public_id>/`,
not the path, so no id at all), the status, the time in ms and the user's id, and no query
string, form field, body or name; a job's line has the task, its outcome, the time and the
error's class (not its message, which could quote a record). The default, `plain`, keeps
what local mode always wrote: server errors with their traceback, nothing per request.

Loaded by the settings, so only the standard library is imported at module level.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

FORMATS = ("plain", "json")
REQUESTS = "psoas.requests"
JOBS = "psoas.jobs"


def log_format(value: str | None) -> str:
    """PSOAS_LOG_FORMAT, checked: plain (the default) or json."""
    chosen = (value or "plain").strip().lower() or "plain"
    if chosen not in FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"PSOAS_LOG_FORMAT: '{value}' is not a log format; use plain or json"
        )
    return chosen


class JsonLines(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the record's `fields`
    (what request_log and the jobs put there) and a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(fmt: str) -> dict[str, Any]:
    """Django's LOGGING for the format: server errors always; in json, also a line per
    request and per job."""
    quiet = "INFO" if fmt == "json" else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
            "json": {"()": JsonLines},
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": fmt}},
        "loggers": {
            "django": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
            REQUESTS: {"handlers": ["stderr"], "level": quiet, "propagate": False},
            JOBS: {"handlers": ["stderr"], "level": quiet, "propagate": False},
        },
    }


def _user_id(request: Any) -> int | None:
    """The logged-in user's id if the request already looked them up (a request that did
    not, such as /healthz, is not made to ask the database now)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if user is None or wrapped is empty:
        return None
    return wrapped.pk if wrapped.is_authenticated else None


def request_log(get_response: Callable[[Any], Any]):
    """The outermost middleware: times each request and logs its line once answered."""
    log = logging.getLogger(REQUESTS)

    def middleware(request: Any) -> Any:
        if not log.isEnabledFor(logging.INFO):
            return get_response(request)
        start = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        fields = {
            "event": "request",
            "method": request.method,
            "route": ("/" + match.route) if match else None,
            "view": match.view_name if match else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            "user_id": _user_id(request),
        }
        log.info("request", extra={"fields": fields})
        return response

    return middleware


def job_line(task: str, status: str, started: float, error: BaseException | None) -> None:
    """Log a job's line: its task, ok or failed, its time and the error's class."""
    fields = {
        "event": "job",
        "task": task,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error is not None:
        fields["error"] = type(error).__name__
    logging.getLogger(JOBS).info("job", extra={"fields": fields})
