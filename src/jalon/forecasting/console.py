"""`jalon forecast`: the same Monte Carlo forecast as the page and the API, in a terminal."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click


@click.command("forecast")
@click.option("--product", "product_id", type=int, required=True, help="Product id.")
@click.option("--items", help="When: a number of items, or item ids such as '#12,#15'.")
@click.option("--epic", "epic_id", help="When: the open items under this epic (its id).")
@click.option("--date", "day", help="How many items by this date, YYYY-MM-DD.")
@click.option("--trials", help="Simulated futures, 100 to 1,000,000 (default 10,000).")
@click.option("--seed", help="The same seed always gives the same result.")
@click.option("--window", help="Days of history, ending yesterday (default 84).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.pass_context
def forecast(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """Forecast when N items (or an epic, or items) will be done, or how many by a date."""
    from jalon import cli

    cli._handle_errors(_run)(ctx, as_json, options)


def _values(options: dict[str, Any]) -> dict[str, str]:
    from jalon.errors import N_, Invalid

    asked = [name for name in ("items", "epic_id", "day") if options.get(name)]
    if len(asked) != 1:
        raise Invalid(N_("Give exactly one of --items, --epic or --date."), field="items")
    values = {k: str(v) for k, v in options.items() if v is not None and k != "product_id"}
    values["mode"] = "how_many" if options.get("day") else "when"
    values["date"] = values.pop("day", "")
    return values


def _run(ctx: click.Context, as_json: bool, options: dict[str, Any]) -> None:
    from jalon import cli
    from jalon.forecasting import inputs, queries
    from jalon.forecasting.schemas import ForecastOut
    from jalon.permissions import CLI_ACTOR

    request = inputs.parse_request(_values(options))
    database = cli._database(cli._settings(ctx))
    result = queries.run_forecast(
        database.reader(), actor=CLI_ACTOR, product_id=options["product_id"], request=request
    )
    out = ForecastOut.of(result, str)
    if as_json:
        click.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    click.echo("\n".join(lines(out)))


def _when(value: date | None) -> str:
    return value.isoformat() if value else "-"


def lines(out: Any) -> list[str]:
    """The forecast in a few lines of plain text."""
    h = out.history
    head = (
        f"When will {out.scope.label} be done?"
        if out.scope is not None
        else f"How many items by {out.date} ({out.horizon_days} days from today)?"
    )
    text = [
        head,
        f"History: {h.start} to {h.end}, {h.done} items done, {h.days_with_data} days with data,"
        f" {h.excluded_days} days left out; {out.trials} trials.",
    ]
    if out.percentiles is None:
        return [*text, str(out.explanation)]
    for p in out.percentiles:
        if p.items is None:
            text.append(f"  P{p.level}: {_when(p.date)} (day {p.days})")
        else:
            text.append(f"  P{p.level}: at least {p.items} items")
    sentence = out.calibration.sentence if out.calibration else "Calibration: not checked."
    return [*text, sentence]
