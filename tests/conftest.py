"""Fixtures: every integration and web test runs on SQLite and on a real PostgreSQL server.

Each test gets a fresh copy of a database migrated once per session (a file copy for
SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text

from jalon import db as db_module
from jalon.accounts import services as account_services
from jalon.app import create_app
from jalon.settings import Settings, load_settings
from jalon.uow import Database
from tests.support.pg import PostgresServer

ENGINES = ("sqlite", "postgresql")
_counter = itertools.count()
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # still argon2id


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash and verify passwords with a cheap argon2id: the real cost (64 MiB, three
    passes, a quarter of a second on these machines) bought nothing but minutes of CI. Tests
    marked `real_hashing` keep the production hasher, and test_password_hashing.py checks its
    parameters."""
    if request.node.get_closest_marker("real_hashing") is None:
        monkeypatch.setattr(account_services, "_hasher", lambda: CHEAP_HASHER)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if url := os.environ.get("JALON_TEST_PG_URL"):
        yield url
        return
    try:
        server = PostgresServer()
    except RuntimeError as exc:
        if os.environ.get("JALON_REQUIRE_PG"):
            raise
        pytest.skip(str(exc))
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _admin_engine(url: str):  # type: ignore[no-untyped-def]
    return create_engine(db_module.normalise_url(url), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> str:
    engine = _admin_engine(pg_url)
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS jalon_template"))
        conn.execute(text("CREATE DATABASE jalon_template"))
    engine.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/jalon_template"
    template = Database(load_settings({}, overrides={"database_url": url}))
    db_module.upgrade(template.engine)
    template.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    template = Database(load_settings({}, overrides={"data_dir": data_dir}))
    db_module.upgrade(template.engine)
    with template.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template.dispose()
    return data_dir / "jalon.db"


@pytest.fixture(scope="session")
def pg_admin(pg_template: str) -> Iterator[Connection]:
    """One AUTOCOMMIT connection per worker for every test's CREATE and DROP DATABASE: a new
    engine and connection twice per test were a third of what a test's database cost."""
    engine = _admin_engine(pg_template.rsplit("/", 1)[0] + "/postgres")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _fresh_pg(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    template_url: str = request.getfixturevalue("pg_template")
    admin: Connection = request.getfixturevalue("pg_admin")
    base = template_url.rsplit("/", 1)[0]
    name = f"jalon_test_{os.getpid()}_{next(_counter)}"
    admin.execute(text(f'CREATE DATABASE "{name}" TEMPLATE jalon_template'))
    request.addfinalizer(lambda: _drop_pg(admin, name))
    return load_settings(
        {},
        overrides={
            "database_url": f"{base}/{name}",
            "data_dir": tmp_path,
            "secret_key": "test-secret-key",
        },
    )


def _drop_pg(admin: Connection, name: str) -> None:
    """Each test's database goes when the test ends (the server keeps them in memory)."""
    admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _fresh_sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    template: Path = request.getfixturevalue("sqlite_template")
    shutil.copyfile(template, tmp_path / "jalon.db")
    return load_settings({}, overrides={"data_dir": tmp_path, "secret_key": "test-secret-key"})


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(request: pytest.FixtureRequest, engine_kind: str, tmp_path: Path) -> Settings:
    if engine_kind == "postgresql":
        return _fresh_pg(request, tmp_path)
    return _fresh_sqlite(request, tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database=db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
