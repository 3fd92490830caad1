"""HTTP benchmark: a real `jalon serve` under concurrent load, on SQLite and PostgreSQL.

Measures latency percentiles and throughput of the pages and API calls a Product Owner's
day is made of, plus the server's memory. Run with `make bench` (or
`python -m bench.http_load --engine sqlite --seconds 10`); figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.pg import PostgresServer, free_port

PASSWORD = "bench passphrase 2026"  # noqa: S105 (a throw-away benchmark account)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _jalon(data_dir: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    out = subprocess.run(
        [sys.executable, "-m", "jalon", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout.strip()


@contextmanager
def server(engine: str, workers: int) -> Iterator[tuple[int, dict[str, str], Path]]:
    data_dir = Path(tempfile.mkdtemp(prefix="jalon-bench-"))
    env = {**os.environ, "JALON_LOG_LEVEL": "warning"}
    pg = None
    if engine == "postgresql":
        pg = PostgresServer()
        env["JALON_DATABASE_URL"] = pg.start()
    port = free_port()
    try:
        _jalon(data_dir, env, "db", "upgrade")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jalon",
                "serve",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        _wait(port)
        yield port, env, data_dir
        proc.terminate()
        proc.wait(timeout=30)
    finally:
        if pg is not None:
            pg.stop()


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _sign_in(conn: http.client.HTTPConnection) -> dict[str, str]:
    """Sign in like a browser; return the headers (cookies) of the session."""
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = response.getheader("set-cookie", "").split(";", 1)[0]
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    form = f"email=po%40bench.example&password={PASSWORD.replace(' ', '+')}&csrf_token={token}"
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Cookie": csrf_cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    session = response.getheader("set-cookie", "").split(";", 1)[0]
    if not session.startswith("jalon_session="):
        raise RuntimeError(f"sign-in failed: {response.status}")
    return {"Cookie": f"{csrf_cookie}; {session}"}


def load(
    name: str,
    port: int,
    make_request: Callable[[http.client.HTTPConnection, int], int],
    *,
    clients: int,
    seconds: float,
) -> Result:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(worker_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        n = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            status = make_request(conn, worker_id * 1_000_000 + n)
            mine.append((time.perf_counter() - started) * 1000)
            n += 1
            if status >= 400:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    q = statistics.quantiles(latencies, n=100)
    return Result(name, len(latencies), elapsed, q[49], q[94], q[98], errors[0])


def _rss_mib(port: int) -> float:
    """Total resident memory of the processes listening on the port (server + workers)."""
    out = subprocess.run(
        ["ps", "-eo", "rss,args"], capture_output=True, text=True, check=True
    ).stdout
    total = sum(
        int(line.split()[0])
        for line in out.splitlines()[1:]
        if "jalon serve" in line and f"--port {port}" in line
    )
    workers = sum(
        int(line.split()[0])
        for line in out.splitlines()[1:]
        if "multiprocessing" in line and "spawn" in line
    )
    return (total + workers) / 1024


def run(engine: str, *, workers: int, clients: int, seconds: float) -> dict[str, object]:
    with server(engine, workers) as (port, env, data_dir):
        _jalon(data_dir, env, "user", "add", "po@bench.example", "--admin", stdin=PASSWORD + "\n")
        token = _jalon(data_dir, env, "token", "create", "po@bench.example")
        _jalon(data_dir, env, "demo")
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port)
        browser = _sign_in(conn)
        for i in range(200):
            _call(
                conn,
                "POST",
                "/api/v1/products",
                bearer,
                json.dumps({"name": f"Seed {i}", "vision": "v" * 400}).encode(),
            )
        results = [
            load(
                "GET /api/v1/products/{id}",
                port,
                lambda c, n: _call(c, "GET", "/api/v1/products/1", bearer)[0],
                clients=clients,
                seconds=seconds,
            ),
            load(
                "GET /api/v1/products (201 products)",
                port,
                lambda c, n: _call(c, "GET", "/api/v1/products", bearer)[0],
                clients=clients,
                seconds=seconds,
            ),
            load(
                "POST /api/v1/products (write)",
                port,
                lambda c, n: _call(
                    c,
                    "POST",
                    "/api/v1/products",
                    bearer,
                    json.dumps({"name": f"Load {n}"}).encode(),
                )[0],
                clients=clients,
                seconds=seconds,
            ),
            load(
                "PATCH /api/v1/products/{id} (write)",
                port,
                lambda c, n: _call(
                    c,
                    "PATCH",
                    f"/api/v1/products/{2 + n % 200}",
                    bearer,
                    json.dumps({"product_goal": f"Goal {n}"}).encode(),
                )[0],
                clients=clients,
                seconds=seconds,
            ),
            load(
                "GET /products/{id} (HTML page)",
                port,
                lambda c, n: _call(c, "GET", "/products/1", browser)[0],
                clients=clients,
                seconds=seconds,
            ),
        ]
        rss = _rss_mib(port)
    return {
        "engine": engine,
        "workers": workers,
        "clients": clients,
        "rss_mib": rss,
        "results": [r.__dict__ | {"rps": r.rps} for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    report = run(args.engine, workers=args.workers, clients=args.clients, seconds=args.seconds)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
