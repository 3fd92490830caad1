"""JSON shapes of the import and export API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from jalon.errors import translate
from jalon.transfer.queries import ImportRow
from jalon.transfer.rules import Report


class RowProblem(BaseModel):
    line: int
    column: str
    message: str


class RowPreview(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    action: str
    key: str | None
    title: str
    type: str
    status: str
    estimate: float | None
    parent: str | None
    tags: list[str]


class ImportReport(BaseModel):
    """What an import did, or (dry run) would do: counts, the first rows, every problem."""

    dry_run: bool
    ok: bool
    format: str
    source: str
    import_id: int | None
    columns: dict[str, str]
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    unkeyed: int
    problem_count: int
    problems: list[RowProblem]
    preview: list[RowPreview]

    @classmethod
    def of(cls, report: Report, *, dry_run: bool, gettext: object = str) -> ImportReport:
        tr = gettext if callable(gettext) else str
        return cls(
            dry_run=dry_run,
            ok=report.ok,
            format=report.format,
            source=report.source,
            import_id=report.batch_id,
            columns=report.columns,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
            unkeyed=report.unkeyed,
            problem_count=report.problem_count,
            problems=[
                RowProblem(line=p.line, column=p.column, message=translate(p.message, tr))
                for p in report.problems
            ],
            preview=[RowPreview.model_validate(p) for p in report.preview],
        )


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    format: str
    filename: str
    created: int
    updated: int
    actor_label: str
    created_at: datetime
    undone_at: datetime | None
    undoable: bool

    @classmethod
    def of(cls, row: ImportRow) -> ImportOut:
        return cls.model_validate(row)
