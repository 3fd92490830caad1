"""`jalon backup` and `jalon restore`: a round trip on each engine, and refusals.

A file that is not a backup this Jalon can restore is refused with a clear message
before anything is touched: the database keeps its content.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from jalon import backup as backup_module
from jalon import db as db_module
from jalon.accounts.models import User
from jalon.errors import Invalid, NotFound
from jalon.products import queries
from jalon.products import services as products
from jalon.settings import load_settings
from jalon.uow import Database
from tests.support.helpers import actor, make_user
from tests.support.processes import Target, create_pg_database, inspect_sqlite, make_target

MAGIC = {"sqlite": backup_module.SQLITE_MAGIC, "postgresql": backup_module.PG_MAGIC}


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    kind = str(request.param)
    pg_url = request.getfixturevalue("pg_url") if kind == "postgresql" else None
    return make_target(kind, tmp_path / "data", pg_url)


@pytest.fixture
def database(target: Target) -> Iterator[Database]:
    """The target, migrated, with one user and a product named "Kept"."""
    db = Database(target.settings())
    db_module.upgrade(db.engine)
    po = make_user(db, "po@example.org", admin=True)
    products.create_product(db.uow(), actor=actor(po), name="Kept", vision="Before")
    yield db
    db.dispose()


def _state(target: Target) -> list[tuple[str, str]]:
    """(name, vision) of every product, read through a fresh connection."""
    db = Database(target.settings())
    try:
        assert db_module.pending_migrations(db.engine) == []
        admin = actor(_admin(db))
        return [
            (r.product.name, r.product.vision)
            for r in queries.list_products(db.reader(), actor=admin)
        ]
    finally:
        db.dispose()


def _admin(db: Database) -> User:
    with db.reader() as uow:
        user = uow.session.scalar(select(User).where(User.email == "po@example.org"))
    assert user is not None
    return user


def test_backup_then_restore_brings_back_the_content(
    target: Target, database: Database, tmp_path: Path
) -> None:
    backup_file = tmp_path / "backups" / "jalon.backup"
    done = target.run("backup", backup_file)
    assert done.returncode == 0, done.stderr
    assert "Backup written to" in done.stdout
    assert backup_file.read_bytes().startswith(MAGIC[target.kind])
    assert [p.name for p in backup_file.parent.iterdir()] == ["jalon.backup"]

    po = actor(_admin(database))
    kept = queries.list_products(database.reader(), actor=po)[0].product
    products.update_product(
        database.uow(), product_id=kept.id, actor=po, changes={"vision": "After"}
    )
    products.create_product(database.uow(), actor=po, name="Added after the backup")
    assert len(_state(target)) == 2
    database.dispose()

    done = target.run("restore", backup_file, "--yes")
    assert done.returncode == 0, done.stderr
    assert _state(target) == [("Kept", "Before")]
    if target.kind == "sqlite":
        assert inspect_sqlite(target.data_dir / "jalon.db").integrity == "ok"


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", ["random-bytes", "other-engine", "no-confirmation"])
def test_cli_restore_refuses_and_leaves_the_database_untouched(
    target: Target,
    database: Database,
    tmp_path: Path,
    sqlite_template: Path,
    request: pytest.FixtureRequest,
    case: str,
) -> None:
    args: list[str | Path] = ["restore"]
    if case == "random-bytes":
        args += [_write(tmp_path, "noise.bin", os.urandom(8192)), "--yes"]
        message = "is not a Jalon backup for this database engine"
    elif case == "other-engine":
        other = sqlite_template if target.kind == "postgresql" else None
        other = other or _write(tmp_path, "pg.dump", backup_module.PG_MAGIC + os.urandom(4096))
        args += [other, "--yes"]
        message = "is not a Jalon backup for this database engine"
    else:  # a real backup, of an empty Jalon database
        args += [_empty_backup(target.kind, tmp_path, request)]
        message = "add --yes to confirm"
    before = _state(target)

    result = target.run(*args)

    assert result.returncode != 0, result.stdout
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _state(target) == before == [("Kept", "Before")]


def _empty_backup(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    if kind == "sqlite":
        return Path(request.getfixturevalue("sqlite_template"))
    path = tmp_path / "empty.dump"
    url = create_pg_database(request.getfixturevalue("pg_url"), prefix="jalon_empty")
    empty = Database(load_settings({}, overrides={"database_url": url}))
    db_module.upgrade(empty.engine)
    empty.dispose()
    backup_module.backup(empty.settings, path)
    return path


def _sqlite_file(tmp_path: Path, build: Callable[[sqlite3.Connection], None]) -> Path:
    path = tmp_path / "crafted.db"
    conn = sqlite3.connect(path)
    build(conn)
    conn.commit()
    conn.close()
    return path


def _pg_file(pg_url: str, tmp_path: Path, statements: list[str]) -> Path:
    url = create_pg_database(pg_url, prefix="jalon_crafted")
    engine = create_engine(db_module.normalise_url(url))
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()
    path = tmp_path / "crafted.dump"
    subprocess.run(
        [shutil.which("pg_dump") or "pg_dump", "--format=custom", f"--file={path}", url],
        check=True,
        capture_output=True,
    )
    return path


NEWER = [
    "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "INSERT INTO alembic_version VALUES ('ffffffffffff')",
]


def _crafted(kind: str, case: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    if case == "missing":
        return tmp_path / "nowhere.backup"
    if case == "damaged":
        return _write(tmp_path, "damaged", MAGIC[kind] + os.urandom(20000))
    if kind == "sqlite":
        if case == "not-jalon":
            return _sqlite_file(tmp_path, lambda c: c.execute("CREATE TABLE t (x)"))
        template: Path = request.getfixturevalue("sqlite_template")
        newer = shutil.copyfile(template, tmp_path / "newer.db")
        conn = sqlite3.connect(newer)
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
        conn.commit()
        conn.close()
        return newer
    statements = ["CREATE TABLE t (x int)"] if case == "not-jalon" else NEWER
    return _pg_file(request.getfixturevalue("pg_url"), tmp_path, statements)


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("missing", Invalid, "does not exist"),
        ("damaged", Invalid, "is damaged"),
        ("not-jalon", Invalid, "is not a Jalon backup (it has no schema version)"),
        ("newer", Invalid, "comes from a newer Jalon (schema ffffffffffff)"),
    ],
)
def test_restore_checks_the_file_before_touching_anything(
    target: Target,
    database: Database,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    case: str,
    error: type[Exception],
    message: str,
) -> None:
    source = _crafted(target.kind, case, tmp_path, request)
    with pytest.raises(error) as raised:
        backup_module.restore(database.settings, source)
    assert message in str(raised.value)
    assert _state(target) == [("Kept", "Before")]


def test_backup_of_a_missing_sqlite_database_is_refused(tmp_path: Path) -> None:
    target = Target("sqlite", tmp_path / "never-created")
    result = target.run("backup", tmp_path / "out.backup")
    assert result.returncode == NotFound.exit_code, result.stderr
    assert "There is no database at" in result.stderr
    assert not (tmp_path / "out.backup").exists()
    assert not (tmp_path / "out.backup.partial").exists()
    assert not target.data_dir.exists()


def test_the_postgresql_password_stays_off_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any local user can read a command line (ps); pg_dump gets the password in PGPASSWORD."""
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        env = kwargs["env"]
        assert isinstance(env, dict)
        calls.append((cmd, env))
        out = next(arg.split("=", 1)[1] for arg in cmd if arg.startswith("--file="))
        Path(out).write_bytes(backup_module.PG_MAGIC)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(backup_module.subprocess, "run", fake_run)
    settings = load_settings(
        {}, overrides={"database_url": "postgresql://jalon:s3cr%40t@db.example:5433/jalon"}
    )
    backup_module.backup(settings, tmp_path / "out.dump")

    ((cmd, env),) = calls
    assert "--dbname=postgresql://jalon@db.example:5433/jalon" in cmd
    assert not any("s3cr" in arg for arg in cmd)
    assert env["PGPASSWORD"] == "s3cr@t"
