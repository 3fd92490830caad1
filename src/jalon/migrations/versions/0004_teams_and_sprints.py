"""teams, sprints, sprint entries and the item's current sprint

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "name"),
    )
    op.create_index("ix_teams_product_id", "teams", ["product_id"])
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("focus_factor", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "sprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("started_at", jalon.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", jalon.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sprints_product_id", "sprints", ["product_id"])
    op.create_index("ix_sprints_team_dates", "sprints", ["team_id", "starts_on", "ends_on"])
    op.create_table(
        "sprint_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("added_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("added_after_start", sa.Boolean(), nullable=False),
        sa.Column("estimate_at_entry", sa.Float(), nullable=True),
        sa.Column("left_at", jalon.db.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["sprint_id"], ["sprints.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sprint_entries_sprint", "sprint_entries", ["sprint_id", "item_id"])
    op.create_index("ix_sprint_entries_item_id", "sprint_entries", ["item_id"])
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("sprint_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_items_sprint_id", "sprints", ["sprint_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_items_sprint_id", ["sprint_id"])


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_sprint_id")
        batch.drop_constraint("fk_items_sprint_id", type_="foreignkey")
        batch.drop_column("sprint_id")
    op.drop_table("sprint_entries")
    op.drop_table("sprints")
    op.drop_table("team_members")
    op.drop_table("teams")
