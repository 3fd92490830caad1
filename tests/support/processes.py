"""Run the real `jalon` command and server in subprocesses, and make throw-away databases.

Used by the CLI tests and the failure, durability and backup tests: `jalon` and `serve` run
real processes, so what they check is what an operator gets. `invoke` (and `Target.invoke`)
runs the same click command in this process instead, for the tests whose subject is what a
command does rather than the process: a new interpreter costs 2-10 s of imports per call.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import create_engine, text

from jalon import db as db_module
from jalon.settings import Settings, ensure_secret, load_settings
from jalon.uow import Database
from tests.support.pg import free_port

_databases = itertools.count()


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without any JALON_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JALON_")}
    env.update(extra or {})
    return env


def jalon(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m jalon ARGS` and return its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "jalon", *map(str, args)],
        env=clean_env(env),
        input=input if input is not None else "",
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def invoke(
    *args: str | Path, env: Mapping[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`jalon ARGS` through click's CliRunner, in this process: the same exit code, stdout
    and stderr as the real command, with the JALON_* environment of `env` alone. An
    exception the command does not handle fails the test instead of becoming exit code 1.

    The databases the command opens are disposed of afterwards, as the end of its process
    would (the commands leave that to the exit)."""
    from click.testing import CliRunner

    from jalon import cli

    opened: list[Database] = []

    def database(settings: Settings, *, migrate: bool = True) -> Database:
        opened.append(real(settings, migrate=migrate))
        return opened[-1]

    real = cli._database
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("JALON_")}
    try:
        with mock.patch.object(cli, "_database", database):
            result = CliRunner().invoke(
                cli.main,
                [str(arg) for arg in args],
                input=input or "",
                env={**cleared, **(env or {})},
                catch_exceptions=False,
                prog_name="jalon",
            )
    finally:
        for db in opened:
            db.dispose()
    return subprocess.CompletedProcess(
        ["jalon", *map(str, args)], result.exit_code, result.stdout, result.stderr
    )


def create_pg_database(pg_url: str, prefix: str = "jalon_proc") -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    name = f"{prefix}_{os.getpid()}_{next(_databases)}"
    admin = create_engine(db_module.normalise_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


@dataclass
class Target:
    """One Jalon installation: a data directory and, for PostgreSQL, a database URL."""

    kind: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str | Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """The real `jalon` command, in a new process."""
        return jalon("--data-dir", self.data_dir, *args, env=self.env, input=input)

    def invoke(
        self, *args: str | Path, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The same command in this process (see `invoke`)."""
        return invoke("--data-dir", self.data_dir, *args, env=self.env, input=input)

    def settings(self) -> Settings:
        return ensure_secret(load_settings(self.env, overrides={"data_dir": self.data_dir}))


def make_target(kind: str, data_dir: Path, pg_url: str | None = None) -> Target:
    if kind == "postgresql":
        assert pg_url is not None
        return Target(kind, data_dir, {"JALON_DATABASE_URL": create_pg_database(pg_url)})
    return Target(kind, data_dir)


class Http:
    """A tiny JSON client on http.client: one connection per call, so a killed server
    shows up as a connection error on exactly the requests that were in flight."""

    def __init__(self, port: int, token: str = "", timeout: float = 30) -> None:
        self.port, self.token, self.timeout = port, token, timeout

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:  # not JSON (a bare 500, say): the text, for the assertion message
            return response.status, data.decode(errors="replace")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_healthy(server: Server, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jalon serve exited early:\n{server.log.read_text()}")
        try:
            if Http(server.port, timeout=2).request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)  # polling for readiness, not an assertion
    raise RuntimeError(f"jalon serve did not answer /healthz in time:\n{server.log.read_text()}")


@contextmanager
def serve(target: Target, *, startup_s: float = 60) -> Iterator[Server]:
    """`jalon serve` on a free port, ready when /healthz answers; stopped afterwards."""
    port = free_port()
    log = target.data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jalon",
                "serve",
                "--data-dir",
                str(target.data_dir),
                "--port",
                str(port),
            ],
            env=clean_env({**target.env, "JALON_LOG_LEVEL": "warning"}),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        _wait_healthy(server, startup_s)
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SqliteReport:
    """What a SQLite database file holds, read with the sqlite3 module alone."""

    integrity: str
    products: dict[int, str]
    incomplete: list[int]  # products missing their first stage transition or activity entry
    revision: str | None


def inspect_sqlite(path: Path) -> SqliteReport:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        products = dict(conn.execute("SELECT id, name FROM products"))
        incomplete = [
            row[0]
            for row in conn.execute(
                "SELECT p.id FROM products p WHERE NOT EXISTS"
                " (SELECT 1 FROM stage_transitions t WHERE t.product_id = p.id)"
                " OR NOT EXISTS (SELECT 1 FROM activity a WHERE a.product_id = p.id"
                " AND a.action = 'products.product.created')"
            )
        ]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    return SqliteReport(integrity, products, incomplete, revision)
