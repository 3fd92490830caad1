"""Durability on SQLite: a real `jalon serve`, real API writes, a SIGKILL, a backup.

Every product the server acknowledged with 201 must survive the server being killed
mid-flight, and be in a backup taken afterwards; a backup taken under write load must be
a consistent, migrated database holding everything acknowledged before it started.
"""

from __future__ import annotations

import http.client
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jalon import db as db_module
from jalon.settings import load_settings
from jalon.uow import Database
from tests.support.helpers import PASSWORD
from tests.support.processes import Http, Target, inspect_sqlite, serve

pytestmark = pytest.mark.slow

WRITERS = 4
WAIT = 60  # seconds: a deadline for a broken run, never reached when things work


@dataclass
class Load:
    """Writer threads creating products through the API until told to stop."""

    http: Http
    goal: int
    acked: dict[int, str] = field(default_factory=dict)
    unexpected: list[tuple[int, object]] = field(default_factory=list)
    cut_off: int = 0
    reached: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(WRITERS):
            thread = threading.Thread(target=self._write, args=(n,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _write(self, writer: int) -> None:
        i = 0
        while not self.stop.is_set():
            name = f"W{writer}-{i}"
            i += 1
            try:
                status, body = self.http.request("POST", "/api/v1/products", {"name": name})
            except ConnectionRefusedError:
                return  # the server is gone
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.cut_off += 1  # sent, and the server died before answering
                continue
            with self.lock:
                if status == 201 and body["name"] == name:
                    self.acked[body["id"]] = name
                    if len(self.acked) >= self.goal:
                        self.reached.set()
                else:
                    self.unexpected.append((status, body))

    def snapshot(self) -> dict[int, str]:
        with self.lock:
            return dict(self.acked)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(WAIT)
        assert not any(t.is_alive() for t in self.threads)
        assert self.unexpected == [], self.unexpected[:3]


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir with a user and an API token, made with the CLI once for the module."""
    target = Target("sqlite", tmp_path_factory.mktemp("durability") / "data")
    added = target.run("user", "add", "po@example.org", "--name", "Camille", input=PASSWORD)
    assert added.returncode == 0, added.stderr
    created = target.run("token", "create", "po@example.org")
    assert created.returncode == 0, created.stderr
    return target.data_dir, created.stdout.strip()


@pytest.fixture
def target(installation: tuple[Path, str], tmp_path: Path) -> Iterator[Target]:
    shutil.copytree(installation[0], tmp_path / "data")
    yield Target("sqlite", tmp_path / "data")


@pytest.fixture
def token(installation: tuple[Path, str]) -> str:
    return installation[1]


def _listed(port: int, token: str) -> dict[int, str]:
    status, body = Http(port, token).request("GET", "/api/v1/products")
    assert status == 200, body
    return {p["id"]: p["name"] for p in body}


def _assert_holds(found: dict[int, str], acked: dict[int, str]) -> None:
    missing = {pid: name for pid, name in acked.items() if found.get(pid) != name}
    assert missing == {}, f"{len(missing)} acknowledged products lost, e.g. {list(missing)[:5]}"


def test_acknowledged_writes_survive_sigkill_and_are_in_the_next_backup(
    target: Target, token: str, tmp_path: Path
) -> None:
    with serve(target) as server:
        load = Load(Http(server.port, token), goal=40)
        load.start()
        try:
            assert load.reached.wait(WAIT), "the server never acknowledged enough writes"
            server.kill()  # the writers are still sending
        finally:
            load.finish()
    acked = load.snapshot()
    assert len(acked) >= 40
    assert load.cut_off >= 1, "no request was in flight when the server was killed"

    backup_file = tmp_path / "after-crash.jalon"
    with serve(target) as server:
        found = _listed(server.port, token)
        _assert_holds(found, acked)
        status, _ = Http(server.port, token).request("POST", "/api/v1/products", {"name": "After"})
        assert status == 201
        done = target.run("backup", backup_file)
        assert done.returncode == 0, done.stderr

    report = inspect_sqlite(target.data_dir / "jalon.db")
    assert report.integrity == "ok"
    assert report.incomplete == [], "a product was half-written"
    _assert_holds(report.products, acked)

    restored = Target("sqlite", tmp_path / "restored")
    done = restored.run("restore", backup_file, "--yes")
    assert done.returncode == 0, done.stderr
    from_backup = inspect_sqlite(restored.data_dir / "jalon.db")
    assert from_backup.integrity == "ok"
    _assert_holds(from_backup.products, acked)
    assert from_backup.products == report.products


def test_backup_taken_under_write_load_is_consistent(
    target: Target, token: str, tmp_path: Path
) -> None:
    backup_file = tmp_path / "under-load.jalon"
    with serve(target) as server:
        load = Load(Http(server.port, token), goal=10)
        load.start()
        try:
            assert load.reached.wait(WAIT), "the server never acknowledged enough writes"
            acked_before = load.snapshot()
            done = target.run("backup", backup_file)
        finally:
            load.finish()
    assert done.returncode == 0, done.stderr

    report = inspect_sqlite(backup_file)
    assert report.integrity == "ok"
    assert report.incomplete == [], "the backup caught a half-written product"
    _assert_holds(report.products, acked_before)
    # Writes are serialised, so a consistent snapshot is a prefix of the commit order:
    # every product committed up to the backup's newest one, and nothing else.
    committed = load.snapshot()  # the server stayed up: every write got its answer
    newest = max(report.products)
    assert report.products == {pid: n for pid, n in committed.items() if pid <= newest}

    # It opens as a Jalon database with nothing left to migrate.
    check_dir = tmp_path / "check"
    check_dir.mkdir()
    shutil.copyfile(backup_file, check_dir / "jalon.db")
    database = Database(load_settings({}, overrides={"data_dir": check_dir, "secret_key": "t"}))
    try:
        assert db_module.pending_migrations(database.engine) == []
    finally:
        database.dispose()
