"""full-text search of backlog items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:10:00

`item_search` holds each item's stemmed text (backlog/search.py). PostgreSQL indexes its
`document` tsvector with GIN; SQLite indexes it with the FTS5 table `item_fts`, kept in
step by triggers (FTS5 shadow tables are named item_fts_*). Existing items are indexed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jalon.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE item_fts USING fts5(title, body, comments, "
    "content='item_search', content_rowid='item_id', tokenize='unicode61')",
    "CREATE TRIGGER item_search_ai AFTER INSERT ON item_search BEGIN "
    "INSERT INTO item_fts(rowid, title, body, comments) "
    "VALUES (new.item_id, new.title, new.body, new.comments); END",
    "CREATE TRIGGER item_search_ad AFTER DELETE ON item_search BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, title, body, comments) "
    "VALUES ('delete', old.item_id, old.title, old.body, old.comments); END",
    "CREATE TRIGGER item_search_au AFTER UPDATE ON item_search BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, title, body, comments) "
    "VALUES ('delete', old.item_id, old.title, old.body, old.comments); "
    "INSERT INTO item_fts(rowid, title, body, comments) "
    "VALUES (new.item_id, new.title, new.body, new.comments); END",
)


def upgrade() -> None:
    op.create_table(
        "item_search",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("document", jalon.db.SearchVector(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_search_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_search")),
    )
    op.create_index("ix_item_search_document", "item_search", ["document"], postgresql_using="gin")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    _index_existing_items(bind)


def _index_existing_items(bind: sa.engine.Connection) -> None:
    from sqlalchemy.orm import Session

    from jalon.backlog import search
    from jalon.backlog.models import Item
    from jalon.uow import UnitOfWork

    session = Session(bind=bind)
    uow = UnitOfWork.__new__(UnitOfWork)
    uow._session = session  # the migration's own connection and transaction
    ids = list(session.scalars(sa.select(Item.id)))
    search.refresh(uow, ids)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_item_search_document", table_name="item_search")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("item_search_au", "item_search_ad", "item_search_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS item_fts")
    op.drop_table("item_search")
