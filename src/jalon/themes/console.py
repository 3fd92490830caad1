"""`jalon themes recluster`: group a product's feedback into themes, with a progress bar on
stderr (the same run as the themes page starts in the background)."""

from __future__ import annotations

import sys

import click


@click.group("themes")
def themes() -> None:
    """Themes of feedback: re-cluster a product's feedback."""


@themes.command("recluster")
@click.option("--product", "product_id", type=int, required=True, help="Product id.")
@click.pass_context
def recluster(ctx: click.Context, product_id: int) -> None:
    """Group all the product's feedback into themes again (people's corrections are kept)."""
    from jalon import cli

    cli._handle_errors(_run)(ctx, product_id)


def _bar(fraction: float, step: str) -> None:
    filled = round(30 * fraction)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {step:<12}")
    sys.stderr.flush()


def _run(ctx: click.Context, product_id: int) -> None:
    from jalon import cli
    from jalon.permissions import CLI_ACTOR
    from jalon.themes import runs

    database = cli._database(cli._settings(ctx))
    try:
        run = runs.recluster_now(database, actor=CLI_ACTOR, product_id=product_id, listener=_bar)
    finally:
        sys.stderr.write("\n")
        database.dispose()
    click.echo(
        f"Product {product_id}: {run.theme_count} themes from {run.feedback_count} feedback "
        f"({run.created_themes} new), model {run.model}."
    )
