"""The `jalon` command. Every command builds settings once and calls the same services.

The database layers (SQLAlchemy, Alembic) are imported by the commands that use them, so
`--help` and `config show` answer at once.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from jalon.academy import console as academy_console
from jalon.errors import Invalid, JalonError
from jalon.feedback.console import feedback as feedback_commands
from jalon.forecasting.console import forecast as forecast_command
from jalon.history.console import snapshot as history_snapshot
from jalon.settings import SECRET_FILE, SETTING_NAMES, Settings, ensure_secret, load_settings
from jalon.signals.console import watch as watch_group
from jalon.themes.console import themes as themes_group

if TYPE_CHECKING:
    from jalon.uow import Database

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Bad input ends with a clear message on stderr and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JalonError as exc:
            fields = "".join(
                f"\n  {k}: {v}" for k, v in exc.render_fields().items() if v != exc.render()
            )
            click.echo(f"Error: {exc.render()}{fields}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _settings(ctx: click.Context, *, create_secret: bool = True, **overrides: object) -> Settings:
    base: dict[str, object] = ctx.obj or {}
    merged = {**base, **{k: v for k, v in overrides.items() if v is not None}}
    config = merged.pop("config", None)
    settings = load_settings(config_file=Path(str(config)) if config else None, overrides=merged)
    return ensure_secret(settings) if create_secret else settings


def _database(settings: Settings, *, migrate: bool = True) -> Database:
    from jalon import db as db_module
    from jalon.uow import Database

    database = Database(settings)
    if migrate:
        db_module.upgrade(database.engine)
    return database


@click.group()
@click.option("--config", type=click.Path(dir_okay=False), help="TOML configuration file.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Data directory.")
@click.version_option(package_name="jalon")
@click.pass_context
def main(ctx: click.Context, config: str | None, data_dir: str | None) -> None:
    """Jalon: product management from idea to retirement."""
    ctx.obj = {"config": config, "data_dir": data_dir}


@main.command()
@click.option("--host", help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Data directory.")
@click.option("--workers", type=int, help="Worker processes (PostgreSQL only).")
@click.pass_context
@_handle_errors
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    data_dir: str | None,
    workers: int | None,
) -> None:
    """Apply pending migrations, then serve the web interface and API."""
    import uvicorn

    settings = _settings(ctx, host=host, port=port, data_dir=data_dir, workers=workers)
    database = _database(settings, migrate=settings.migrate_on_start)
    database.dispose()
    for name, value in settings.public_dict().items():
        if name not in ("secret_key", "database_url"):
            os.environ[f"JALON_{name.upper()}"] = str(value)
    os.environ["JALON_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["JALON_SECRET_KEY"] = settings.secret_key
    if settings.database_url:
        os.environ["JALON_DATABASE_URL"] = settings.database_url
    os.environ.pop("JALON_CONFIG", None)
    click.echo(f"Jalon listens on http://{settings.host}:{settings.port}", err=True)
    uvicorn.run(
        "jalon.cli:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
    )


def app_from_environment() -> Any:
    """Uvicorn's factory for each worker: settings come from the JALON_* environment.

    The objects built at start-up (modules, routes, then every compiled template) live as
    long as the server: `gc.freeze()` takes them out of the garbage collector's full passes,
    which otherwise walk them all and show as the slowest requests. Templates compile in a
    background thread, so the server answers at once, and are frozen when done."""
    import gc
    import threading

    from jalon.app import create_app

    app = create_app(load_settings())
    gc.collect()
    gc.freeze()
    threading.Thread(target=_warm_up, name="jalon-warm-up", daemon=True).start()
    return app


def _warm_up() -> None:
    import gc

    from jalon import web

    web.compile_templates()
    gc.collect()
    gc.freeze()


@main.command()
@click.pass_context
@_handle_errors
def demo(ctx: click.Context) -> None:
    """Create the administrator (if none) and the demo product (idempotent)."""
    from jalon.demo import create_demo

    database = _database(_settings(ctx))
    result = create_demo(database)
    if result.admin_password:
        click.echo("Administrator account created. This password is shown only once:")
        click.echo(f"  e-mail:   {result.admin_email}")
        click.echo(f"  password: {result.admin_password}")
    verb = "created" if result.created else "already exists"
    click.echo(f"Demo product {verb}: /products/{result.product_id}")


@main.group()
def user() -> None:
    """Manage user accounts."""


@user.command("add")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.pass_context
@_handle_errors
def user_add(ctx: click.Context, email: str, name: str, admin: bool) -> None:
    """Create a user. The password is read from stdin when it is not a terminal."""
    from jalon.accounts import services

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    database = _database(_settings(ctx))
    created = services.create_user(
        database.uow(), email=email, name=name, password=password, is_admin=admin
    )
    click.echo(
        f"User {created.email} created (id {created.id}{', administrator' if admin else ''})."
    )


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@click.pass_context
@_handle_errors
def token_create(ctx: click.Context, email: str, name: str) -> None:
    """Print one new API token for the user on stdout."""
    from jalon.accounts import services
    from jalon.permissions import CLI_ACTOR

    database = _database(_settings(ctx))
    _tok, raw = services.create_api_token(
        database.uow(), actor=CLI_ACTOR, name=name, user_email=email
    )
    click.echo(raw)


@main.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@click.pass_context
@_handle_errors
def db_upgrade(ctx: click.Context) -> None:
    """Apply pending migrations."""
    from jalon import db as db_module

    database = _database(_settings(ctx), migrate=False)
    pending = db_module.pending_migrations(database.engine)
    db_module.upgrade(database.engine)
    click.echo(f"Applied {len(pending)} migration(s); the database is up to date.")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
@_handle_errors
def backup_cmd(ctx: click.Context, file: str) -> None:
    """Write a consistent copy of the database to FILE, even while the server runs."""
    from jalon import backup as backup_module

    size = backup_module.backup(_settings(ctx, create_secret=False), Path(file))
    click.echo(f"Backup written to {file} ({size} bytes).")


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@_handle_errors
def restore_cmd(ctx: click.Context, file: str, yes: bool) -> None:
    """Replace the database's content with the backup FILE (stop the server first)."""
    from jalon import backup as backup_module

    if not yes:
        if not sys.stdin.isatty():
            raise Invalid("restore replaces the whole database; add --yes to confirm", field="yes")
        click.confirm("This replaces everything in the current database. Continue?", abort=True)
    settings = _settings(ctx)
    backup_module.restore(settings, Path(file))
    _database(settings)  # a backup from an older release is migrated forward
    click.echo(f"Restored {file}.")


