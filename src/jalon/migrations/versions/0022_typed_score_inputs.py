"""item scores keep their numeric inputs in typed columns as well as in JSON

`input_1` to `input_4` are generated columns: the database fills each one in from `inputs`,
with the n-th numeric input of the row's built-in model (RICE: reach, impact, confidence,
effort; ICE: impact, confidence, ease; WSJF: business value, time criticality, risk
reduction, job size; value/effort: value, effort), or NULL. Rescoring a backlog with a custom
formula reads them instead of parsing every row's JSON. Every writer of `item_scores` keeps
writing `inputs` only.

- PostgreSQL: STORED (computed on write; a rescore reads plain float8 columns).
- SQLite: VIRTUAL (computed on read, as the JSON was; SQLite cannot add a stored column).

The expressions are frozen here; `jalon.prioritisation.models.typed_input_sql` writes the
same ones for the models' metadata.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INPUTS: dict[str, tuple[str, ...]] = {
    "rice": ("reach", "impact", "confidence", "effort"),
    "ice": ("impact", "confidence", "ease"),
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "job_size"),
    "value_effort": ("value", "effort"),
}
COLUMNS = ("input_1", "input_2", "input_3", "input_4")


def _number(dialect: str, name: str) -> str:
    if dialect == "postgresql":
        return (
            f"CASE WHEN json_typeof(inputs -> '{name}') = 'number' "
            f"THEN (inputs ->> '{name}')::double precision ELSE NULL END"
        )
    path = f"'$.{name}'"
    return (
        f"CASE WHEN json_type(inputs, {path}) IN ('integer', 'real') "
        f"THEN json_extract(inputs, {path}) ELSE NULL END"
    )


def _expression(dialect: str, position: int) -> str:
    cases = " ".join(
        f"WHEN '{model}' THEN {_number(dialect, names[position])}"
        for model, names in INPUTS.items()
        if position < len(names)
    )
    return f"CASE model {cases} ELSE NULL END"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for position, name in enumerate(COLUMNS):
        computed = sa.Computed(_expression(dialect, position), persisted=dialect == "postgresql")
        op.add_column("item_scores", sa.Column(name, sa.Float(), computed, nullable=True))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("item_scores", name)
