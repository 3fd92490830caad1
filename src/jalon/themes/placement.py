"""The two calls other areas make into themes (a stable contract; the themes area owns the
implementation).

- `place_feedback(uow, product_id, feedback_ids)`: called by the feedback and portal services
  inside their own transaction (`with uow:` … before `uow.commit()`), right after new
  feedback rows are flushed. It places each new feedback into the nearest theme (or leaves
  it unthemed until the next clustering) and must not commit.
- `similar(uow, product_id, text, limit=5, sources=None)`: feedback of the product most
  similar to `text`, best first, as (feedback id, similarity 0..1) pairs. `sources`
  restricts to feedback from those channels (the portal asks for `("portal",)`). Feedback in
  the states "pending" and "rejected" is never returned.
"""

from __future__ import annotations

from collections.abc import Sequence

from jalon.uow import UnitOfWork


def place_feedback(uow: UnitOfWork, product_id: int, feedback_ids: Sequence[int]) -> None:
    """Place new feedback in themes (to be implemented by the themes area)."""
    del uow, product_id, feedback_ids


def similar(
    uow: UnitOfWork,
    product_id: int,
    text: str,
    *,
    limit: int = 5,
    sources: Sequence[str] | None = None,
) -> list[tuple[int, float]]:
    """Feedback most similar to `text` (to be implemented by the themes area)."""
    del uow, product_id, text, limit, sources
    return []
