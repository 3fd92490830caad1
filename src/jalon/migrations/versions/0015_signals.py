"""weak signals and market watch

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    ref = target.split(".", maxsplit=1)[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{ref}"), ondelete=ondelete
    )


def _feeds() -> None:
    op.create_table(
        "watch_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=False),
        sa.Column("modified", sa.String(length=100), nullable=False),
        sa.Column("last_fetched_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=20), nullable=False),
        sa.Column("error_detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("product_id", "products.id", "watch_feeds", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_feeds")),
        sa.UniqueConstraint("product_id", "url", name="uq_watch_feeds_product_url"),
    )
    with op.batch_alter_table("watch_feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watch_feeds_product_id"), ["product_id"])
    op.create_table(
        "watch_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=1000), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", jalon.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("feed_id", "watch_feeds.id", "watch_entries", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_entries")),
        sa.UniqueConstraint("feed_id", "key", name="uq_watch_entries_feed_key"),
    )
    with op.batch_alter_table("watch_entries", schema=None) as batch_op:
        batch_op.create_index("ix_watch_entries_feed_fetched", ["feed_id", "fetched_at"])


def _watchlists_and_signals() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("created_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("product_id", "products.id", "watchlists", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
        sa.UniqueConstraint("product_id", "name", name="uq_watchlists_product_name"),
    )
    with op.batch_alter_table("watchlists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watchlists_product_id"), ["product_id"])
    op.create_table(
        "market_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jalon.db.UTCDateTime(timezone=True), nullable=False),
        _fk("entry_id", "watch_entries.id", "market_signals", "CASCADE"),
        _fk("item_id", "items.id", "market_signals", "SET NULL"),
        _fk("opportunity_id", "tree_nodes.id", "market_signals", "SET NULL"),
        _fk("product_id", "products.id", "market_signals", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_signals")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_market_signals_entry_id")),
    )
    with op.batch_alter_table("market_signals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_market_signals_product_state", ["product_id", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_market_signals_opportunity_id"), ["opportunity_id"])


def upgrade() -> None:
    _feeds()
    _watchlists_and_signals()


def downgrade() -> None:
    with op.batch_alter_table("market_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_signals_opportunity_id"))
        batch_op.drop_index("ix_market_signals_product_state")
    op.drop_table("market_signals")
    with op.batch_alter_table("watchlists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlists_product_id"))
    op.drop_table("watchlists")
    with op.batch_alter_table("watch_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_watch_entries_feed_fetched")
    op.drop_table("watch_entries")
    with op.batch_alter_table("watch_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watch_feeds_product_id"))
    op.drop_table("watch_feeds")
