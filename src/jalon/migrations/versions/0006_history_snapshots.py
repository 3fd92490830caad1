"""history snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "item_snapshots",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("sprint_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "item_id", "valid_from"),
    )
    op.create_index("ix_item_snapshots_product_day", "item_snapshots", ["product_id", "valid_from"])
    op.create_table(
        "item_snapshot_heads",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("sprint_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("doing_since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "item_id"),
    )
    op.create_table(
        "snapshot_days",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("taken_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "day"),
    )
    for table, owner, target in (
        ("daily_status", "product_id", "products.id"),
        ("daily_sprint_status", "sprint_id", "sprints.id"),
    ):
        op.create_table(
            table,
            sa.Column(owner, sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("status", sa.String(length=30), nullable=False),
            sa.Column("items", sa.Integer(), nullable=False),
            sa.Column("points", sa.Float(), nullable=False),
            sa.ForeignKeyConstraint([owner], [target], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint(owner, "day", "status"),
        )
    op.create_table(
        "completions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("cycle_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_completions_product_done",
        "completions",
        ["product_id", "done_on", "type", "cycle_days"],
    )


def downgrade() -> None:
    op.drop_index("ix_completions_product_done", table_name="completions")
    op.drop_table("completions")
    op.drop_table("daily_sprint_status")
    op.drop_table("daily_status")
    op.drop_table("snapshot_days")
    op.drop_table("item_snapshot_heads")
    op.drop_index("ix_item_snapshots_product_day", table_name="item_snapshots")
    op.drop_table("item_snapshots")
