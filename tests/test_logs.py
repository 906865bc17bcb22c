"""Structured logs (psoas/web/logs.py): a real `psoas serve` with PSOAS_LOG_FORMAT=json
writes one JSON line per request with the method, the route's pattern, the status, the
time and the user, and nothing of the query string or the body; the default writes no
request lines; a job's run writes its line, a failure with the error's class only."""

from __future__ import annotations

import json
import logging

import pytest

from psoas import jobs
from psoas.web.logs import JOBS, JsonLines
from tests.server_process import start, stop
from tests.test_cli import DESK, run_in

pytestmark = pytest.mark.store  # runs again on PostgreSQL

SECRET = "Ada-Lovelace-7391"  # stands for a name or a health fact a client might send


def request_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def test_a_request_writes_one_json_line_without_its_query_or_body(env, tmp_path):
    assert run_in(env, "init", "--profile", str(DESK)).returncode == 0
    server = start({**env, "PSOAS_LOG_FORMAT": "json"}, tmp_path)
    try:
        status, _ = server.request("GET", f"/api/history?name={SECRET}")
        assert status == 200
        status, _ = server.request("POST", "/api/checkins", {"note": SECRET, "pain": SECRET})
        assert status == 422  # refused: the line is written all the same
        assert server.request("GET", "/healthz")[0] == 200
        server.request("GET", "/no-such-page/")
    finally:
        stop(server.proc)
    log = server.log()
    assert SECRET not in log and "name=" not in log
    lines = request_lines(log)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/api/history", 200),
        ("POST", "/api/checkins", 422),
        ("GET", "/healthz", 200),
        ("GET", None, 404),
    ]
    for line in lines:
        assert set(line) == {
            "ts",
            "level",
            "logger",
            "event",
            "method",
            "route",
            "view",
            "status",
            "duration_ms",
            "user_id",
        }
        assert line["logger"] == "psoas.requests" and line["level"] == "info"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["user_id"] is None  # the local person uses no login


def test_the_default_format_writes_no_request_lines(env, tmp_path):
    server = start(env, tmp_path)
    try:
        assert server.request("GET", "/healthz")[0] == 200
    finally:
        stop(server.proc)
    assert request_lines(server.log()) == []
    assert "healthz" not in server.log()


def test_a_bad_format_is_refused_naming_the_variable(env):
    result = run_in({**env, "PSOAS_LOG_FORMAT": "xml"}, "serve", "--port", "0", "--no-browser")
    assert result.returncode != 0
    assert "PSOAS_LOG_FORMAT: 'xml' is not a log format; use plain or json" in (
        result.stdout + result.stderr
    )


@jobs.task(queue="upkeep", retries=0)
def _works(n: int) -> int:
    return n + 1


@jobs.task(queue="upkeep", retries=0)
def _fails(n: int) -> int:
    raise ValueError(f"patient {SECRET} has no plan")


def test_a_job_writes_its_line_and_a_failure_only_its_error_class(caplog):
    caplog.set_level(logging.INFO, logger=JOBS)
    assert _works(n=1) == 2
    with pytest.raises(ValueError):
        _fails(n=1)
    lines = [json.loads(JsonLines().format(r)) for r in caplog.records if r.name == JOBS]
    assert [(line["task"], line["status"], line.get("error")) for line in lines] == [
        ("tests.test_logs._works", "ok", None),
        ("tests.test_logs._fails", "failed", "ValueError"),
    ]
    assert all(line["event"] == "job" and line["duration_ms"] >= 0 for line in lines)
    assert SECRET not in json.dumps(lines)
