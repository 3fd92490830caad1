"""`jalon academy validate-bank`, `import-bank` and `export-bank` (in process, SQLite)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from jalon.academy.quiz import bank
from jalon.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures" / "academy_bank"


def test_validate_bank_counts_per_topic_and_passes_a_good_bank() -> None:
    result = CliRunner().invoke(main, ["academy", "validate-bank", "--path", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "empiricism                        3" in result.output
    assert "total                             3" in result.output


def test_validate_bank_prints_every_defect_and_fails(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "empiricism.yaml", tmp_path / "empiricism.yaml")
    broken = (
        (FIXTURES / "empiricism.yaml").read_text().replace("correct: true", "correct: false", 1)
    )
    (tmp_path / "events.yaml").write_text(broken.replace("topic: empiricism", "topic: events"))
    result = CliRunner().invoke(main, ["academy", "validate-bank", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "events.yaml:12 [empiricism-fx-01] options: no correct option" in result.output
    assert "events.yaml:3 [empiricism-fx-01] id: must be 'events-NN'" in result.output
    assert "duplicate id (first in empiricism.yaml)" in result.output


def test_import_then_export_the_bank(tmp_path: Path) -> None:
    runner, data = CliRunner(), ["--data-dir", str(tmp_path / "data")]
    source = FIXTURES / "empiricism.yaml"
    dry = runner.invoke(main, [*data, "academy", "import-bank", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would import: 3 created" in dry.output
    done = runner.invoke(main, [*data, "academy", "import-bank", str(source)])
    assert "Imported: 3 created, 0 updated, 0 unchanged." in done.output
    out = tmp_path / "empiricism.gift"
    exported = runner.invoke(main, [*data, "academy", "export-bank", "--format", "gift",
                                    "--topic", "empiricism", "--output", str(out)])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    again = runner.invoke(main, [*data, "academy", "import-bank", str(out)])
    assert "0 created, 0 updated" in again.output, again.output  # all come back unchanged
    mine = {q.id for _, q in bank.load_dir(FIXTURES).questions}
    assert all(f"::{qid}::" in out.read_text() for qid in mine)
    bad = tmp_path / "bad.gift"
    bad.write_text("::empiricism-fx-09::No answers here\n")
    failed = runner.invoke(main, [*data, "academy", "import-bank", str(bad)])
    assert failed.exit_code == 2
    assert "bad.gift:1" in failed.output and "nothing was imported" in failed.output


def test_bank_schema_describes_a_bank_file() -> None:
    result = CliRunner().invoke(main, ["academy", "bank-schema"])
    schema = json.loads(result.output)
    assert schema["required"] == ["topic", "questions"]
    question = schema["$defs"]["Question"]
    assert question["properties"]["type"]["enum"] == ["single", "multiple", "true_false"]
    assert question["properties"]["difficulty"]["maximum"] == 3
