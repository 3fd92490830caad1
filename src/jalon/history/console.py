"""`jalon snapshot`: take the daily history snapshot (for cron; see docs/configuration.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import click


def _parse_day(raw: str | None, today: date) -> date:
    from jalon.errors import Invalid

    if raw is None:
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("Give the date as YYYY-MM-DD.", field="date") from None


@click.command("snapshot")
@click.option("--product", "product_id", type=int, help="Product id (default: every product).")
@click.option("--date", "day", help="The day to snapshot, YYYY-MM-DD (default: yesterday, UTC).")
@click.pass_context
def snapshot(ctx: click.Context, product_id: int | None, day: str | None) -> None:
    """Snapshot every item's state for the charts (once a day, just after midnight UTC)."""
    from jalon import cli

    cli._handle_errors(_run)(ctx, product_id, day)


def _run(ctx: click.Context, product_id: int | None, raw_day: str | None) -> None:
    from jalon import cli
    from jalon.history import queries, services
    from jalon.permissions import CLI_ACTOR

    database = cli._database(cli._settings(ctx))
    try:
        today = queries.today_utc()
        ids: Any = [product_id] if product_id is not None else None
        results = services.take_snapshots(
            database,
            actor=CLI_ACTOR,
            day=_parse_day(raw_day, today),
            today=today,
            product_ids=ids,
        )
    finally:
        database.dispose()
    for r in results:
        if r.already_taken:
            click.echo(f"Product {r.product_id}: the snapshot of {r.day} was taken already.")
        else:
            click.echo(
                f"Product {r.product_id}: snapshot of {r.day} taken; {r.items} items, "
                f"{r.changed} changed, {r.completed} done."
            )
    if not results:
        click.echo("No product to snapshot.")
