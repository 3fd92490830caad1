"""experiments, hypotheses, vision board and personas

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, jalon.db.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "hypotheses",
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("capability", sa.Text(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("signal", sa.Text(), nullable=False),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["node_id"], ["tree_nodes.id"], name=op.f("fk_hypotheses_node_id_tree_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_hypotheses")),
    )  # fmt: skip
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("assumption_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("operator", sa.String(length=2), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Float(), nullable=True),
        sa.Column("result_unit", sa.String(length=20), nullable=False),
        sa.Column("control_n", sa.Integer(), nullable=True),
        sa.Column("control_conversions", sa.Integer(), nullable=True),
        sa.Column("variant_n", sa.Integer(), nullable=True),
        sa.Column("variant_conversions", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["assumption_id"], ["tree_nodes.id"],
            name=op.f("fk_experiments_assumption_id_tree_nodes"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_experiments_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )  # fmt: skip
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiments_assumption_id"), ["assumption_id"], unique=False
        )
        batch_op.create_index("ix_experiments_product", ["product_id"], unique=False)
    op.create_table(
        "experiment_items",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["experiments.id"],
            name=op.f("fk_experiment_items_experiment_id_experiments"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_experiment_items_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "item_id", name=op.f("pk_experiment_items")),
    )  # fmt: skip
    op.create_table(
        "vision_boards",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("vision", sa.Text(), nullable=False),
        sa.Column("target_group", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("business_goals", sa.Text(), nullable=False),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_vision_boards_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_vision_boards")),
    )  # fmt: skip
    op.create_table(
        "personas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("frustrations", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_personas_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["customer_segments.id"],
            name=op.f("fk_personas_segment_id_customer_segments"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
        sa.UniqueConstraint("product_id", "name", name="uq_personas_product_name"),
    )  # fmt: skip
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personas_product_id"), ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personas_product_id"))
    op.drop_table("personas")
    op.drop_table("vision_boards")
    op.drop_table("experiment_items")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index("ix_experiments_product")
        batch_op.drop_index(batch_op.f("ix_experiments_assumption_id"))
    op.drop_table("experiments")
    op.drop_table("hypotheses")
