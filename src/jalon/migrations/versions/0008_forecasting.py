"""forecasting: excluded days, and an index of done items by date

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_excluded_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "day"),
    )
    op.create_index(
        "ix_forecast_excluded_days_product_id", "forecast_excluded_days", ["product_id"]
    )
    # the throughput history reads done items of a product by date
    op.create_index("ix_items_product_done_at", "items", ["product_id", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_items_product_done_at", table_name="items")
    op.drop_index("ix_forecast_excluded_days_product_id", table_name="forecast_excluded_days")
    op.drop_table("forecast_excluded_days")
