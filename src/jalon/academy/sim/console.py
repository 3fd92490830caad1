"""`jalon academy ...` commands of this area; `academy/console.py` registers COMMANDS.

- `jalon academy simulate`: plays a built-in policy over seeds 0..N-1 and prints statistics.
- `jalon academy validate-scenario FILE`: checks a scenario file against the schema.
- `jalon academy schema`: prints the JSON Schema of a scenario file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from jalon.academy.sim import policies, scoring
from jalon.academy.sim.scenario import (
    ScenarioError,
    list_scenarios,
    load_scenario,
    parse_scenario,
    scenario_json_schema,
)
from jalon.academy.sim.stats import simulate as run_simulation


@click.command("simulate")
@click.option("--scenario", "scenario_key", required=True, help="A built-in scenario's key.")
@click.option(
    "--policy",
    required=True,
    type=click.Choice(sorted(policies.POLICIES)),
    help="The policy that plays.",
)
@click.option("--seeds", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--sprints", type=click.IntRange(1, 30), help="Stop after this many sprints.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def simulate(
    scenario_key: str, policy: str, seeds: int, sprints: int | None, as_json: bool
) -> None:
    """Play a policy over seeds 0..N-1 and print the mean, median and 5th percentile of
    every score and of the EBM composite."""
    try:
        scenario = load_scenario(scenario_key)
    except KeyError:
        known = ", ".join(s.key for s in list_scenarios())
        raise click.BadParameter(f"no scenario {scenario_key!r} (known: {known})") from None
    summary = run_simulation(scenario, policies.POLICIES[policy], seeds=seeds, sprints=sprints)
    if as_json:
        click.echo(json.dumps({"scenario": scenario.key, "policy": policy, "seeds": seeds,
                               "scores": summary}, indent=2))  # fmt: skip
        return
    click.echo(f"{scenario.key} / {policy} / {seeds} seeds")
    click.echo(f"{'score':<22}{'mean':>8}{'median':>8}{'p5':>8}")
    for key, stats in summary.items():
        label = scoring.LABELS.get(key, key)
        click.echo(f"{label:<22}{stats['mean']:>8.1f}{stats['median']:>8.1f}{stats['p5']:>8.1f}")


@click.command("validate-scenario")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_scenario(path: Path) -> None:
    """Check a scenario file against the schema; print every problem and exit 1 on any."""
    try:
        scenario = parse_scenario(path.read_text(encoding="utf-8"))
    except ScenarioError as exc:
        for message in exc.messages:
            click.echo(message, err=True)
        click.echo(f"{len(exc.messages)} problem(s).", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{scenario.key}: {scenario.sprints} sprints, {len(scenario.opportunities)} "
        f"opportunities, {len(scenario.events)} events, {len(scenario.feedback)} feedback texts."
    )


@click.command("schema")
def schema() -> None:
    """Print the JSON Schema of a scenario file."""
    click.echo(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False))


COMMANDS: tuple[click.Command, ...] = (simulate, validate_scenario, schema)
