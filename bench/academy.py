"""The Academy's simulation: does it reward good Product Ownership, and is it fast and exact?

    .venv/bin/python -m bench.academy            # 200 seeds per scenario (docs/benchmarks.md)
    .venv/bin/python -m bench.academy --quick    # 20 seeds: checks that it runs

For every built-in scenario (src/jalon/academy/scenarios/*.yaml), over seeds 0..N-1:
1. value-effort vs random: the share of seeds where the policy that orders by value over
   effort and refines before committing beats the random one on the EBM composite
   (target >= 95%).
2. yes-to-all vs guarded: mean stakeholder trust and mean value realised; the policy that
   accepts every mid-sprint scope change must lose both.
3. Speed: every `resolve_sprint` of the value-effort runs timed (validation and resolution;
   the policy's own thinking excluded), p50 and p95 in ms (target p95 <= 50 ms).
4. Replay: each value-effort run of the first 20 seeds (10 sprints or the scenario's length)
   replayed from its decisions log; the final state and every outcome compared with
   `to_dict()` (target: all identical).
"""

from __future__ import annotations

import argparse
import statistics
import time

from jalon.academy.sim import engine, policies
from jalon.academy.sim.engine import Decisions
from jalon.academy.sim.scenario import Scenario, list_scenarios
from jalon.academy.sim.state import State


def _run(
    scenario: Scenario, policy: policies.Policy, seed: int, times: list[float] | None = None
) -> tuple[State, list[Decisions], list[engine.SprintOutcome]]:
    state, log, outcomes = engine.new_run(scenario, seed), [], []
    for _ in range(scenario.sprints):
        decisions = policy(scenario, state)
        start = time.perf_counter()
        state, outcome = engine.resolve_sprint(scenario, state, decisions)
        if times is not None:
            times.append((time.perf_counter() - start) * 1000)
        log.append(decisions)
        outcomes.append(outcome)
    return state, log, outcomes


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _ebm(state: State) -> float:
    return engine.ebm_score(state.scores)


def compare(scenario: Scenario, seeds: int) -> dict[str, float]:
    times: list[float] = []
    good = [_run(scenario, policies.value_effort, s, times) for s in range(seeds)]
    rand = [policies.play(scenario, policies.random_policy, s) for s in range(seeds)]
    yes = [policies.play(scenario, policies.yes_to_all, s) for s in range(seeds)]
    guarded = [policies.play(scenario, policies.guarded, s) for s in range(seeds)]
    wins = sum(_ebm(g[0]) > _ebm(r) for g, r in zip(good, rand, strict=True))
    replays = [
        engine.replay(scenario, seed, log[:10])
        for seed, (_state, log, _outcomes) in enumerate(good[:20])
    ]
    identical = sum(
        again.to_dict() == _run_prefix(scenario, seed, log[:10]).to_dict()
        and [o.to_dict() for o in again_outcomes] == [o.to_dict() for o in outcomes[:10]]
        for seed, ((again, again_outcomes), (_s, log, outcomes)) in enumerate(
            zip(replays, good[:20], strict=True)
        )
    )
    return {
        "seeds": seeds,
        "wins": wins / seeds,
        "ebm_good": statistics.fmean(_ebm(g[0]) for g in good),
        "ebm_random": statistics.fmean(_ebm(r) for r in rand),
        "trust_yes": statistics.fmean(s.scores["trust"] for s in yes),
        "trust_guarded": statistics.fmean(s.scores["trust"] for s in guarded),
        "value_yes": statistics.fmean(s.realised for s in yes),
        "value_guarded": statistics.fmean(s.realised for s in guarded),
        "p50": statistics.median(times),
        "p95": _p95(times),
        "replays": len(replays),
        "identical": identical,
    }


def _run_prefix(scenario: Scenario, seed: int, log: list[Decisions]) -> State:
    """The original run's state after the logged sprints (played again, sprint by sprint)."""
    state = engine.new_run(scenario, seed)
    for decisions in log:
        state, _outcome = engine.resolve_sprint(scenario, state, decisions)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 seeds, to check it runs")
    args = parser.parse_args()
    seeds = 20 if args.quick else 200
    print(
        "| scenario | seeds | value-effort beats random | EBM value-effort / random "
        "| trust yes-to-all / guarded | value yes-to-all / guarded | resolve p50 / p95 (ms) "
        "| replays identical |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scenario in list_scenarios():
        r = compare(scenario, seeds)
        print(
            f"| {scenario.key} | {seeds} | {r['wins']:.1%} "
            f"| {r['ebm_good']:.1f} / {r['ebm_random']:.1f} "
            f"| {r['trust_yes']:.1f} / {r['trust_guarded']:.1f} "
            f"| {r['value_yes']:.0f} / {r['value_guarded']:.0f} "
            f"| {r['p50']:.2f} / {r['p95']:.2f} | {r['identical']}/{r['replays']} |"
        )


if __name__ == "__main__":
    main()
