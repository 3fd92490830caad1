"""`jalon feedback import FILE --product ID`: feedback from a CSV file, an .eml message or
an mbox mailbox, with a dry run that shows how each row or message will be read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click


@click.group("feedback")
def feedback() -> None:
    """Feedback inbox: imports from files."""


@feedback.command("import")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--product", "product_id", type=int, required=True, help="Product id.")
@click.option("--dry-run", is_flag=True, help="Show how every row will be read; write nothing.")
@click.option(
    "--mapping",
    default=None,
    help="CSV columns, as field=Column,… (fields: text, received_at, customer, author_email, "
    "author_name, rating, external_key); guessed from the header when left out.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["auto", "csv", "email"]),
    default="auto",
    help="csv, or email (.eml or mbox); auto goes by the extension and the content.",
)
@click.pass_context
def import_command(ctx: click.Context, /, **options: Any) -> None:
    """Import feedback from FILE: a CSV file, an .eml message or an mbox mailbox. Rows or
    messages already imported (same key, Message-ID) are updated, not duplicated."""
    from jalon import cli

    cli._handle_errors(_run)(ctx, options)


def _is_csv(path: Path, file_format: str) -> bool:
    if file_format != "auto":
        return file_format == "csv"
    return path.suffix.lower() in (".csv", ".tsv", ".txt")


def _rows(path: Path, options: dict[str, Any]) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The source and the (label, raw values) of the file's rows or messages, after showing
    how each will be read (and refusing the file when any cannot be)."""
    from jalon.db import utcnow
    from jalon.errors import N_, Invalid
    from jalon.feedback import csvimport, mail

    if not path.is_file():
        raise Invalid(N_("No such file: {path}."), field="file", path=str(path))
    if _is_csv(path, options["file_format"]):
        mapping = csvimport.parse_mapping(options["mapping"]) if options["mapping"] else None
        with path.open("rb") as stream:
            found = csvimport.read(stream, mapping, now=utcnow())
        click.echo("Columns: " + ", ".join(f"{k} ← {v}" for k, v in found.mapping.items()))
        return "csv", [(f"line {r.line}", r.raw) for r in found.rows]
    return "email", list(mail.read_messages(path))


def _show(rows: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], int]:
    """One line per row: how it reads, or what is wrong with it."""
    from jalon.db import utcnow
    from jalon.errors import Invalid
    from jalon.feedback import rules

    lines, bad = [], 0
    for label, raw in rows:
        try:
            clean = rules.clean_row(raw, now=utcnow())
        except Invalid as error:
            bad += 1
            problems = "; ".join(f"{k}: {v}" for k, v in error.render_fields().items())
            lines.append(f"{label}: ERROR {problems}")
            continue
        when = clean["received_at"].date().isoformat() if clean["received_at"] else "today"
        who = clean["customer"] or clean["author_email"] or clean["author_name"] or "-"
        lines.append(f"{label}: {when} · {who} · {rules.quote(clean['text'], 70)}")
    lines.append(f"{len(rows) - bad} row(s) can be imported, {bad} cannot.")
    return lines, bad


def _run(ctx: click.Context, options: dict[str, Any]) -> None:
    from jalon import cli
    from jalon.feedback import services
    from jalon.permissions import CLI_ACTOR

    path: Path = options["path"]
    source, rows = _rows(path, options)
    if options["dry_run"]:
        lines, bad = _show(rows)
        click.echo("\n".join([*lines, "Dry run: nothing was written."]))
        if bad:
            sys.exit(2)  # as an import of this file would (invalid input)
        return
    database = cli._database(cli._settings(ctx))
    written = services.import_feedback(
        database.uow(), actor=CLI_ACTOR, product_id=options["product_id"], rows=rows,
        source=source, label=path.name,
    )  # fmt: skip
    click.echo(f"Imported {path.name}: {len(written.created)} new, {len(written.updated)} updated.")
