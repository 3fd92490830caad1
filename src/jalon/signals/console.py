"""`jalon watch fetch`: read the market-watch feeds (for cron; see docs/configuration.md)."""

from __future__ import annotations

import sys

import click


@click.group("watch")
def watch() -> None:
    """Market watch: the RSS and Atom feeds products follow."""


@watch.command("fetch")
@click.option("--product", "product_id", type=int, help="Product id (default: every product).")
@click.pass_context
def fetch(ctx: click.Context, product_id: int | None) -> None:
    """Fetch the active feeds now; new entries that match a watchlist become signals."""
    from jalon import cli

    cli._handle_errors(_run)(ctx, product_id)


def _run(ctx: click.Context, product_id: int | None) -> None:
    from jalon import cli
    from jalon.permissions import CLI_ACTOR
    from jalon.signals import rules, services

    database = cli._database(cli._settings(ctx))
    try:
        reports = services.fetch_feeds(database, actor=CLI_ACTOR, product_id=product_id)
    finally:
        database.dispose()
    for r in reports:
        where = f"Product {r.product_id}, feed {r.feed_id} ({r.name})"
        if r.error_code:
            reason = rules.error_message(r.error_code).format(detail=r.error_detail)
            click.echo(f"{where}: failed. {reason}")
        elif r.not_modified:
            click.echo(f"{where}: not modified.")
        else:
            click.echo(f"{where}: {r.new_entries} new entries, {r.new_signals} new signals.")
    if not reports:
        click.echo("No active feed to fetch.")
    if any(r.error_code for r in reports):
        sys.exit(1)
