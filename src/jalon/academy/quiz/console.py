"""`jalon academy ...` commands of this area; `academy/console.py` registers COMMANDS."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jalon.academy.quiz import bank, rules, services, stats
from jalon.errors import JalonError
from jalon.permissions import CLI_ACTOR
from jalon.uow import Database


@click.command("validate-bank")
@click.option(
    "--path",
    "path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A directory of <topic>.yaml files (default: the built-in bank).",
)
def validate_bank(path: Path | None) -> None:
    """Check the question bank: print the questions per topic and every defect."""
    parsed = bank.load_dir(path or bank.BUILTIN_DIR)
    counts = parsed.per_topic()
    for topic in rules.TOPICS:
        click.echo(f"{topic:<30} {counts.get(topic, 0):>4}")
    click.echo(f"{'total':<30} {sum(counts.values()):>4}")
    for defect in parsed.defects:
        click.echo(str(defect), err=True)
    if parsed.defects:
        click.echo(f"{len(parsed.defects)} defect(s).", err=True)
        raise SystemExit(1)
    click.echo("No defect.")


FORMAT = click.Choice(["yaml", "gift"])


def _database(ctx: click.Context) -> Database:
    from jalon import cli  # the CLI imports this module: import it late

    return cli._database(cli._settings(ctx))


def _fail(exc: JalonError) -> None:
    click.echo(f"Error: {exc.render()}", err=True)
    for value in exc.render_fields().values():
        click.echo(value, err=True)
    raise SystemExit(exc.exit_code)


@click.command("import-bank")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT, default=None, help="Default: from the extension.")
@click.option("--dry-run", is_flag=True, help="Check the file and count, write nothing.")
@click.pass_context
def import_bank(ctx: click.Context, file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import questions from a YAML bank file or a Moodle GIFT file (all or nothing)."""
    fmt = fmt or ("gift" if file.suffix.lower() in (".gift", ".txt") else "yaml")
    database = _database(ctx)
    try:
        report = services.import_bank(
            database.uow(), actor=CLI_ACTOR, text=file.read_text(encoding="utf-8-sig"),
            fmt=fmt, source=file.name, dry_run=dry_run,
        )  # fmt: skip
    except JalonError as exc:
        _fail(exc)
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")  # fmt: skip


@click.command("export-bank")
@click.option("--format", "fmt", type=FORMAT, default="yaml", show_default=True)
@click.option("--topic", type=click.Choice(list(rules.TOPICS)), default=None)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.pass_context
def export_bank(ctx: click.Context, fmt: str, topic: str | None, output: str | None) -> None:
    """Export the question bank (built-in and imported) as YAML or Moodle GIFT."""
    database = _database(ctx)
    try:
        text = stats.export_bank(database.reader(), actor=CLI_ACTOR, fmt=fmt, topic=topic)
    except JalonError as exc:
        _fail(exc)
        return
    with click.open_file(output or "-", "w", encoding="utf-8") as out:
        out.write(text)


@click.command("bank-schema")
def bank_schema() -> None:
    """Print the JSON Schema of a question bank file (the rules beyond it: validate-bank)."""
    click.echo(json.dumps(bank.BankFile.model_json_schema(), indent=2))


COMMANDS: tuple[click.Command, ...] = (validate_bank, import_bank, export_bank, bank_schema)
