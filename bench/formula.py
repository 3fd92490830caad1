"""Rescore a backlog with a custom formula: `evaluate_many` over 100,000 items.

.venv/bin/python -m bench.formula            # or: --items 100000 --runs 5

Pure computation, no database: the figure is the time to score every item once the inputs
are in memory as one list per input (what the rescoring service holds after one query).
The issue's target for the whole rescore is 2 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from jalon.errors import Invalid
from jalon.prioritisation import formula as f

FORMULA = (
    "0.6 * (reach * impact * confidence) / effort"
    " + 0.4 * (business_value + time_criticality + risk_reduction) / max(job_size, 1)"
    " - if(risk > 7, log(risk), 0) + clamp(sqrt(value), 0, 10)"
)
INPUTS = (
    "reach",
    "impact",
    "confidence",
    "effort",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
    "risk",
    "value",
)
FIBONACCI = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)


def columns(items: int, seed: int = 2026) -> dict[str, list[float | None]]:
    """Realistic inputs; about 1% of items lack their effort and 0.1% have an effort of 0."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not secrets)
    effort: list[float | None] = [
        None if rng.random() < 0.01 else (0.0 if rng.random() < 0.001 else rng.choice(FIBONACCI))
        for _ in range(items)
    ]
    data: dict[str, list[float | None]] = {
        "reach": [float(rng.randint(0, 20_000)) for _ in range(items)],
        "impact": [rng.choice((0.25, 0.5, 1.0, 2.0, 3.0)) for _ in range(items)],
        "confidence": [rng.choice((0.5, 0.8, 1.0)) for _ in range(items)],
        "effort": effort,
        "risk": [float(rng.randint(0, 10)) for _ in range(items)],
        "value": [rng.uniform(0, 200) for _ in range(items)],
    }
    for name in ("business_value", "time_criticality", "risk_reduction", "job_size"):
        data[name] = [rng.choice(FIBONACCI) for _ in range(items)]
    return data


def median_seconds(run: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    formula = f.parse(FORMULA, allowed_names=set(INPUTS))
    data = columns(args.items)
    results = f.evaluate_many(formula, data)
    failed = sum(1 for r in results if r is None)
    many = median_seconds(lambda: f.evaluate_many(formula, data), args.runs)
    rows = [{n: data[n][i] for n in INPUTS} for i in range(min(args.items, 10_000))]
    one = median_seconds(lambda: [_one(formula, row) for row in rows], 1) / len(rows)
    reasons = median_seconds(lambda: f.failure_reasons(formula, data, results), args.runs)
    print(f"Formula: {FORMULA}")
    print(f"Items: {args.items:,} ({failed} without a score: missing or zero effort)")
    print(f"evaluate_many: {many * 1000:.0f} ms (median of {args.runs} runs)")
    print(f"failure_reasons for the {failed} failures: {reasons * 1000:.0f} ms")
    print(
        f"for comparison, Formula.evaluate item by item: {one * args.items:.2f} s "
        f"(timed on {len(rows):,} items)"
    )


def _one(formula: f.Formula, row: dict[str, float | None]) -> float | None:
    try:
        return formula.evaluate({k: v for k, v in row.items() if v is not None})
    except Invalid:
        return None


if __name__ == "__main__":
    main()
