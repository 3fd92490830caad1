"""the index of done items by date holds only done items

A full index on items(product_id, done_at) was taken by PostgreSQL's planner for reads of a
whole product's backlog in rank order, making the JSON export three times slower.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = sa.text("done_at IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_items_product_done_at", table_name="items")
    op.create_index(
        "ix_items_product_done_at",
        "items",
        ["product_id", "done_at"],
        postgresql_where=DONE,
        sqlite_where=DONE,
    )


def downgrade() -> None:
    op.drop_index("ix_items_product_done_at", table_name="items")
    op.create_index("ix_items_product_done_at", "items", ["product_id", "done_at"])
