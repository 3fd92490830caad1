"""question bank, quizzes, answers and spaced-repetition cards (the quiz area fills it)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=nullable)


def _user(name: str = "user_id") -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                     nullable=False)  # fmt: skip


def _question() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("question_id", sa.String(80),
                     sa.ForeignKey("academy_questions.id", ondelete="CASCADE"),
                     nullable=False, index=True)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "academy_questions",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("topic", sa.String(40), nullable=False, index=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        _when("updated_at"),
    )  # fmt: skip
    state = op.create_table(
        "academy_bank_state",
        sa.Column("key", sa.String(20), primary_key=True),
        sa.Column("bank_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(state, [{"key": "builtin", "bank_hash": ""}])
    op.create_table(
        "academy_quizzes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("module", sa.String(80), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        _when("started_at"),
        _when("deadline", nullable=True),
        _when("finished_at", nullable=True),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
    )  # fmt: skip
    op.create_table(
        "academy_quiz_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("quiz_id", sa.Integer(),
                  sa.ForeignKey("academy_quizzes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _question(),
        _when("shown_at", nullable=True),
        _when("answered_at", nullable=True),
        sa.Column("chosen", sa.JSON(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("unsure", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.String(10), nullable=True),
        sa.UniqueConstraint("quiz_id", "position", name="uq_academy_quiz_item_position"),
        sa.UniqueConstraint("quiz_id", "question_id", name="uq_academy_quiz_item_question"),
    )  # fmt: skip
    op.create_table(
        "academy_cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user(),
        _question(),
        _when("due"),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        _when("updated_at"),
        sa.UniqueConstraint("user_id", "question_id", name="uq_academy_card"),
    )
    op.create_index("ix_academy_cards_due", "academy_cards", ["due"])


def downgrade() -> None:
    op.drop_index("ix_academy_cards_due", table_name="academy_cards")
    op.drop_table("academy_cards")
    op.drop_table("academy_quiz_items")
    op.drop_table("academy_quizzes")
    op.drop_table("academy_bank_state")
    op.drop_table("academy_questions")
