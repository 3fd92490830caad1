"""The `jalon` command, run for real in subprocesses (the demo in-process), on SQLite and on
PostgreSQL.

Each test checks what an operator sees (exit code, stdout, stderr) and what the command
did to the database, read back in-process through the same services and queries.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from jalon import db as db_module
from jalon.accounts import services as accounts
from jalon.accounts.models import User
from jalon.app import create_app
from jalon.cli import main
from jalon.demo import DEMO_NAME
from jalon.products import services as products
from jalon.products.models import Product
from jalon.settings import SECRET_FILE, SETTING_NAMES
from jalon.uow import Database
from tests.support.helpers import PASSWORD, actor, make_user
from tests.support.processes import Target, jalon

APPLIED_RE = re.compile(r"Applied (\d+) migration\(s\)")


def _failed(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """A refused command: non-zero exit, every expected phrase on stderr, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    for phrase in expected:
        assert phrase in result.stderr, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _database(target: Target, *, migrate: bool = False) -> Database:
    database = Database(target.settings())
    if migrate:
        db_module.upgrade(database.engine)
    return database


def _user_count(database: Database) -> int:
    with database.reader() as uow:
        return int(uow.session.scalar(select(func.count(User.id))) or 0)


# db upgrade ----------------------------------------------------------------------------


def test_db_upgrade_creates_the_database_and_a_private_secret_and_can_run_again(
    target: Target,
) -> None:
    first = _ok(target.run("db", "upgrade"))
    applied = APPLIED_RE.search(first)
    assert applied and int(applied.group(1)) >= 1, first

    secret = target.data_dir / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    key = secret.read_text()
    assert len(key) >= 32
    if target.kind == "sqlite":
        assert (target.data_dir / "jalon.db").is_file()

    database = _database(target)
    try:
        assert db_module.pending_migrations(database.engine) == []
        assert {"users", "products", "alembic_version"} <= set(
            inspect(database.engine).get_table_names()
        )
        make_user(database, "kept@example.org")

        again = _ok(target.run("db", "upgrade"))
        assert APPLIED_RE.search(again) and "Applied 0 migration(s)" in again, again
        assert secret.read_text() == key, "the secret key must never be regenerated"
        assert _user_count(database) == 1
    finally:
        database.dispose()


# demo ----------------------------------------------------------------------------------


def test_demo_shows_the_admin_password_once_and_it_signs_in(target: Target) -> None:
    # In-process: the demo's seeding is the cost here (20 s of CPU); a new interpreter would
    # add its imports twice per engine, and the other tests run the real process.
    first = _ok(target.invoke("demo"))
    email = re.search(r"e-mail:\s+(\S+)", first)
    password = re.search(r"password:\s+(\S+)", first)
    assert email and password, first

    second = _ok(target.invoke("demo"))
    assert "password" not in second.lower() and password.group(1) not in second
    assert "already exists" in second

    settings = target.settings()
    database = Database(settings)
    try:
        user, session_token = accounts.sign_in(
            database.uow(), email=email.group(1), password=password.group(1), settings=settings
        )
        assert user.is_admin and session_token
        with database.reader() as uow:
            count = uow.session.scalar(
                select(func.count(Product.id)).where(Product.name == DEMO_NAME)
            )
        assert count == 1
    finally:
        database.dispose()


# user add ------------------------------------------------------------------------------


def test_user_add_reads_the_password_from_stdin_and_refuses_a_duplicate(target: Target) -> None:
    out = _ok(
        target.run(
            "user", "add", " Ada@Example.org", "--name", "Ada", "--admin", input=PASSWORD + "\r\n"
        )
    )
    assert "ada@example.org" in out and "administrator" in out

    duplicate = target.run("user", "add", "ada@example.org", input="another pass phrase\n")
    _failed(duplicate, "A user with this e-mail already exists.")

    settings = target.settings()
    database = Database(settings)
    try:
        assert _user_count(database) == 1
        user, _raw = accounts.sign_in(
            database.uow(), email="ada@example.org", password=PASSWORD, settings=settings
        )
        assert (user.name, user.is_admin) == ("Ada", True)
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("email", "password", "messages"),
    [
        (
            "not-an-email",
            "short",
            ("email: Enter a valid e-mail address", "password: Use at least 10 characters."),
        ),
        ("bob@example.org", "", ("password: Use at least 10 characters.",)),
    ],
    ids=["invalid-email-and-short-password", "empty-stdin"],
)
def test_user_add_refuses_bad_input_and_creates_nothing(
    sqlite_target: Target, email: str, password: str, messages: tuple[str, ...]
) -> None:
    result = sqlite_target.run("user", "add", email, input=password + "\n" if password else "")
    _failed(result, "Some fields need your attention.", *messages)
    assert result.stdout == ""
    database = _database(sqlite_target, migrate=True)
    try:
        assert _user_count(database) == 0
    finally:
        database.dispose()


# token create --------------------------------------------------------------------------


