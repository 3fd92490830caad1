"""Full-text search index of backlog items (titles, descriptions, comments).

Interface used by every write path that changes searchable text: call
`refresh(uow, item_ids)` inside the unit of work, after a flush, before the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from jalon.uow import UnitOfWork


def refresh(uow: UnitOfWork, item_ids: Iterable[int]) -> None:
    """Bring the search index of these items up to date (placeholder until the index lands)."""
    del uow, item_ids
