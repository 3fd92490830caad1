"""A process that uses one area's services, without loading the web app, still has every
table that area's models point to (items.sprint_id -> sprints, ...): scripts, benchmarks
and cron jobs work like the server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from jalon import db as db_module
from jalon.backlog import services as backlog
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.settings import load_settings
from jalon.uow import Database

SCRIPT = """
import sys
from pathlib import Path
from jalon.backlog import services
from jalon.permissions import CLI_ACTOR
from jalon.settings import load_settings
from jalon.uow import Database
db = Database(load_settings({}, overrides={"data_dir": Path(sys.argv[1])}))
where = services.Placement(to="top")
moved = services.move_item(db.uow(), actor=CLI_ACTOR, item_id=int(sys.argv[2]), where=where)
print("moved", moved.id)
"""


def test_backlog_services_work_in_a_process_that_only_imports_them(tmp_path: Path) -> None:
    database = Database(load_settings({}, overrides={"data_dir": tmp_path}))
    db_module.upgrade(database.engine)
    pid = products.create_product(database.uow(), actor=CLI_ACTOR, name="Fresh").id
    for title in ("First", "Second"):
        item = backlog.create_item(
            database.uow(), actor=CLI_ACTOR, product_id=pid, values={"title": title}
        )
    database.dispose()
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(tmp_path), str(item.id)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"moved {item.id}"
