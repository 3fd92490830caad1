"""Two processes writing to one SQLite file: the second waits, or fails cleanly.

The first writer is a real `create_product` in this process, held open just before its
commit; the second is a real service in another process (multiprocessing, spawn) or the
`jalon` command. Every step is synchronised with events, not sleeps.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from jalon.accounts.models import User
from jalon.errors import JalonError
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.settings import Settings, load_settings
from jalon.uow import Database, UnitOfWork
from tests.support.helpers import actor, make_user
from tests.support.processes import Target, inspect_sqlite

SPAWN = multiprocessing.get_context("spawn")
WAIT = 60  # seconds: only a deadline for a broken test, never reached when things work


def _settings(data_dir: Path, busy_timeout_ms: int | None = None) -> Settings:
    env = {}
    if busy_timeout_ms is not None:
        env["JALON_SQLITE_BUSY_TIMEOUT_MS"] = str(busy_timeout_ms)
    return load_settings(env, overrides={"data_dir": data_dir, "secret_key": "test"})


def create_in_child(
    data_dir: str,
    busy_timeout_ms: int | None,
    owner: tuple[int, str],
    name: str,
    begins: EventType,
    results: Any,
) -> None:
    """In another process: create a product; report ("ok", id) or ("error", class, message)."""
    database = Database(_settings(Path(data_dir), busy_timeout_ms))

    @event.listens_for(database.engine, "before_cursor_execute")
    def announce(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            begins.set()

    try:
        product = products.create_product(
            database.uow(), actor=Actor(owner[0], owner[1]), name=name
        )
        results.put(("ok", product.id, ""))
    except JalonError as exc:
        results.put(("error", type(exc).__name__, exc.render()))
    except Exception as exc:  # reported, so the test shows what escaped
        results.put(("crash", type(exc).__name__, str(exc)))
    finally:
        database.dispose()


class HeldUnitOfWork(UnitOfWork):
    """A unit of work that stops just before committing, until released."""

    def __init__(self, database: Database) -> None:
        super().__init__(database.factory, write=True)
        self.holding = threading.Event()
        self.release = threading.Event()

    def commit(self) -> None:
        self.holding.set()
        assert self.release.wait(WAIT)
        super().commit()


@dataclass
class Holder:
    """A create_product of this process, inside its write transaction, not yet committed."""

    uow: HeldUnitOfWork
    thread: threading.Thread
    result: list[Any]

    def commit(self) -> int:
        self.uow.release.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive() and self.result, self.result
        product_id: int = self.result[0].id
        return product_id


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copyfile(sqlite_template, tmp_path / "jalon.db")
    db = Database(_settings(tmp_path))
    yield db
    db.dispose()


@pytest.fixture
def owner(database: Database) -> User:
    return make_user(database, "po@example.org", name="Camille", admin=True)


@pytest.fixture
def holder(database: Database, owner: User) -> Iterator[Holder]:
    products.create_product(database.uow(), actor=actor(owner), name="Committed before")
    uow = HeldUnitOfWork(database)
    result: list[Any] = []

    def run() -> None:
        result.append(products.create_product(uow, actor=actor(owner), name="Held"))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert uow.holding.wait(WAIT), "the first writer never reached its commit"
    held = Holder(uow, thread, result)
    yield held
    uow.release.set()
    thread.join(WAIT)


def _start_child(
    database: Database, owner: User, busy_timeout_ms: int | None, name: str
) -> tuple[Any, EventType, Any]:
    begins = SPAWN.Event()
    results = SPAWN.Queue()
    child = SPAWN.Process(
        target=create_in_child,
        args=(
            str(database.settings.data_dir),
            busy_timeout_ms,
            (owner.id, owner.label),
            name,
            begins,
            results,
        ),
    )
    child.start()
    return child, begins, results


def test_second_writer_waits_for_the_first_commit_then_succeeds(
    database: Database, owner: User, holder: Holder
) -> None:
    child, begins, results = _start_child(database, owner, None, "From the second process")
    try:
        assert begins.wait(WAIT), "the second process never began its write"
        # It cannot finish while this process holds the write lock (default timeout: 5 s).
        with pytest.raises(queue.Empty):
            results.get(timeout=0.5)
        held_id = holder.commit()
        status, child_id, message = results.get(timeout=WAIT)
    finally:
        child.join(WAIT)
    assert (status, message) == ("ok", ""), (status, child_id, message)
    assert child_id > held_id  # committed after the first writer, as it waited for it

    report = inspect_sqlite(database.settings.data_dir / "jalon.db")
    assert report.integrity == "ok"
    assert sorted(report.products.values()) == [
        "Committed before",
        "From the second process",
        "Held",
    ]
    assert report.incomplete == []


def test_short_busy_timeout_fails_cleanly_and_writes_nothing(
    database: Database, owner: User, holder: Holder
) -> None:
    child, _begins, results = _start_child(database, owner, 50, "Never written")
    try:
        status, kind, message = results.get(timeout=WAIT)
    finally:
        child.join(WAIT)
    assert (status, kind) == ("error", "Unavailable"), message
    assert "busy" in message
    holder.commit()

    report = inspect_sqlite(database.settings.data_dir / "jalon.db")
    assert report.integrity == "ok"
    assert sorted(report.products.values()) == ["Committed before", "Held"]
    assert report.incomplete == []


def test_cli_write_on_a_busy_database_exits_with_a_clear_message(
    database: Database, holder: Holder
) -> None:
    target = Target("sqlite", database.settings.data_dir, {"JALON_SQLITE_BUSY_TIMEOUT_MS": "50"})
    result = target.run("user", "add", "late@example.org", input="a long pass phrase\n")
    assert result.returncode == 7, result.stderr
    assert result.stderr.strip() == "Error: the database is busy; try again in a moment"
    holder.commit()

    with database.reader() as uow:
        emails = set(uow.session.scalars(select(User.email)))
    assert emails == {"po@example.org"}
    assert inspect_sqlite(database.settings.data_dir / "jalon.db").integrity == "ok"
