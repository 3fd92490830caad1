"""Consistent copies while the server runs: SQLite's online backup API, or pg_dump."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from jalon.errors import Invalid, Unavailable
from jalon.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.effective_database_url).database
    if not database:
        raise Invalid("backup needs a file database, not an in-memory one", field="database_url")
    return Path(database)


def _libpq_url(settings: Settings) -> str:
    return (
        make_url(settings.effective_database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Unavailable(
            "{name} is not installed; install the PostgreSQL client tools.", name=name
        )
    return path


def backup(settings: Settings, target: Path) -> int:
    """Write a consistent copy of the database to `target`; return its size in bytes."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if settings.is_sqlite:
        source = sqlite3.connect(_sqlite_path(settings), timeout=30)
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={partial}",
                f"--dbname={_libpq_url(settings)}",
            ]
        )
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


def restore(settings: Settings, source: Path) -> None:
    """Replace the database's content with a backup. Stop the server first."""
    if settings.is_sqlite:
        _check_file(source, SQLITE_MAGIC)
        src = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise Invalid(
                    "{path} is damaged (integrity check failed)", field="file", path=str(source)
                )
            path = _sqlite_path(settings)
            path.parent.mkdir(parents=True, exist_ok=True)
            dest = sqlite3.connect(path, timeout=30)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
        return
    _check_file(source, PG_MAGIC)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(settings)}",
            str(source),
        ]
    )


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Unavailable(
            "{tool} failed: {detail}", tool=Path(cmd[0]).name, detail=result.stderr.strip()[-500:]
        )
