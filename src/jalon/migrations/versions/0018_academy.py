"""academy foundation: academy roles, sandbox products, cohorts and assignments

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=False)


def _cohort_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["cohort_id"], ["academy_cohorts.id"], ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("academy_role", sa.String(16), nullable=True))
    with op.batch_alter_table("products") as batch:
        batch.add_column(
            sa.Column("is_sandbox", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "academy_cohorts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        _stamp("created_at"),
    )  # fmt: skip
    op.create_table(
        "academy_cohort_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        _stamp("joined_at"),
        _cohort_fk(),
        sa.UniqueConstraint("cohort_id", "user_id", name="uq_academy_cohort_member"),
    )  # fmt: skip
    op.create_table(
        "academy_assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        _stamp("created_at"),
        _cohort_fk(),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("academy_assignments")
    op.drop_table("academy_cohort_members")
    op.drop_table("academy_cohorts")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("is_sandbox")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("academy_role")
