"""A real `jalon serve` process on a free port, and the `jalon` command to seed its data."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 30.0
PASSWORD = "correct horse battery"
ADMIN_EMAIL = "po@example.com"
ADMIN_NAME = "Paula Owner"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _clean_env() -> dict[str, str]:
    """The test runner's JALON_* variables must not leak into the server or the CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JALON_")}
    env["JALON_LOG_LEVEL"] = "warning"
    return env


def jalon(data_dir: Path, *args: str, stdin: str = "") -> str:
    """Run the `jalon` command on `data_dir`; return its stdout (fails the test on error)."""
    done = subprocess.run(
        [sys.executable, "-m", "jalon", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"jalon {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def add_user(
    data_dir: Path, email: str, *, name: str = "", admin: bool = False, password: str = PASSWORD
) -> None:
    """`jalon user add` reads the password from stdin when stdin is not a terminal."""
    extra = ["--admin"] if admin else []
    jalon(data_dir, "user", "add", email, "--name", name, *extra, stdin=password + "\n")


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
    tmp_path_factory: pytest.TempPathFactory, *, users: tuple[tuple[str, str, bool], ...] = ()
) -> Iterator[LiveServer]:
    """Start a server on a fresh data directory holding `users` (email, name, admin).

    The first `user add` migrates the database and writes the secret key; the other users
    are added while the server boots, which saves a second per user.
    """
    data_dir = tmp_path_factory.mktemp("jalon-live") / "data"
    data_dir.mkdir()
    if users:
        email, name, admin = users[0]
        add_user(data_dir, email, name=name, admin=admin)
    server = LiveServer(data_dir)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            seeding = [
                pool.submit(add_user, data_dir, email, name=name, admin=admin)
                for email, name, admin in users[1:]
            ]
            server.start()
            for done in seeding:
                done.result()
        yield server
    finally:
        server.stop()


class ApiSeed:
    """A live server and an administrator's API token, to set data up through the API."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.server, self.token = server, token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.server.url}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")


def admin_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiSeed]:
    """A live server with one administrator, and an API token of theirs (for a fixture)."""
    for server in live_server(tmp_path_factory, users=((ADMIN_EMAIL, ADMIN_NAME, True),)):
        token = jalon(server.data_dir, "token", "create", ADMIN_EMAIL).strip()
        yield ApiSeed(server, token)
