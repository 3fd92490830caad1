"""How the `jalon import` command reports a dry run or an import, as lines of text."""

from __future__ import annotations

from jalon.errors import translate
from jalon.transfer.rules import Report


def summary(report: Report, *, dry_run: bool) -> str:
    counts = (
        f"{report.rows} rows read; {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    if dry_run:
        return f"Dry run of {report.source} ({report.format}): {counts}. Nothing was written."
    return f"Imported {report.source} ({report.format}) as import #{report.batch_id}: {counts}."


def problems(report: Report) -> list[str]:
    lines = [f"line {p.line}, {p.column}: {translate(p.message, str)}" for p in report.problems]
    hidden = report.problem_count - len(report.problems)
    if hidden > 0:
        lines.append(f"... and {hidden} more.")
    return lines
