"""Consistent copies while the server runs: SQLite's online backup API, or pg_dump."""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
from importlib.resources import files
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from jalon.errors import Invalid, NotFound, Unavailable
from jalon.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.effective_database_url).database
    if not database:
        raise Invalid("backup needs a file database, not an in-memory one", field="database_url")
    return Path(database)


def _libpq_url(settings: Settings) -> str:
    """The URL for pg_dump/pg_restore, without the password (see `_libpq_env`)."""
    url = make_url(settings.effective_database_url).set(drivername="postgresql")
    return url._replace(password=None).render_as_string(hide_password=False)


def _libpq_env(settings: Settings) -> dict[str, str]:
    """The password goes in PGPASSWORD: a command line is visible to every local user."""
    env = dict(os.environ)
    password = make_url(settings.effective_database_url).password
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Unavailable(
            "{name} is not installed; install the PostgreSQL client tools.", name=name
        )
    return path


def _sqlite_backup(settings: Settings, partial: Path) -> None:
    path = _sqlite_path(settings)
    if not path.is_file():  # sqlite3.connect() would create an empty database and copy that
        raise NotFound("There is no database at {path} to back up.", path=str(path))
    source = sqlite3.connect(path, timeout=30)
    dest = sqlite3.connect(partial)
    try:
        source.backup(dest)  # one step: a consistent snapshot, even while the server writes
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
        source.close()


def backup(settings: Settings, target: Path) -> int:
    """Write a consistent copy of the database to `target`; return its size in bytes."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if settings.is_sqlite:
            _sqlite_backup(settings, partial)
        else:
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--file={partial}",
                    f"--dbname={_libpq_url(settings)}",
                ],
                env=_libpq_env(settings),
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target.stat().st_size


def _check_file(source: Path, magic: bytes) -> None:
    if not source.is_file():
        raise Invalid("{path} does not exist", field="file", path=str(source))
    with source.open("rb") as fh:
        if fh.read(len(magic)) != magic:
            raise Invalid(
                "{path} is not a Jalon backup for this database engine",
                field="file",
                path=str(source),
            )


def _known_revisions() -> set[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("jalon") / "migrations"))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _check_revisions(source: Path, revisions: list[str]) -> None:
    """A Jalon backup records its schema version, and this release must know it."""
    if not revisions:
        raise Invalid(
            "{path} is not a Jalon backup (it has no schema version)",
            field="file",
            path=str(source),
        )
    unknown = sorted(set(revisions) - _known_revisions())
    if unknown:
        raise Invalid(
            "{path} comes from a newer Jalon (schema {revision}); upgrade Jalon first",
            field="file",
            path=str(source),
            revision=", ".join(unknown),
        )


def _check_sqlite_backup(src: sqlite3.Connection, source: Path) -> None:
    try:
        healthy = src.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
        revisions = (
            [row[0] for row in src.execute("SELECT version_num FROM alembic_version")]
            if "alembic_version" in tables
            else []
        )
    except sqlite3.DatabaseError:
        healthy = False
    if not healthy:
        raise Invalid("{path} is damaged (integrity check failed)", field="file", path=str(source))
    _check_revisions(source, revisions)


def _restore_sqlite(settings: Settings, source: Path) -> None:
    _check_file(source, SQLITE_MAGIC)
    src = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
    try:
        _check_sqlite_backup(src, source)
        path = _sqlite_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(path, timeout=30)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()


def _pg_archive_revisions(source: Path) -> list[str]:
    """The alembic_version rows of a pg_dump archive, read without restoring anything."""
    result = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Invalid(
            "{path} is damaged: {detail}",
            field="file",
            path=str(source),
            detail=result.stderr.strip()[-300:],
        )
    lines = result.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("COPY ")]
    if not starts:
        return []
    rows = itertools.takewhile(lambda line: line != "\\.", lines[starts[0] + 1 :])
    return [row.strip() for row in rows if row.strip()]


def restore(settings: Settings, source: Path) -> None:
    """Replace the database's content with a backup. Stop the server first.

    The file is checked first (engine, integrity, schema version): a file that is not a
    backup Jalon can restore leaves the database untouched.
    """
    if settings.is_sqlite:
        _restore_sqlite(settings, source)
        return
    _check_file(source, PG_MAGIC)
    _check_revisions(source, _pg_archive_revisions(source))
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(settings)}",
            str(source),
        ],
        env=_libpq_env(settings),
    )


def _run(cmd: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise Unavailable(
            "{tool} failed: {detail}", tool=Path(cmd[0]).name, detail=result.stderr.strip()[-500:]
        )
