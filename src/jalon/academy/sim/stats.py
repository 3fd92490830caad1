"""Statistics of a policy over many seeds (for `jalon academy simulate` and the benchmark)."""

from __future__ import annotations

import statistics

import numpy as np

from jalon.academy.sim import scoring
from jalon.academy.sim.policies import Policy, play
from jalon.academy.sim.scenario import Scenario


def final_scores(
    scenario: Scenario, policy: Policy, *, seeds: int, sprints: int | None = None
) -> list[dict[str, float]]:
    """The final scores of each seed 0..seeds-1, with the EBM composite as "ebm"."""
    results = []
    for seed in range(seeds):
        scores = dict(play(scenario, policy, seed, sprints).scores)
        scores["ebm"] = scoring.ebm_score(scores)
        results.append(scores)
    return results


def summarise(results: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean, median and 5th percentile of every score."""
    return {
        key: {
            "mean": round(statistics.fmean(r[key] for r in results), 2),
            "median": round(statistics.median(r[key] for r in results), 2),
            "p5": round(float(np.percentile([r[key] for r in results], 5)), 2),
        }
        for key in results[0]
    }


def simulate(
    scenario: Scenario, policy: Policy, *, seeds: int, sprints: int | None = None
) -> dict[str, dict[str, float]]:
    return summarise(final_scores(scenario, policy, seeds=seeds, sprints=sprints))
