"""learning path progress and certificates (the path area fills it)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=nullable)


def _user() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "academy_module_progress",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user(),
        sa.Column("module", sa.String(40), nullable=False),
        _stamp("lesson_read_at"),
        _stamp("exercise_passed_at"),
        _stamp("checked_at"),
        _stamp("updated_at", nullable=False),
        sa.UniqueConstraint("user_id", "module", name="uq_academy_module_progress"),
    )
    op.create_index("ix_academy_module_progress_user_id", "academy_module_progress", ["user_id"])
    op.create_table(
        "academy_practice_sandboxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user(),
        sa.Column("product_id", sa.Integer(),
                  sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        _stamp("created_at", nullable=False),
        sa.UniqueConstraint("user_id", name="uq_academy_practice_sandbox_user"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("academy_practice_sandboxes")
    op.drop_index("ix_academy_module_progress_user_id", table_name="academy_module_progress")
    op.drop_table("academy_module_progress")
