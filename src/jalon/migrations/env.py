"""Alembic environment: the engine comes from `jalon.db.upgrade()`, never from a file."""

from alembic import context

from jalon.db import include_name
from jalon.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
