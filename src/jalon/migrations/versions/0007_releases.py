"""releases: versions, their scope, readiness checklist and notes; release settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "release_settings",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("public_changelog", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("notes_language", sa.String(length=5), nullable=False),
        sa.Column("notes_generated_at", jalon.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("released_at", jalon.db.UTCDateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("release_warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "name"),
    )
    op.create_index("ix_releases_product_id", "releases", ["product_id"])
    op.create_table(
        "release_items",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("open_item_id", sa.Integer(), nullable=True),
        sa.Column("added_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "item_id"),
        sa.UniqueConstraint("open_item_id"),
    )
    op.create_index("ix_release_items_item_id", "release_items", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_release_items_item_id", table_name="release_items")
    op.drop_table("release_items")
    op.drop_index("ix_releases_product_id", table_name="releases")
    op.drop_table("releases")
    op.drop_table("release_settings")