def test_token_create_prints_one_working_bearer_token(target: Target) -> None:
    settings = target.settings()
    database = _database(target, migrate=True)
    po = make_user(database, "po@example.org")
    products.create_product(database.uow(), actor=actor(po), name="Atlas")
    make_user(database, "other@example.org")
    database.dispose()

    out = _ok(target.run("token", "create", "PO@example.org", "--name", "ci"))
    lines = out.splitlines()
    assert len(lines) == 1 and out.endswith("\n"), out
    token = lines[0]
    assert token.startswith("jal_") and token == token.strip()

    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/products", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        assert [(p["name"], p["role"]) for p in response.json()] == [("Atlas", "owner")]
        forged = client.get("/api/v1/products", headers={"Authorization": f"Bearer {token}x"})
        assert forged.status_code == 401

    unknown = target.run("token", "create", "nobody@example.org")
    _failed(unknown, "No user has the e-mail nobody@example.org.")
    assert unknown.stdout == ""


# config show ---------------------------------------------------------------------------


def test_config_show_prints_every_setting_with_env_over_toml_over_defaults(
    tmp_path: Path,
) -> None:
    toml = tmp_path / "jalon.toml"
    toml.write_text(
        '[jalon]\nport = 9000\nhost = "0.0.0.0"\nlog_level = "debug"\n'
        'secret_key = "toml-secret-value"\ndata_dir = "from-toml"\n'
    )
    env = {
        "JALON_PORT": "9100",
        "JALON_SESSION_DAYS": "3",
        "JALON_DATA_DIR": str(tmp_path / "from-env"),
        "JALON_DATABASE_URL": "postgresql://jalon:db-password@db.example/jalon",
    }
    flag_dir = tmp_path / "from-flag"
    as_json = jalon("--config", toml, "--data-dir", flag_dir, "config", "show", "--json", env=env)
    values = json.loads(_ok(as_json))
    assert list(values) == list(SETTING_NAMES)
    assert values["port"] == 9100  # env over TOML
    assert values["session_days"] == 3  # env over default
    assert (values["host"], values["log_level"]) == ("0.0.0.0", "debug")  # TOML over default
    assert (values["workers"], values["default_language"]) == (1, "en")  # defaults
    assert values["data_dir"] == str(flag_dir)  # command-line option over env over TOML
    assert values["secret_key"] == "********"
    assert values["database_url"] == "postgresql://jalon:***@db.example/jalon"

    # The same through JALON_CONFIG and a file with top-level keys, printed as lines.
    top_level = tmp_path / "top.toml"
    top_level.write_text('host = "0.0.0.0"\nsecret_key = "toml-secret-value"\n')
    text = _ok(jalon("config", "show", env={**env, "JALON_CONFIG": str(top_level)}))
    lines = dict(line.split(" = ", 1) for line in text.splitlines())
    assert list(lines) == list(SETTING_NAMES)
    assert lines["host"] == '"0.0.0.0"' and lines["port"] == "9100"
    assert lines["secret_key"] == '"********"'
    assert "toml-secret-value" not in text + as_json.stdout
    assert "db-password" not in text + as_json.stdout
    assert not flag_dir.exists(), "config show must not create the data directory"


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ('port = "9000\n', {}, "is not valid TOML"),
        ("[jalon]\nprot = 9000\n", {}, "unknown setting(s) in"),
        ("", {"JALON_PORT": "eighty"}, "port must be a whole number, not 'eighty'"),
    ],
    ids=["malformed-toml", "unknown-key", "bad-integer-env"],
)
def test_config_show_refuses_bad_configuration(
    tmp_path: Path, config: str, env: dict[str, str], message: str
) -> None:
    toml = tmp_path / "jalon.toml"
    toml.write_text(config)
    result = jalon("--config", toml, "config", "show", env=env, cwd=tmp_path)
    _failed(result, message)
    if "unknown" in message:
        assert "prot" in result.stderr
    assert result.stdout == ""


# --help --------------------------------------------------------------------------------


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


EXPECTED_COMMANDS = {
    ("serve",),
    ("demo",),
    ("user", "add"),
    ("token", "create"),
    ("db", "upgrade"),
    ("backup",),
    ("restore",),
    ("config", "show"),
}


def test_help_of_every_command(tmp_path: Path) -> None:
    paths = _command_paths(main)
    assert set(paths) >= EXPECTED_COMMANDS
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(main, [*path, "--help"], prog_name="jalon")
        assert result.exit_code == 0, (path, result.output)
        assert result.output.startswith(f"Usage: jalon {' '.join(path)}".rstrip()), result.output

    # And through the real entry point, which must not touch the disk to print help.
    top = jalon("--help", cwd=tmp_path)
    for name in ("serve", "demo", "user", "token", "db", "backup", "restore", "config"):
        assert re.search(rf"^\s+{name}\s", _ok(top), re.MULTILINE), top.stdout
    assert "--workers" in _ok(jalon("serve", "--help", cwd=tmp_path))
    # Showing the configuration is a read too: no data directory, no secret key file.
    shown = json.loads(_ok(jalon("config", "show", "--json", cwd=tmp_path)))
    assert shown["data_dir"] == "jalon-data" and shown["secret_key"] != ""
    assert list(tmp_path.iterdir()) == []
