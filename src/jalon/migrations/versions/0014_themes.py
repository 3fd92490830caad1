"""themes and duplicates

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "theme_centroids",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        _fk("theme_centroids", "theme_id", "themes"),
        sa.PrimaryKeyConstraint("theme_id", name=op.f("pk_theme_centroids")),
    )
    op.create_table(
        "feedback_vectors",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        _fk("feedback_vectors", "feedback_id", "feedback"),
        _fk("feedback_vectors", "product_id", "products"),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_vectors")),
    )
    op.create_index(
        "ix_feedback_vectors_product_model", "feedback_vectors", ["product_id", "model"]
    )
    op.create_table(
        "theme_text_models",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("fitted_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("theme_text_models", "product_id", "products"),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_theme_text_models")),
    )
    op.create_table(
        "clustering_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("feedback_count", sa.Integer(), nullable=False),
        sa.Column("theme_count", sa.Integer(), nullable=False),
        sa.Column("created_themes", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        _fk("clustering_runs", "product_id", "products"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clustering_runs")),
    )
    op.create_index("ix_clustering_runs_product_state", "clustering_runs", ["product_id", "state"])
    op.create_table(
        "feedback_duplicates",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_by", sa.String(length=200), nullable=False),
        sa.Column("merged_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("feedback_duplicates", "feedback_id", "feedback"),
        sa.ForeignKeyConstraint(
            ["survivor_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_duplicates_survivor_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_duplicates")),
    )
    op.create_index(
        op.f("ix_feedback_duplicates_survivor_id"), "feedback_duplicates", ["survivor_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_duplicates_survivor_id"), table_name="feedback_duplicates")
    op.drop_table("feedback_duplicates")
    op.drop_index("ix_clustering_runs_product_state", table_name="clustering_runs")
    op.drop_table("clustering_runs")
    op.drop_table("theme_text_models")
    op.drop_index("ix_feedback_vectors_product_model", table_name="feedback_vectors")
    op.drop_table("feedback_vectors")
    op.drop_table("theme_centroids")
