"""public portal: ideas, votes, comments, moderation

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "portal_settings",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("welcome", sa.Text(), nullable=False),
        sa.Column("shown_statuses", sa.JSON(), nullable=False),
        sa.Column("group_by_theme", sa.Boolean(), nullable=False),
        _when("updated_at"),
        _fk("portal_settings", "product_id", "products", "CASCADE"),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_portal_settings")),
        sa.UniqueConstraint("slug", name=op.f("uq_portal_settings_slug")),
    )
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("published_at", nullable=True),
        _when("updated_at"),
        _fk("ideas", "product_id", "products", "CASCADE"),
        _fk("ideas", "feedback_id", "feedback", "SET NULL"),
        _fk("ideas", "item_id", "items", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["ideas.id"],
            name=op.f("fk_ideas_merged_into_id_ideas"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_product_state", ["product_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_feedback_id"), ["feedback_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_item_id"), ["item_id"], unique=False)
    op.create_table(
        "idea_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        _when("created_at"),
        _fk("idea_votes", "idea_id", "ideas", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_votes")),
        sa.UniqueConstraint("idea_id", "voter", name="uq_idea_votes_voter"),
        sa.UniqueConstraint("idea_id", "email", name="uq_idea_votes_email"),
    )
    with op.batch_alter_table("idea_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_votes_idea_id"), ["idea_id"], unique=False)
    op.create_table(
        "idea_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("from_team", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        _when("created_at"),
        _fk("idea_comments", "idea_id", "ideas", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_comments")),
    )
    with op.batch_alter_table("idea_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_comments_idea_id"), ["idea_id"], unique=False)
    op.create_table(
        "portal_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        _when("at"),
        _fk("portal_hits", "product_id", "products", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_hits")),
    )
    with op.batch_alter_table("portal_hits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_hits_lookup", ["product_id", "kind", "client", "at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("portal_hits")
    op.drop_table("idea_comments")
    op.drop_table("idea_votes")
    op.drop_table("ideas")
    op.drop_table("portal_settings")
