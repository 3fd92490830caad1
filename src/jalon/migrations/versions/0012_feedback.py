"""feedback inbox: intake tokens, imports and what the feedback area needs

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_intake_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_feedback_intake_tokens_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_intake_tokens")),
        sa.UniqueConstraint("product_id", name=op.f("uq_feedback_intake_tokens_product_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feedback_intake_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("feedback_intake_tokens")