@main.group("config")
def config_group() -> None:
    """Configuration."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML-like lines.")
@click.pass_context
@_handle_errors
def config_show(ctx: click.Context, as_json: bool) -> None:
    """Print the effective configuration (the secret key is masked)."""
    settings = _settings(ctx, create_secret=False)  # a read: it creates no directory or file
    values = settings.public_dict()
    if not settings.secret_key:
        secret_file = settings.data_dir / SECRET_FILE
        values["secret_key"] = (
            "********" if secret_file.is_file() else f"(generated at first start in {secret_file})"
        )
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    for name in SETTING_NAMES:
        click.echo(f"{name} = {json.dumps(values[name])}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--product", "product_id", type=int, required=True, help="Product id.")
@click.option("--dry-run", is_flag=True, help="Show how each row reads; write nothing.")
@click.option(
    "--format", "file_format", type=click.Choice(["csv", "trello", "github", "jalon"]),
    help="The file's format (default: recognised from its content).",
)  # fmt: skip
@click.option("--mapping", help="JSON: CSV column -> field, or Trello list -> status.")
@click.pass_context
@_handle_errors
def import_cmd(
    ctx: click.Context, file: str, product_id: int, dry_run: bool,
    file_format: str | None, mapping: str | None,
) -> None:  # fmt: skip
    """Import a CSV (Jira), Trello, GitHub issues or Jalon export FILE into a backlog."""
    from jalon.permissions import CLI_ACTOR
    from jalon.transfer import console, services
    from jalon.transfer.api import parse_mapping

    database = _database(_settings(ctx))
    with Path(file).open("rb") as stream:
        report = services.import_file(
            database.reader() if dry_run else database.uow(), actor=CLI_ACTOR,
            product_id=product_id, stream=stream, filename=Path(file).name,
            file_format=file_format, mapping=parse_mapping(mapping), dry_run=dry_run,
        )  # fmt: skip
    click.echo(console.summary(report, dry_run=dry_run))
    if not report.ok:
        click.echo(f"Error: {report.problem_count} row(s) cannot be imported:", err=True)
        click.echo("\n".join(console.problems(report)), err=True)
        sys.exit(Invalid.exit_code)


@main.command("export")
@click.option("--product", "product_id", type=int, required=True, help="Product id.")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: the whole product, lossless; csv: the backlog.",
)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.pass_context
@_handle_errors
def export_cmd(ctx: click.Context, product_id: int, export_format: str, output: str | None) -> None:
    """Export a product as JSON (to import elsewhere) or its backlog as CSV."""
    from jalon.permissions import CLI_ACTOR
    from jalon.transfer import queries

    database = _database(_settings(ctx))
    _name, chunks = queries.export_product(
        database.reader(), actor=CLI_ACTOR, product_id=product_id, export_format=export_format
    )
    with click.open_file(output or "-", "w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(chunk)
    if output:
        click.echo(f"Exported product {product_id} to {output} ({export_format}).", err=True)


@main.group("search")
def search_group() -> None:
    """The full-text search index."""


@search_group.command("rebuild")
@click.option("--product", "product_id", type=int, help="Product id (default: every product).")
@click.pass_context
@_handle_errors
def search_rebuild(ctx: click.Context, product_id: int | None) -> None:
    """Index the backlog items again (after rows were changed outside Jalon)."""
    from jalon.listing import services
    from jalon.permissions import CLI_ACTOR

    database = _database(_settings(ctx))
    count = services.rebuild_search(database.uow(), actor=CLI_ACTOR, product_id=product_id)
    click.echo(f"Indexed {count} item(s).")


main.add_command(history_snapshot)
main.add_command(forecast_command)
main.add_command(feedback_commands)
main.add_command(watch_group)
main.add_command(themes_group)
main.add_command(academy_console.group())
