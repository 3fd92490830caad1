"""items indexed by product and status; item scores leave room for in-place updates

- `ix_items_product_status`: the aging chart and the tallies per status read the items of
  one product in given statuses; without it they scan the whole backlog.
- PostgreSQL only: `item_scores` is rewritten whole by every rescore. With free space left
  in each page (fillfactor 70), an update can stay on its page and skip the index writes
  (a HOT update).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 08:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_items_product_status", "items", ["product_id", "status"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE item_scores SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE item_scores RESET (fillfactor)")
    op.drop_index("ix_items_product_status", table_name="items")
