"""Shared fixtures. Hypothesis runs every safety invariant over 2,000 generated profiles."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from psoas.core.content.loader import Catalog, catalog

settings.register_profile(
    "safety",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=False,
)


@pytest.fixture(scope="session")
def cat() -> Catalog:
    return catalog()
