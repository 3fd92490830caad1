"""Monte Carlo forecasts: speed, stability and calibration on real delivery histories.

    .venv/bin/python -m bench.forecast            # the figures for docs/benchmarks.md
    .venv/bin/python -m bench.forecast --quick    # reduced sizes: checks that it runs

1. Speed. "When will 1,000 items be done?" on an 84-day history of a team that finishes
   Poisson(3) items on weekdays and nothing at weekends (2.1 a day on average, so about
   475 simulated days per trial: a slow team is the hard case). Timed: the simulation
   (`montecarlo.days_until`), 10,000 trials, p50/p95 over 50 runs; the whole forecast
   (`rules.forecast_when`, with its 20-window calibration); 1,000,000 trials (3 runs). A
   plain Python loop of the same simulation (one trial at a time, one day at a time) is
   timed on 200 trials and scaled, for the ratio. Targets: p95 <= 20 ms; 1M <= 2 s.
2. Stability. For 100 and 1,000 items: the P85 of a 10,000-trial forecast, over 200 seeds,
   against a 1,000,000-trial reference: how often within +/- 1 day (target >= 99%).
3. Calibration. Each history in bench/data/ (see bench/forecast_data.py for the sources and
   the rule that chose them: all Debian uploads here, the 5 busiest uploaders and the 3
   busiest maintainer teams): walk forward over every non-overlapping 14- and 28-day window
   whose 84 days before hold at least 10 days with data; forecast "how many in the next H
   days" at 85% from those 84 days only, recalibrated on the windows before it only (as the
   product does, `calibration.backtest`), and count how often the actual count reached it
   (target 80-90%, for every history and both horizons).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from jalon.forecasting import calibration, montecarlo, rules

DATA = Path(__file__).resolve().parent / "data"
ITEMS = 1_000
WINDOW = 84
TODAY = date(2026, 1, 5)


def team_history(days: int = WINDOW, seed: int = 2026) -> list[int]:
    """Poisson(3) on weekdays, 0 on Saturdays and Sundays; `days` days ending on a Sunday."""
    rng = np.random.default_rng(seed)
    return [0 if i % 7 in (5, 6) else int(rng.poisson(3)) for i in range(days)]


def timed(run: Callable[[], object], repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run: CPU time says what a busy machine hides."""
    times = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def python_loop(pool: list[int], remaining: int, trials: int, seed: int = 1) -> list[int]:
    """The same simulation, plainly: draw a day of the history until the items are done."""
    rnd = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
    result = []
    for _ in range(trials):
        done = days = 0
        while done < remaining:
            done += pool[rnd.randrange(len(pool))]
            days += 1
        result.append(days)
    return result


def speed(runs: int, million_runs: int, loop_trials: int) -> None:
    pool = team_history()
    history = _history_of(pool)

    def simulate(trials: int) -> Callable[[], object]:
        rng = np.random.default_rng(7)
        return lambda: montecarlo.days_until(pool, ITEMS, trials=trials, rng=rng, max_days=3650)

    simulate(10_000)()  # warm up numpy
    sim = timed(simulate(10_000), runs)
    whole = timed(
        lambda: rules.forecast_when(history, ITEMS, today=TODAY, rng=np.random.default_rng(3)),
        runs,
    )
    million = timed(simulate(1_000_000), million_runs)
    loop = timed(lambda: python_loop(pool, ITEMS, loop_trials), 1)[0][0] / loop_trials
    print(f"History: {WINDOW} days, mean {np.mean(pool):.2f} items a day; {ITEMS} items.\n")
    print("| measure | trials | runs | p50 (ms) | p95 (ms) | p95 CPU (ms) "
          "| plain Python loop, scaled (s) | speed-up |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for label, trials, times in (
        ("simulation", 10_000, sim),
        ("whole forecast, with calibration", 10_000, whole),
        ("simulation", 1_000_000, million),
    ):
        wall = [t * 1000 for t, _cpu in times]
        cpu = [c * 1000 for _t, c in times]
        scaled = loop * trials
        print(
            f"| {label} | {trials:,} | {len(times)} | {statistics.median(wall):.1f} "
            f"| {p95(wall):.1f} | {p95(cpu):.1f} | {scaled:.1f} "
            f"| {scaled * 1000 / statistics.median(wall):.0f}x |"
        )
    print(f"\nThe loop was timed on {loop_trials} trials: {loop * 1e3:.2f} ms a trial.\n")


def _history_of(pool: list[int]) -> rules.History:
    start = date.fromordinal(TODAY.toordinal() - len(pool))
    dates = [date.fromordinal(start.toordinal() + i) for i, n in enumerate(pool) for _ in range(n)]
    return rules.build_history(dates, start=start, end=date.fromordinal(TODAY.toordinal() - 1))


def stability(seeds: int, reference_trials: int) -> None:
    pool = team_history()
    print("| items | reference P85 (days) | seeds | within +/- 1 day | share |")
    print("|---|---|---|---|---|")
    for items in (100, ITEMS):
        reference_days = montecarlo.days_until(
            pool, items, trials=reference_trials, rng=np.random.default_rng(0), max_days=3650
        )
        reference = montecarlo.upper_quantile(reference_days, 0.85)
        close = 0
        for seed in range(1, seeds + 1):
            days = montecarlo.days_until(
                pool, items, trials=10_000, rng=np.random.default_rng(seed), max_days=3650
            )
            close += abs(montecarlo.upper_quantile(days, 0.85) - reference) <= 1
        print(f"| {items} | {reference} | {seeds} | {close} | {close / seeds:.1%} |")
    print(f"\nReference: {reference_trials:,} trials, seed 0; each seed runs 10,000 trials.\n")


def read_history(path: Path) -> tuple[list[date], list[int]]:
    with path.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [date.fromisoformat(r["date"]) for r in rows], [int(r["count"]) for r in rows]


def calibrate(limit: int | None) -> None:
    print("| history | days | from | to | mean a day | horizon | windows | held | rate |")
    print("|---|---|---|---|---|---|---|---|---|")
    within = checked = 0
    for path in sorted(DATA.glob("*.csv")):
        days, counts = read_history(path)
        for horizon in (14, 28):
            earliest = calibration.earliest_origin(counts, window=WINDOW)
            if earliest is None:
                continue
            count = (len(counts) - horizon - earliest) // horizon + 1
            count = min(count, limit) if limit else count
            result = calibration.backtest(
                counts, window=WINDOW, horizon=horizon, rng=np.random.default_rng(85),
                dates=days, count=count,
            )  # fmt: skip
            held, windows = result.hit_rate or (0, 0)
            rate = f"{held / windows:.0%}" if windows else "-"
            checked += 1
            within += bool(windows) and 0.8 <= held / windows <= 0.9
            print(
                f"| {path.stem} | {len(counts)} | {days[0]} | {days[-1]} "
                f"| {np.mean(counts):.2f} | {horizon} | {windows} | {held} | {rate} |"
            )
    print(
        f"\n{within} of {checked} (history, horizon) pairs within 80-90%. Windows whose 84 days "
        "before hold fewer than 10 days with data are skipped (the product gives an "
        "explanation instead of a number there).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced sizes, to check it runs")
    args = parser.parse_args()
    quick = bool(args.quick)
    print("## Speed\n")
    speed(
        runs=10 if quick else 50, million_runs=1 if quick else 3, loop_trials=20 if quick else 200
    )
    print("## Stability\n")
    stability(seeds=20 if quick else 200, reference_trials=100_000 if quick else 1_000_000)
    print("## Calibration\n")
    calibrate(limit=10 if quick else None)


if __name__ == "__main__":
    main()
