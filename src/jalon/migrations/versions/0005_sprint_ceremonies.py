"""sprint settings (length, capacity unit, WIP limits) and days off per member per sprint

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sprint_settings",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("length_days", sa.Integer(), nullable=False),
        sa.Column("capacity_unit", sa.String(length=10), nullable=False),
        sa.Column("wip_limits", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_table(
        "sprint_days_off",
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["sprint_id"], ["sprints.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sprint_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("sprint_days_off")
    op.drop_table("sprint_settings")
