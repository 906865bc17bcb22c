"""Shared fixtures. Hypothesis runs every safety invariant over 2,000 generated profiles."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import HealthCheck, settings

# Playwright's sync API (the session-wide browser of tests/e2e) leaves an event loop running
# in the main thread, and Django then takes every later test's database call for one made
# from async code (SynchronousOnlyOperation: the whole clinic matrix errored after the
# clinic browser tests in one run). The tests make no async database calls of their own.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from psoas.core.content.loader import Catalog, catalog

settings.register_profile(
    "safety",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=False,
)


# Markers of tests that need a PostgreSQL server (clinic mode and its task queue run on
# nothing else). They are deselected, not skipped, when PSOAS_DATABASE_URL names none: the
# SQLite pass of `make test` does not count them, and the PostgreSQL pass runs them.
POSTGRES_ONLY = ("postgres",)


def on_postgres() -> bool:
    return os.environ.get("PSOAS_DATABASE_URL", "").startswith("postgres")


def pytest_collection_modifyitems(config, items):
    if on_postgres():
        return
    keep, drop = [], []
    for item in items:
        pg_only = any(item.get_closest_marker(m) for m in POSTGRES_ONLY)
        (drop if pg_only else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def cat() -> Catalog:
    return catalog()


@pytest.fixture
def env(tmp_path):
    """A fresh database per test: a SQLite file, or a new PostgreSQL database on the server
    that PSOAS_DATABASE_URL names (the Makefile's PostgreSQL run sets it)."""
    e = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120"}
    server = e.pop("PSOAS_DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield e
        return
    import psycopg

    name = f"psoas_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    e["PSOAS_DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
    yield e
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Tests reuse ids across fresh databases; cached pages must not outlive their test."""
    from django.core.cache import cache

    cache.clear()
