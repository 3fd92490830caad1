"""reviews and retrospectives

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retrospectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_retrospectives_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprints.id"],
            name=op.f("fk_retrospectives_sprint_id_sprints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retrospectives")),
        sa.UniqueConstraint("sprint_id", name=op.f("uq_retrospectives_sprint_id")),
    )
    op.create_index(
        op.f("ix_retrospectives_product_id"), "retrospectives", ["product_id"], unique=False
    )
    op.create_table(
        "sprint_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("goal_verdict", sa.String(length=20), nullable=True),
        sa.Column("goal_note", sa.Text(), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=True),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("held_at", jalon.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_sprint_reviews_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprints.id"],
            name=op.f("fk_sprint_reviews_sprint_id_sprints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprint_reviews")),
        sa.UniqueConstraint("sprint_id", name=op.f("uq_sprint_reviews_sprint_id")),
    )
    op.create_index(
        op.f("ix_sprint_reviews_product_id"), "sprint_reviews", ["product_id"], unique=False
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("retro_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_sprint_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", jalon.db.UTCDateTime(), nullable=False),
        sa.Column("closed_at", jalon.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["due_sprint_id"],
            ["sprints.id"],
            name=op.f("fk_action_items_due_sprint_id_sprints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_action_items_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_action_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"],
            ["retrospectives.id"],
            name=op.f("fk_action_items_retro_id_retrospectives"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_action_items_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    op.create_index(
        "ix_action_items_product_status", "action_items", ["product_id", "status"], unique=False
    )
    op.create_index(op.f("ix_action_items_retro_id"), "action_items", ["retro_id"], unique=False)
    op.create_index(op.f("ix_action_items_team_id"), "action_items", ["team_id"], unique=False)
    op.create_table(
        "retro_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_retro_cards_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"],
            ["retrospectives.id"],
            name=op.f("fk_retro_cards_retro_id_retrospectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_cards")),
    )
    op.create_index(op.f("ix_retro_cards_retro_id"), "retro_cards", ["retro_id"], unique=False)
    op.create_table(
        "review_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jalon.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_review_feedback_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_review_feedback_item_id_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["sprint_reviews.id"],
            name=op.f("fk_review_feedback_review_id_sprint_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_feedback")),
    )
    op.create_index(
        op.f("ix_review_feedback_review_id"), "review_feedback", ["review_id"], unique=False
    )
    op.create_table(
        "retro_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["retro_cards.id"],
            name=op.f("fk_retro_votes_card_id_retro_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_retro_votes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_votes")),
    )
    op.create_index(op.f("ix_retro_votes_card_id"), "retro_votes", ["card_id"], unique=False)
    op.create_index(op.f("ix_retro_votes_user_id"), "retro_votes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_retro_votes_user_id"), table_name="retro_votes")
    op.drop_index(op.f("ix_retro_votes_card_id"), table_name="retro_votes")
    op.drop_table("retro_votes")
    op.drop_index(op.f("ix_review_feedback_review_id"), table_name="review_feedback")
    op.drop_table("review_feedback")
    op.drop_index(op.f("ix_retro_cards_retro_id"), table_name="retro_cards")
    op.drop_table("retro_cards")
    op.drop_index(op.f("ix_action_items_team_id"), table_name="action_items")
    op.drop_index(op.f("ix_action_items_retro_id"), table_name="action_items")
    op.drop_index("ix_action_items_product_status", table_name="action_items")
    op.drop_table("action_items")
    op.drop_index(op.f("ix_sprint_reviews_product_id"), table_name="sprint_reviews")
    op.drop_table("sprint_reviews")
    op.drop_index(op.f("ix_retrospectives_product_id"), table_name="retrospectives")
    op.drop_table("retrospectives")
