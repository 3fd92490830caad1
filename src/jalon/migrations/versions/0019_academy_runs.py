"""scenario runs on sandbox products (the runs area fills it)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=False)


def _json(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.JSON(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "academy_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("scenario_key", sa.String(length=80), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("sprint", sa.Integer(), nullable=False),
        sa.Column("sprints", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _json("state"), _json("log"), _json("outcomes"), _json("item_map"), _json("scores"),
        sa.Column("ebm", sa.Float(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_academy_runs_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"],
                                name=op.f("fk_academy_runs_product_id_products"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academy_runs")),
    )  # fmt: skip
    with op.batch_alter_table("academy_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_academy_runs_product_id"), ["product_id"])
        batch_op.create_index("ix_academy_runs_user_created", ["user_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("academy_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_academy_runs_user_created")
        batch_op.drop_index(batch_op.f("ix_academy_runs_product_id"))
    op.drop_table("academy_runs")
