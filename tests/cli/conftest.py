"""CLI fixtures: a Jalon installation per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import Target, make_target


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """An empty installation: a new data dir and, for PostgreSQL, a new empty database."""
    kind = str(request.param)
    pg_url = request.getfixturevalue("pg_url") if kind == "postgresql" else None
    return make_target(kind, tmp_path / "data", pg_url)


@pytest.fixture
def sqlite_target(tmp_path: Path) -> Target:
    """For what does not depend on the engine (input checks, configuration)."""
    return make_target("sqlite", tmp_path / "data")
