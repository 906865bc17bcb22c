"""The API as a person runs it: a real `psoas serve` process on its own store.

- A request that fails with a 500 is logged with its traceback on the server's standard
  error (reliability probe, finding 4: with DEBUG off Django logged it nowhere). The store
  is broken for real under the running server: a table is dropped.
- schemathesis fuzzes every operation of the live OpenAPI schema, valid and invalid data,
  bounded (a fixed number of examples and a deadline each, derandomized, offline): no 5xx,
  no status, content type or body outside the schema (finding 11), and invalid data is
  refused with a 4xx.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta

import pytest

from tests.server_process import start, stop
from tests.test_cli import DESK, run_in

pytestmark = pytest.mark.store  # runs again on PostgreSQL

EXAMPLES = 60  # per operation and per mode (valid, invalid)
DEADLINE_MS = 10_000  # per example, on a shared 2-core machine


@pytest.fixture
def server(env, tmp_path):
    """A store with a plan that started 3 days ago and a session logged, then the server."""
    start_day = (date.today() - timedelta(days=3)).isoformat()
    assert run_in(env, "init", "--profile", str(DESK), "--start", start_day).returncode == 0
    assert run_in(env, "log", "--date", start_day).returncode == 0
    s = start(env, tmp_path)
    yield s
    stop(s.proc)


def drop_table(env, tmp_path, table: str) -> None:
    url = env.get("PSOAS_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {table} CASCADE")
    else:
        with sqlite3.connect(tmp_path / "data" / "psoas.sqlite3") as conn:
            conn.execute(f"DROP TABLE {table}")


def test_a_server_error_is_logged_with_its_traceback(server, env, tmp_path):
    status, sessions = server.request("GET", "/api/history")
    assert status == 200 and sessions
    assert "Traceback" not in server.log()
    drop_table(env, tmp_path, "tracking_setlog")  # the store breaks under the server
    status, _ = server.request("GET", "/api/history")
    assert status == 500
    deadline = time.monotonic() + 10
    while "tracking_setlog" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log()
    assert "ERROR django.request: Internal Server Error: /api/history" in log, log
    assert "Traceback (most recent call last)" in log and "tracking_setlog" in log


def test_schemathesis_finds_no_5xx_and_nothing_outside_the_schema(server):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    conformance = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    modes = {
        GenerationMode.POSITIVE: conformance,
        GenerationMode.NEGATIVE: [*conformance, negative_data_rejection],
    }
    schema = schemathesis.openapi.from_url(
        server.url + "api/openapi.json", headers=server.headers, timeout=30
    )
    bounded = settings(
        max_examples=EXAMPLES,
        deadline=DEADLINE_MS,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    calls: list[str] = []

    def fuzz(operation, mode, checks) -> None:
        @bounded
        @given(case=operation.as_strategy(generation_mode=mode))
        def one(case):
            calls.append(operation.label)
            case.call_and_validate(headers=server.headers, checks=checks, timeout=30)

        one()

    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, checks in modes.items():
            try:
                fuzz(operation, mode, checks)
            except Unsatisfiable:  # no input to make invalid: GET /api/profile and the like
                assert mode == GenerationMode.NEGATIVE
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; all fail
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # every operation of the schema (32: the person's own, messages, a patient's program)
    assert operations == 32 and len(set(calls)) == 32, sorted(set(calls))
    assert "Traceback" not in server.log(), server.log()
