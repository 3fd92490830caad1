"""A real `jalon serve` process on a free port, and the `jalon` command to seed its data.

Starting a server costs 10-15 s (importing the whole application), so the browser tests
share one per xdist worker (`live` in conftest.py): each module makes its own products and,
through `ApiSeed.user`, its own users with addresses no other module uses. Only tests that
need a special server (no account at all, for the first-run setup) start one of their own.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jalon.accounts import services
from jalon.permissions import CLI_ACTOR
from jalon.settings import load_settings
from jalon.uow import Database
from tests.support.processes import invoke

START_TIMEOUT = 120.0  # a deadline for a loaded machine, not a measure
PASSWORD = "correct horse battery"
ADMIN_EMAIL = "po@example.com"
ADMIN_NAME = "Paula Owner"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_users = itertools.count(1)


def _clean_env() -> dict[str, str]:
    """The test runner's JALON_* variables must not leak into the server or the CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JALON_")}
    env["JALON_LOG_LEVEL"] = "warning"
    return env


def jalon(data_dir: Path, *args: str, stdin: str = "") -> str:
    """Run the `jalon` command on `data_dir`, in this process (the CLI tests run the real
    one); return its stdout (fails the test on error)."""
    done = invoke("--data-dir", data_dir, *args, input=stdin)
    assert done.returncode == 0, f"jalon {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """One `jalon serve` subprocess on a free port, with its own data directory."""

    data_dir: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-server.log"

    def start(self) -> LiveServer:
        command = [sys.executable, "-m", "jalon", "serve", "--data-dir", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=_clean_env()
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            try:
                with NO_PROXY.open(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        output = self.log.read_text(errors="replace")
        print(output, file=sys.stderr)
        pytest.fail(f"jalon serve did not answer /healthz within {START_TIMEOUT:.0f} s:\n{output}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def live_server(
    tmp_path_factory: pytest.TempPathFactory, *, template: Path | None = None
) -> Iterator[LiveServer]:
    """Start a server on a fresh data directory: empty (the server migrates it as it starts,
    as on a first run), or a copy of the `template` database, migrated already."""
    data_dir = tmp_path_factory.mktemp("jalon-live") / "data"
    data_dir.mkdir()
    if template is not None:
        shutil.copyfile(template, data_dir / "jalon.db")
    server = LiveServer(data_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class ApiSeed:
    """A live server and an administrator's API token, to set data up through the API.

    `user` adds an account straight into the server's database (what `jalon user add`
    does, without a process of its own), under an address made unique for this server."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.server, self.token = server, token
        self._database: Database | None = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.server.url}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with NO_PROXY.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def product(self, name: str) -> int:
        return int(self.call("POST", "/products", {"name": name})["id"])

    @property
    def database(self) -> Database:
        """The server's own database, opened in the test process (for what the API cannot
        seed, such as a year of history or an Academy role)."""
        if self._database is None:
            settings = load_settings({}, overrides={"data_dir": str(self.server.data_dir)})
            self._database = Database(settings)
        return self._database

    def user(self, email: str, name: str, *, admin: bool = False) -> str:
        """Add a user whose address is `email` made unique (lea@x → lea-3@x); return it."""
        local, domain = email.split("@")
        unique = f"{local}-{next(_users)}@{domain}"
        services.create_user(
            self.database.uow(), email=unique, name=name, password=PASSWORD, is_admin=admin
        )
        return unique

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def admin_seed(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator[ApiSeed]:
    """A live server on a copy of `template` (no migration at start) with one administrator
    (ADMIN_EMAIL) and an API token of theirs, written in-process: two `jalon` processes
    fewer than `user add` and `token create`."""
    for server in live_server(tmp_path_factory, template=template):
        seed = ApiSeed(server, "")
        try:
            seed.token = _admin_token(seed.database)
            yield seed
        finally:
            seed.close()


def _admin_token(database: Database) -> str:
    services.create_user(
        database.uow(), email=ADMIN_EMAIL, name=ADMIN_NAME, password=PASSWORD, is_admin=True
    )
    _token, raw = services.create_api_token(
        database.uow(), actor=CLI_ACTOR, name="browser tests", user_email=ADMIN_EMAIL
    )
    return raw
