"""Run every benchmark and print the figures as Markdown for docs/benchmarks.md.

make bench        # or: .venv/bin/python -m bench.run --seconds 10
"""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime

from bench import http_load

CASES = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2))


def _machine() -> str:
    cpus = os.cpu_count()
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kib = int(fh.readline().split()[1])
    return (
        f"{platform.machine()}, {cpus} cores, {mem_kib / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    print(
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  \nMachine: {_machine()}  \n"
        f"Load: {args.clients} concurrent keep-alive clients, {args.seconds:.0f} s per case\n"
    )
    print("| engine | workers | request | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    memory = []
    for engine, workers in CASES:
        report = http_load.run(engine, workers=workers, clients=args.clients, seconds=args.seconds)
        memory.append((engine, workers, report["rss_mib"]))
        for r in report["results"]:  # type: ignore[attr-defined]
            print(
                f"| {engine} | {workers} | {r['name']} | {r['rps']:.0f} | {r['p50_ms']:.1f} "
                f"| {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
            )
    print("\n| engine | workers | server memory (RSS, MiB) |\n|---|---|---|")
    for engine, workers, rss in memory:
        print(f"| {engine} | {workers} | {rss:.0f} |")


if __name__ == "__main__":
    main()
