"""`jalon import` and `jalon export`, through the command in-process (the real process is
tests/cli/test_cli.py's subject), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from jalon import db as db_module
from jalon.backlog.models import Item
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.uow import Database
from tests.support.processes import Target

CSV = (
    "Issue key,Summary,Issue Type,Status,Epic Link\n"
    "A-1,Epic,Epic,To Do,\nA-2,Story,Story,Done,A-1\n"
)


def _product(target: Target) -> tuple[Database, int]:
    database = Database(target.settings())
    db_module.upgrade(database.engine)
    pid = products.create_product(database.uow(), actor=CLI_ACTOR, name="Atlas").id
    return database, pid


def _count(database: Database) -> int:
    with database.reader() as uow:
        return int(uow.session.scalar(select(func.count(Item.id))) or 0)


def _failed(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_import_dry_run_then_import_then_export_round_trip(target: Target, tmp_path: Path) -> None:
    database, pid = _product(target)
    source = tmp_path / "jira.csv"
    source.write_text(CSV, encoding="utf-8")
    dry = target.invoke("import", source, "--product", str(pid), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run of jira.csv (csv): 2 rows read; 2 new" in dry.stdout
    assert _count(database) == 0
    done = target.invoke("import", source, "--product", str(pid))
    assert done.returncode == 0 and "as import #" in done.stdout, done.stderr
    assert _count(database) == 2
    out = tmp_path / "atlas.json"
    exported = target.invoke("export", "--product", str(pid), "--format", "json", "--output", out)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [i["external_key"] for i in document["items"]] == ["A-1", "A-2"]
    csv_out = target.invoke("export", "--product", str(pid), "--format", "csv")
    assert csv_out.stdout.splitlines()[2].startswith("A-2,Story,Story,Done,,A-1")
    copy = products.create_product(database.uow(), actor=CLI_ACTOR, name="Copy").id
    restored = target.invoke("import", out, "--product", str(copy))
    assert restored.returncode == 0 and "(jalon)" in restored.stdout, restored.stderr
    assert _count(database) == 4
    database.dispose()


def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    sqlite_target: Target, tmp_path: Path
) -> None:
    database, pid = _product(sqlite_target)
    bad = tmp_path / "bad.csv"
    bad.write_text("Summary,Status\nFine,To Do\nOdd,Parked\n", encoding="utf-8")
    dry = sqlite_target.invoke("import", bad, "--product", str(pid), "--dry-run")
    _failed(dry, "1 row(s) cannot be imported", "line 3, Status: Unknown status 'Parked'")
    real = sqlite_target.invoke("import", bad, "--product", str(pid))
    _failed(real, "Nothing was imported", "line 3: Status: Unknown status 'Parked'")
    mapping = sqlite_target.invoke("import", bad, "--product", str(pid), "--mapping", "nope")
    _failed(mapping, "The mapping must be a JSON object")
    missing = sqlite_target.invoke("import", bad, "--product", "999")
    _failed(missing, "The product 999 does not exist")
    assert missing.returncode == 4
    unknown = sqlite_target.invoke("export", "--product", str(pid), "--format", "xml")
    assert unknown.returncode == 2 and "Invalid value for '--format'" in unknown.stderr
    assert _count(database) == 0
    database.dispose()
